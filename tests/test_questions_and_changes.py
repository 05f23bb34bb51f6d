"""Questions back, "I'm not sure", pausing and changing the schedule (actions/questions.py,
actions/intake_flow.py), on tracker fixtures."""

import pytest
from rasa_sdk.events import ActiveLoop, SlotSet

from actions.intake_flow import ActionContinueIntake, is_unsure
from actions.questions import ActionAnswerQuestion, ActionPause
from intake_stores.intake_records import IntakeStore
from tests.conftest import responses


async def run(action, dispatcher, tracker, domain):
    return await action.run(dispatcher, tracker, domain)


@pytest.mark.parametrize(
    "asked, question",
    [
        (["consent"], "utter_ask_consent"),
        (["consent", "presenting"], "utter_ask_what_brings_you"),
        (["consent", "presenting", "more", "coping"], "utter_ask_coping"),
    ],
)
async def test_a_question_back_is_answered_then_the_pending_question_asked_again(
    tracker_factory, dispatcher, domain, asked, question
):
    tracker = tracker_factory(
        slots={"intake_stage": "listening", "intake_asked": asked}, intent="ask_language", text="is it in english only?"
    )
    events = await run(ActionAnswerQuestion(), dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_answer_language", question]
    assert events == []  # the place in the intake is kept


async def test_what_is_it_at_the_ipt_question_leads_to_the_offer(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(slots={"intake_stage": "ipt_suggested"}, intent="ask_ipt", text="what's that")
    events = await run(ActionAnswerQuestion(), dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_explain_ipt", "utter_ask_questions_or_start"]
    assert events == [SlotSet("intake_stage", "ipt_offered")]


async def test_inside_a_form_only_the_answer_is_given(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(
        slots={"intake_stage": "start_scheduling"}, intent="ask_medication", text="should I stop my pills"
    )
    tracker.active_loop = {"name": "scheduling_form"}
    await run(ActionAnswerQuestion(), dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_answer_medication"]  # the form asks its question itself


def test_medication_and_diagnosis_answers_never_advise_or_diagnose(domain):
    medication = domain["responses"]["utter_answer_medication"][0]["text"].lower()
    diagnosis = domain["responses"]["utter_answer_diagnosis"][0]["text"].lower()
    assert "prescriber" in medication and "pharmacist" in medication and "{crisis_line}" in medication
    for advice in ("you should stop", "you can stop", "stop taking it", "yes, stop"):
        assert advice not in medication
    assert "can't tell you whether you have" in diagnosis and "clinician" in diagnosis


@pytest.mark.parametrize("text", ["idk", "not sure", "I don't know", "dunno tbh", "no idea", "hmm, not sure really"])
def test_not_knowing_is_recognised(text):
    assert is_unsure(text)


@pytest.mark.parametrize("text", ["I don't know what to do with myself since the move", "not sure therapy is for me"])
def test_a_sentence_that_starts_with_not_knowing_is_an_answer(text):
    assert not is_unsure(text)


async def test_not_sure_gets_an_explanation_and_the_question_again(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(
        slots={
            "intake_stage": "listening",
            "intake_asked": ["consent", "presenting", "more", "coping"],
            "concerns": ["stress"],
        },
        intent="deny",
        text="idk",
    )
    events = await run(ActionContinueIntake(), dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_explain_pending_question", "utter_ask_coping"]
    assert SlotSet("intake_stage", "listening") in events


async def test_pausing_in_the_form_keeps_the_answers_and_a_greeting_resumes(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(
        slots={"preferred_days": ["saturday"], "consent_given": True}, intent="stop_or_pause", text="I have to go"
    )
    tracker.active_loop = {"name": "scheduling_form"}
    events = await run(ActionPause(), dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_pause"]
    assert ActiveLoop(None) in events and SlotSet("paused", True) in events
    assert SlotSet("intake_stage", "start_scheduling") in events
    assert not any(e.get("name") == "preferred_days" for e in events)  # what was said is kept

    back = tracker_factory(
        slots={"paused": True, "intake_stage": "start_scheduling", "preferred_days": ["saturday"]},
        intent="greet",
        text="hi again",
    )
    dispatcher.messages.clear()
    events = await run(ActionContinueIntake(), dispatcher, back, domain)
    assert responses(dispatcher) == ["utter_welcome_back"]
    assert events == [SlotSet("paused", False), SlotSet("intake_stage", "start_scheduling")]


async def test_a_typed_correction_at_the_read_back_is_applied(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(
        slots={
            "intake_stage": "confirming",
            "preferred_days": ["monday"],
            "preferred_time": "morning",
            "session_format": "video",
        },
        intent="deny",
        text="no, make that Thursday",
    )
    events = await run(ActionContinueIntake(), dispatcher, tracker, domain)
    assert SlotSet("preferred_days", ["thursday"]) in events
    assert SlotSet("intake_stage", "confirming") in events
    assert dispatcher.messages[0]["response"] == "utter_confirm_schedule"
    assert dispatcher.messages[0]["summary"] == "Thursday, mornings, by video"


async def test_a_change_after_booking_updates_the_stored_record(tracker_factory, dispatcher, domain, tmp_path):
    store = IntakeStore(f"sqlite:///{tmp_path}/intake.db")
    slots = {
        "intake_stage": "done",
        "preferred_days": ["monday"],
        "preferred_time": "morning",
        "session_format": "video",
        "consent_given": True,
        "intake_id": "x",
        "concerns": ["stress"],
        "therapy_accepted": True,
        "risk_flag": False,
    }
    action = ActionContinueIntake()
    action._store = store
    booked = tracker_factory(slots=slots, intent="affirm", text="yes")
    from actions.intake_storage import record_from_tracker

    store.save(record_from_tracker(booked))
    tracker = tracker_factory(slots=slots, intent="change_answer", text="can it be by phone instead")
    events = await run(action, dispatcher, tracker, domain)
    assert SlotSet("session_format", "phone") in events
    assert responses(dispatcher) == ["utter_changed_schedule", "utter_changed_record"]
    record = store.get(tracker.sender_id)
    assert record.session_format == "phone" and record.preferred_days == ["monday"]
    assert record.therapy_accepted is True


async def test_two_questions_in_one_message_are_both_answered(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(
        slots={"intake_stage": "ipt_offered"}, intent="ask_frequency", text="how long does it go on, and is it weekly?"
    )
    tracker.latest_message["intent_ranking"] = [
        {"name": "ask_frequency", "confidence": 0.45},
        {"name": "ask_duration", "confidence": 0.35},
        {"name": "affirm", "confidence": 0.1},
    ]
    await run(ActionAnswerQuestion(), dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_ipt_frequency", "utter_ipt_duration", "utter_ask_questions_or_start"]


async def test_a_distant_second_guess_is_not_answered(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(slots={"intake_stage": "ipt_offered"}, intent="ask_cost", text="how much is it")
    tracker.latest_message["intent_ranking"] = [
        {"name": "ask_cost", "confidence": 0.8},
        {"name": "ask_privacy", "confidence": 0.1},
    ]
    await run(ActionAnswerQuestion(), dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_cost", "utter_ask_questions_or_start"]


async def test_a_refused_consent_can_be_given_later(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(
        slots={
            "intake_stage": "no_consent",
            "consent_given": False,
            "intake_asked": ["consent"],
            "concerns": ["sleep"],
        },
        intent="affirm",
        text="actually, you can keep a record of this",
    )
    events = await run(ActionContinueIntake(), dispatcher, tracker, domain)
    assert SlotSet("consent_given", True) in events
    assert responses(dispatcher) == ["utter_consent_now_given", "utter_ask_more"]  # not the consent question again
    assert SlotSet("intake_stage", "listening") in events


async def test_consent_can_be_withdrawn_before_anything_is_stored(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(
        slots={"intake_stage": "listening", "consent_given": True, "intake_asked": ["more"]},
        intent="deny",
        text="on second thought please don't keep a record",
    )
    events = await run(ActionContinueIntake(), dispatcher, tracker, domain)
    assert SlotSet("consent_given", False) in events
    assert responses(dispatcher) == ["utter_consent_now_withdrawn"]
    assert SlotSet("intake_stage", "no_consent") in events


async def test_an_ordinary_yes_is_not_a_consent_change(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(
        slots={"intake_stage": "no_consent", "consent_given": False},
        intent="affirm",
        text="yes, please keep in mind I work nights",
    )
    events = await run(ActionContinueIntake(), dispatcher, tracker, domain)
    assert SlotSet("consent_given", True) not in events
