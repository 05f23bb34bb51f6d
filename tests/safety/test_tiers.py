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


@pytest.fixture(scope="module")
def detector_and_model():
    import spacy
    from rasa.nlu.utils.spacy_utils import SpacyModel

    from intake_nlu.crisis_detector import CrisisRuleDetector

    root = Path(__file__).resolve().parents[2]
    model = SpacyModel(model=spacy.load(root / "models" / "spacy" / "en_intake_rules"), model_name="en_intake_rules")
    return CrisisRuleDetector(), model


def classified(text, ranking):
    from rasa.shared.nlu.training_data.message import Message

    ranking = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    return Message(data={"text": text, "intent": ranking[0], "intent_ranking": ranking, "entities": []})


def test_an_unconfirmed_crisis_with_the_check_next_asks_the_check_with_its_tier(detector_and_model):
    """Below the check threshold, the crisis gives way to the next intent; when that is the
    check, the check's tier goes with it, so that a yes to the check is heard as a crisis."""
    detector, model = detector_and_model
    message = classified("nothing about any of this feels worth it", [("crisis", 0.5), ("safety_check", 0.3)])
    detector.process([message], model)
    assert message.get("intent")["name"] == "safety_check"
    assert entity({"entities": message.get("entities")}, "risk_level") == ["check"]


def test_a_negated_unconfirmed_crisis_is_not_checked_even_with_the_check_next(detector_and_model):
    detector, model = detector_and_model
    message = classified("I'm not suicidal, just exhausted", [("crisis", 0.5), ("safety_check", 0.3)])
    detector.process([message], model)
    assert message.get("intent")["name"] not in ("crisis", "safety_check")
    assert not entity({"entities": message.get("entities")}, "risk_level")


@pytest.mark.parametrize("text", TIERS["imminent_by_time"])
def test_a_plan_with_its_time_in_any_words_is_imminent(parse, text):
    parsed = parse(text)
    assert parsed["intent"]["name"] == "crisis" and entity(parsed, "risk_level") == ["imminent"]


@pytest.mark.parametrize("text", TIERS["ordinary"])
def test_ordinary_senses_get_neither_the_crisis_response_nor_the_check(parse, text):
    parsed = parse(text)
    assert parsed["intent"]["name"] not in ("crisis", "safety_check") and not entity(parsed, "risk_level")


def test_one_sentence_scored_as_crisis_asks_the_check_however_long_the_message(detector_and_model):
    """A crisis score the classifier gives one sentence read alone (intent_classifier.py's
    sentence rankings) is not diluted by the rest of the message: from the crisis threshold
    it asks the check (alone, without the rest, it is never more)."""
    detector, model = detector_and_model
    message = classified("work is fine. my sister visits. the garden is a mess.", [("share_concern", 0.7)])
    sentences = [[("share_concern", 0.9)], [("crisis", 0.85), ("share_concern", 0.1)], [("share_concern", 0.8)]]
    message.set("sentence_rankings", [[{"name": n, "confidence": c} for n, c in ranking] for ranking in sentences])
    assert detector.classifier_crisis_confidence(message) == 0.0
    assert detector.sentence_crisis_confidence(message) == 0.85
    detector.process([message], model)
    assert message.get("intent")["name"] == "safety_check"
    assert entity({"entities": message.get("entities")}, "risk_level") == ["check"]


def test_sentences_are_split_at_stops_and_long_run_ons_at_commas():
    from intake_nlu.intent_classifier import sentence_parts

    tokens = "work is hard . my mum is ill and i ca n't cope ! ok . i have a plan".split()
    assert sentence_parts(tokens) == [
        ["work", "is", "hard"],
        ["my", "mum", "is", "ill", "and", "i", "ca", "n't", "cope"],
        ["i", "have", "a", "plan"],
    ]  # "ok" says too little alone
    run_on = ("the flat is damp , the boss shouts , the car broke , the bills pile up , " * 2).split()
    assert all(len(part) <= 16 for part in sentence_parts(run_on))
