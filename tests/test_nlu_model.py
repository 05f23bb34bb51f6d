"""The trained model (make test trains it first): seed lines, paraphrases, commands."""

import pytest


@pytest.mark.parametrize(
    "text, intent",
    [
        ("Hi, I'm really glad we're having this session today.", "greet"),
        (
            "I've tried some breathing exercises and meditation, but they don't seem to be helping much.",
            "report_coping",
        ),
        ("No, I haven't. What is it?", "ask_ipt"),
        ("How long does the therapy usually take?", "ask_duration"),
        ("How often would we meet?", "ask_frequency"),
        ("I think I would like to try that.", "accept_therapy"),
        ("Thank you so much for your help.", "thank"),
        ("bye for now", "goodbye"),
        ("I don't think therapy is for me", "decline_therapy"),
        ("Tuesday evenings, by video", "inform_schedule"),
        ("can I talk to a real therapist?", "request_human"),
        ("am I talking to a bot?", "bot_challenge"),
        ("is this confidential?", "ask_privacy"),
        ("how much does it cost?", "ask_cost"),
        ("what's the weather tomorrow", "out_of_scope"),
        ("honestly I'm swamped and my manager keeps adding more", "share_concern"),
        ("I want to die", "crisis"),
        ("this deadline is killing me, I'm so stressed", "share_concern"),
        # A worry about looking weak is not declining therapy (that would unset therapy_accepted).
        ("Yes, but I'm scared they'll see me as not up to it. I don't want to look weak.", "share_concern"),
    ],
)
def test_intents(parse, text, intent):
    assert parse(text)["intent"]["name"] == intent


def test_concerns_come_out_with_canonical_values(parse):
    result = parse("I've been feeling lonely and I can't sleep since my divorce")
    assert sorted(e["value"] for e in result["entities"] if e["entity"] == "concern") == [
        "isolation",
        "life_change",
        "sleep",
    ]


@pytest.mark.patched  # intake_rasa_patches/command_guard.py; Rasa's own forces any /intent
def test_a_typed_slash_intent_is_ordinary_text(parse):
    for typed in ("/request_deletion", "/bot_challenge", '/accept_therapy{"x": 1}'):
        assert parse(typed)["intent"]["confidence"] < 1.0, typed


def test_the_web_widgets_opening_payload_is_a_greeting(parse):
    assert parse("/greet")["intent"] == {"name": "greet", "confidence": 1.0}


def test_the_bots_own_button_payload_is_a_command(parse):
    result = parse("/affirm")
    assert result["intent"] == {"name": "affirm", "confidence": 1.0}


def test_crisis_wins_over_a_forced_command(parse):
    assert parse("/deny I want to kill myself")["intent"]["name"] == "crisis"
