"""The safety tier the trained model gives a message (the CrisisRuleDetector's entities):
imminent, the check, abuse and someone else at risk, each with its category."""

from pathlib import Path

import pytest
import yaml

TIERS = yaml.safe_load((Path(__file__).parent / "tiers.yml").read_text())


def entity(parsed, name):
    return [e["value"] for e in parsed["entities"] if e["entity"] == name]


@pytest.mark.parametrize("text", TIERS["imminent"])
def test_imminent(parse, text):
    parsed = parse(text)
    assert parsed["intent"]["name"] == "crisis" and entity(parsed, "risk_level") == ["imminent"]


@pytest.mark.parametrize("text", TIERS["check"])
def test_the_check(parse, text):
    parsed = parse(text)
    assert parsed["intent"]["name"] in ("safety_check", "crisis"), "a possible risk must at least be checked"
    assert entity(parsed, "risk_level")


@pytest.mark.parametrize("text", TIERS["abuse"])
def test_abuse_gets_the_abuse_response(parse, text):
    parsed = parse(text)
    assert entity(parsed, "risk_response") in (["abuse"], ["imminent"]) and "abuse" in entity(parsed, "risk_category")


@pytest.mark.parametrize("text", TIERS["third_party"])
def test_someone_else_at_risk(parse, text):
    parsed = parse(text)
    assert entity(parsed, "risk_response") == ["third_party"] and entity(parsed, "risk_category") == ["third_party"]


def test_a_button_payload_is_not_read_as_risk(parse):
    assert parse("/deny")["intent"]["name"] == "deny"
