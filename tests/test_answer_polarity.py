"""intake_nlu/answer_polarity.py: a reply that opens with a plain "no" is never a yes."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from intake_nlu.answer_polarity import AnswerPolarity


def read(text, intent, confidence=0.4):
    message = Message({"text": text})
    message.set("intent", {"name": intent, "confidence": confidence})
    message.set("intent_ranking", [{"name": intent, "confidence": confidence}, {"name": "deny", "confidence": 0.2}])
    AnswerPolarity().process([message])
    return message.get("intent"), message.get("intent_ranking")


@pytest.mark.parametrize(
    "text",
    [
        "no, my job's alright actually, it's about the only thing that is",
        "Nope. all good here",
        "nah not that",
        "not really, it's more the evenings",
    ],
)
def test_a_yes_read_from_a_reply_that_opens_with_no_is_a_no(text):
    intent, ranking = read(text, "affirm")
    assert intent == {"name": "deny", "confidence": 0.4}
    assert [r["name"] for r in ranking] == ["deny"]  # the yes is gone, the no not listed twice


@pytest.mark.parametrize(
    "text", ["no problem, go ahead", "no worries, that's fine", "now is good", "nothing to add, yes"]
)
def test_yeses_that_start_with_no_letters_stay_yeses(text):
    assert read(text, "affirm")[0]["name"] == "affirm"


def test_other_readings_are_left_to_their_own_rules():
    assert read("no, I want to talk to a person", "request_human")[0]["name"] == "request_human"


@pytest.mark.parametrize(
    "text",
    [
        "since I moved there's nobody to talk to, my flatmates keep to themselves",
        "I don't have anyone to talk to about it",
        "there's no one here I can really talk to",
    ],
)
def test_no_one_to_talk_to_is_what_they_go_through_not_a_request(text):
    assert read(text, "request_human")[0]["name"] == "share_concern"


@pytest.mark.parametrize(
    "text",
    ["I want to talk to someone", "is there no one I can talk to?", "nobody listens, I need to speak to a person"],
)
def test_asking_for_a_person_stays_a_request(text):
    assert read(text, "request_human")[0]["name"] == "request_human"
