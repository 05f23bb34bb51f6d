"""Intents as real clients type them (issue 17), through the trained model (`parse`):
leaving for now is a pause, not a goodbye or a refusal of therapy; a list of what was tried
is coping; terse, slangy and non-native replies; a question that carries a worry is still
the question. Sentences written for these tests, in neither the dev sets nor the training
data."""

import pytest


@pytest.mark.parametrize(
    "text, intent",
    [
        # having to leave, or wanting to stop for now, pauses (the answers are kept)
        ("I have to run, talk later", "stop_or_pause"),
        ("sorry, the school's ringing me, can we pick this up later?", "stop_or_pause"),
        ("hold on, two ticks", "stop_or_pause"),
        ("I'm not up to answering these right now, can we stop for today", "stop_or_pause"),
        ("my lunch break's over, I need to head back, can we do the rest this evening", "stop_or_pause"),
        # a farewell is a goodbye; not wanting the therapy is declining it
        ("ok, off I go now, goodbye and all the best", "goodbye"),
        ("I don't think I want to do therapy at all", "decline_therapy"),
        # what they tried, as a list, a habit or a person they lean on
        ("swimming, audiobooks and early nights", "report_coping"),
        ("I tried an app and some walks but nothing lasted", "report_coping"),
        ("honestly just keeping busy with the grandkids", "report_coping"),
        ("my sister's been great, I ring her when it gets bad", "report_coping"),
        ("nothing yet, I just get on with it", "report_coping"),
        # thanks, short and slangy
        ("thx so much 🙏", "thank"),
        ("ta, useful to know", "thank"),
        # a difficulty, in everyday, terse or non-native words
        ("been feeling proper rubbish since the move", "share_concern"),
        ("I am worry every day for my children back home", "share_concern"),
        ("I keep losing my temper with my wife", "share_concern"),
        ("my mum needs care all day and it's just me", "share_concern"),
        # a question with a worry inside is the question
        ("is what I type here passed on to my employer?", "ask_privacy"),
        ("money is tight, what do the sessions cost?", "ask_cost"),
        ("would it be one session a week?", "ask_frequency"),
    ],
)
def test_intent_as_people_type_it(parse, text, intent):
    assert parse(text)["intent"]["name"] == intent
