"""Responses rendered by the Rasa-side generator: the crisis line comes from the profile."""

import re

import pytest
from rasa.shared.core.domain import Domain

from intake.practice import PracticeConfigError, practice_settings
from intake_dialogue.response_generator import PracticeResponseGenerator
from tests.conftest import ROOT

# Values the custom actions pass with their responses.
ACTION_VARIABLES = {
    "reflection": "stress",
    "coping": "meditation",
    "rationale": "stress",
    "focus_explanation": "IPT helps.",
    "summary": "Monday, mornings, by phone",
    # actions/contact.py and actions/handoff.py
    "schedule": "Monday, mornings, by phone",
    "contact": "They'll text you.",
    "how": "text you at +1 212-555-0188",
    "next_opening": "Monday at 9am",
    "corrected": "pressure at work",
}


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(ROOT / "domain"))


def render(domain, response, monkeypatch, profile=None):
    if profile:
        monkeypatch.setenv("INTAKE_CRISIS_PROFILE", profile)
    generator = PracticeResponseGenerator(domain=domain)
    return generator.generate_from_slots(response, {}, "rest", **ACTION_VARIABLES)["text"]


def test_us_profile_is_the_default(domain, monkeypatch):
    monkeypatch.delenv("INTAKE_CRISIS_PROFILE", raising=False)
    text = render(domain, "utter_crisis", monkeypatch)
    assert "988" in text and "911" in text and "not an emergency service" in text


def test_uk_profile_names_samaritans_and_999(domain, monkeypatch):
    text = render(domain, "utter_crisis", monkeypatch, profile="uk")
    assert "116 123" in text and "999" in text and "988" not in text


def test_the_greeting_says_it_is_not_an_emergency_service(domain, monkeypatch):
    text = render(domain, "utter_greet", monkeypatch, profile="uk")
    assert "not an emergency service" in text and "116 123" in text


@pytest.mark.parametrize("profile", ["us", "uk"])
def test_every_response_renders_without_placeholders(domain, monkeypatch, profile):
    for name in domain.responses:
        text = render(domain, name, monkeypatch, profile=profile) or ""
        assert not re.search(r"\{[a-z_]+\}", text), name


def test_an_unknown_profile_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("INTAKE_CRISIS_PROFILE", "atlantis")
    with pytest.raises(PracticeConfigError, match="atlantis"):
        practice_settings()


def test_the_server_uses_the_generator():
    assert "intake_dialogue.response_generator.PracticeResponseGenerator" in (ROOT / "endpoints.yml").read_text()


def test_an_edited_practice_file_is_read_again_without_a_restart(tmp_path, monkeypatch):
    """practice.yml is parsed once per version (intake/practice.py), not once per call:
    a practice that corrects its phone number sees it in the next reply."""
    edited = tmp_path / "practice.yml"
    edited.write_text((ROOT / "practice.yml").read_text())
    monkeypatch.setenv("INTAKE_PRACTICE_CONFIG", str(edited))
    monkeypatch.delenv("INTAKE_CRISIS_PROFILE", raising=False)
    practice_settings()["practice_phone"] = "changed by a caller"  # a caller's change stays its own
    before = practice_settings()["practice_phone"]
    assert before != "changed by a caller"
    edited.write_text(re.sub(r"(?m)^practice_phone:.*$", 'practice_phone: "+1 555 0100 999"', edited.read_text()))
    assert practice_settings()["practice_phone"] == "+1 555 0100 999" != before
