"""Custom actions on tracker fixtures: the exact events and the response names."""

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.intake_flow import ActionConfirmSchedule, ActionContinueIntake
from actions.ipt_suggestion import ActionSuggestIpt
from actions.slot_mappings import ActionValidateSlotMappings
from tests.conftest import entity, responses


async def run(action, dispatcher, tracker, domain):
    return await action.run(dispatcher, tracker, domain)


# --- action_validate_slot_mappings: accumulation ---------------------------------


async def test_concerns_accumulate_without_duplicates(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(
        slots={"concerns": ["stress", "work"], "ipt_focus": None, "presenting_problem": "earlier words"},
        entities=[entity("concern", "work"), entity("concern", "sleep"), entity("concern", "sleep")],
        text="my job keeps me up, I can't sleep",
    )
    events = await run(ActionValidateSlotMappings(), dispatcher, tracker, domain)
    assert events == [SlotSet("concerns", ["stress", "work", "sleep"])]
    assert dispatcher.messages == []


async def test_first_disclosure_is_kept_in_the_persons_words(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(entities=[entity("concern", "stress")], text="I'm so overwhelmed")
    events = await run(ActionValidateSlotMappings(), dispatcher, tracker, domain)
    assert events == [
        SlotSet("concerns", ["stress"]),
        SlotSet("presenting_problem", "I'm so overwhelmed"),
    ]


async def test_coping_strategies_accumulate_whatever_the_intent(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(
        slots={"coping_strategies": ["breathing"], "concerns": ["stress"], "presenting_problem": "x"},
        intent="affirm",
        entities=[entity("coping_strategy", "journaling"), entity("coping_strategy", "breathing")],
    )
    events = await run(ActionValidateSlotMappings(), dispatcher, tracker, domain)
    assert events == [SlotSet("coping_strategies", ["breathing", "journaling"])]


async def test_ipt_focus_follows_the_contract_precedence(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(
        slots={"concerns": ["isolation"], "ipt_focus": "interpersonal_deficits", "presenting_problem": "x"},
        entities=[entity("concern", "life_change"), entity("concern", "conflict")],
    )
    events = await run(ActionValidateSlotMappings(), dispatcher, tracker, domain)
    assert SlotSet("ipt_focus", "role_dispute") in events
    tracker = tracker_factory(
        slots={"concerns": ["conflict", "life_change"], "ipt_focus": "role_dispute", "presenting_problem": "x"},
        entities=[entity("concern", "grief")],
    )
    events = await run(ActionValidateSlotMappings(), CollectingDispatcher(), tracker, domain)
    assert SlotSet("ipt_focus", "grief") in events


async def test_no_ipt_focus_while_none_applies(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(entities=[entity("concern", "stress"), entity("concern", "work")])
    events = await run(ActionValidateSlotMappings(), dispatcher, tracker, domain)
    assert not [e for e in events if e["name"] == "ipt_focus"]


# --- action_validate_slot_mappings: the scheduling form's answers ----------------


def form_tracker(tracker_factory, requested, answer, attempts=0.0):
    tracker = tracker_factory(
        slots={
            "requested_slot": requested,
            requested: [answer] if requested == "preferred_days" else answer,
            "answer_attempts": attempts,
            "presenting_problem": "x",
        },
        intent="inform_schedule",
        text=answer,
    )
    tracker.events.append({"event": "slot", "name": requested, "value": tracker.slots[requested]})
    return tracker


async def test_a_days_answer_can_settle_time_and_format_too(tracker_factory, dispatcher, domain):
    tracker = form_tracker(tracker_factory, "preferred_days", "Tuesday evenings, by video")
    events = await run(ActionValidateSlotMappings(), dispatcher, tracker, domain)
    assert events == [
        SlotSet("preferred_days", ["tuesday"]),
        SlotSet("answer_attempts", 0.0),
        SlotSet("preferred_time", "evening"),
        SlotSet("session_format", "video"),
    ]


async def test_an_unusable_answer_gets_a_specific_reask(tracker_factory, dispatcher, domain):
    tracker = form_tracker(tracker_factory, "preferred_time", "when the moon is full")
    events = await run(ActionValidateSlotMappings(), dispatcher, tracker, domain)
    assert events == [SlotSet("preferred_time", None), SlotSet("answer_attempts", 1.0)]
    assert responses(dispatcher) == ["utter_reask_preferred_time"]


async def test_repeated_unusable_answers_offer_a_person(tracker_factory, dispatcher, domain):
    tracker = form_tracker(tracker_factory, "session_format", "purple", attempts=2.0)
    events = await run(ActionValidateSlotMappings(), dispatcher, tracker, domain)
    assert events == [SlotSet("session_format", None), SlotSet("answer_attempts", 3.0)]
    assert responses(dispatcher) == ["utter_offer_human_for_scheduling"]


# --- action_continue_intake ----------------------------------------------------


async def test_a_greeting_asks_for_consent_before_any_question_about_difficulties(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(intent="greet")
    events = await run(ActionContinueIntake(), dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_greet", "utter_ask_consent"]
    assert events == [SlotSet("intake_asked", ["consent"]), SlotSet("intake_stage", "listening")]


async def test_consent_given_is_recorded_then_the_first_question(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(intent="affirm", slots={"intake_asked": ["consent"]})
    events = await run(ActionContinueIntake(), dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_consent_thanks", "utter_ask_what_brings_you"]
    assert events == [
        SlotSet("consent_given", True),
        SlotSet("intake_asked", ["consent", "presenting"]),
        SlotSet("intake_stage", "listening"),
    ]


async def test_consent_declined_is_recorded_and_the_intake_stops(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(intent="deny", slots={"intake_asked": ["consent"]})
    events = await run(ActionContinueIntake(), dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_consent_declined"]
    assert events == [SlotSet("consent_given", False), SlotSet("intake_stage", "no_consent")]


async def test_a_first_disclosure_is_reflected_then_consent_is_asked(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(slots={"concerns": ["grief"]}, entities=[entity("concern", "grief")])
    events = await run(ActionContinueIntake(), dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_reflect_concerns", "utter_ask_consent"]
    assert events[-1] == SlotSet("intake_stage", "listening")


async def test_first_disclosure_is_reflected_and_asks_for_more(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(
        slots={"concerns": ["stress", "work"], "consent_given": True, "intake_asked": ["consent"]},
        entities=[entity("concern", "stress"), entity("concern", "work")],
    )
    events = await run(ActionContinueIntake(), dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_reflect_concerns", "utter_ask_more"]
    assert dispatcher.messages[0]["reflection"] == "a lot of stress and pressure at work"
    assert events == [
        SlotSet("reflected_concerns", ["stress", "work"]),
        SlotSet("intake_asked", ["consent", "more"]),
        SlotSet("intake_stage", "listening"),
    ]


async def test_second_disclosure_reflects_only_new_concerns_and_asks_about_coping(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(
        slots={
            "concerns": ["stress", "work", "anxiety"],
            "reflected_concerns": ["stress", "work"],
            "intake_asked": ["consent", "more"],
            "consent_given": True,
        },
        entities=[entity("concern", "work"), entity("concern", "anxiety")],
    )
    events = await run(ActionContinueIntake(), dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_reflect_more", "utter_ask_coping"]
    assert dispatcher.messages[0]["reflection"] == "anxiety"
    assert events[-1] == SlotSet("intake_stage", "listening")


async def test_coping_is_acknowledged_then_work_is_asked_about(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(
        slots={
            "concerns": ["stress", "work"],
            "reflected_concerns": ["stress", "work"],
            "intake_asked": ["consent", "more", "coping"],
            "coping_strategies": ["breathing", "meditation"],
        },
        intent="report_coping",
        entities=[entity("coping_strategy", "breathing"), entity("coping_strategy", "meditation")],
    )
    events = await run(ActionContinueIntake(), dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_acknowledge_coping", "utter_ask_raised_at_work"]
    assert dispatcher.messages[0]["coping"] == "breathing exercises and meditation"
    assert events == [
        SlotSet("intake_asked", ["consent", "more", "coping", "raised_at_work"]),
        SlotSet("intake_stage", "listening"),
    ]


async def test_fear_of_looking_weak_is_reassured_then_ipt_is_due(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(
        slots={
            "concerns": ["stress", "work"],
            "reflected_concerns": ["stress", "work"],
            "intake_asked": ["consent", "more", "coping", "raised_at_work"],
            "coping_strategies": ["breathing"],
        },
        intent="affirm",
        entities=[entity("concern", "work"), entity("worry", "looking_weak")],
    )
    events = await run(ActionContinueIntake(), dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_reassure_not_weak"]
    assert events == [SlotSet("intake_stage", "suggest_ipt")]


async def test_yes_to_starting_ipt_starts_scheduling(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(slots={"intake_stage": "ipt_offered", "concerns": ["stress"]}, intent="affirm")
    events = await run(ActionContinueIntake(), dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_glad_to_start"]
    assert events == [SlotSet("therapy_accepted", True), SlotSet("intake_stage", "start_scheduling")]


async def test_no_to_having_heard_of_ipt_explains_it(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(slots={"intake_stage": "ipt_suggested", "concerns": ["stress"]}, intent="deny")
    events = await run(ActionContinueIntake(), dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_explain_ipt", "utter_ask_questions_or_start"]
    assert events == [SlotSet("intake_stage", "ipt_offered")]


async def test_no_to_starting_ipt_is_respected(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(slots={"intake_stage": "ipt_offered", "concerns": ["stress"]}, intent="deny")
    events = await run(ActionContinueIntake(), dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_respect_decision"]
    assert events == [SlotSet("therapy_accepted", False), SlotSet("intake_stage", "declined")]


async def test_a_new_concern_after_the_suggestion_is_tied_to_ipt(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(
        slots={"intake_stage": "ipt_suggested", "concerns": ["stress", "isolation"], "reflected_concerns": ["stress"]},
        entities=[entity("concern", "isolation")],
    )
    events = await run(ActionContinueIntake(), dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_reflect_more", "utter_ipt_connects_focus", "utter_ask_questions_or_start"]
    assert "isolated" in dispatcher.messages[1]["focus_explanation"]
    assert events[-1] == SlotSet("intake_stage", "ipt_offered")


async def test_a_confirmed_schedule_leads_to_the_contact_details(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(slots={"intake_stage": "confirming"}, intent="affirm")
    assert await run(ActionContinueIntake(), dispatcher, tracker, domain) == [SlotSet("intake_stage", "ask_contact")]
    assert [m["response"] for m in dispatcher.messages] == ["utter_ask_contact_ok"]


async def test_confirmed_contact_details_are_submitted(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(slots={"intake_stage": "confirming_contact"}, intent="affirm")
    assert await run(ActionContinueIntake(), dispatcher, tracker, domain) == [SlotSet("intake_stage", "submit")]
    assert dispatcher.messages == []


async def test_a_wrong_schedule_is_asked_again(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(
        slots={
            "intake_stage": "confirming",
            "preferred_days": ["monday"],
            "preferred_time": "morning",
            "session_format": "phone",
        },
        intent="deny",
    )
    events = await run(ActionContinueIntake(), dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_lets_fix_schedule"]
    assert events == [
        SlotSet("preferred_days", None),
        SlotSet("preferred_time", None),
        SlotSet("session_format", None),
        SlotSet("schedule_note", None),  # the old answers' alternatives go with them
        SlotSet("answer_attempts", 0.0),
        SlotSet("intake_stage", "start_scheduling"),
    ]


# --- action_suggest_ipt and action_confirm_schedule ----------------------------


async def test_ipt_suggestion_names_the_focus_and_is_not_a_diagnosis(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(slots={"concerns": ["low_mood", "grief", "conflict"]})
    events = await run(ActionSuggestIpt(), dispatcher, tracker, domain)
    assert events == [SlotSet("ipt_focus", "grief"), SlotSet("intake_stage", "ipt_suggested")]
    assert responses(dispatcher) == ["utter_suggest_ipt"]
    message = dispatcher.messages[0]
    assert message["rationale"] == "feeling low, the loss of someone important and conflict with someone close to you"
    assert "grief" in message["focus_explanation"]
    suggestion = domain["responses"]["utter_suggest_ipt"][0]["text"]
    assert "not a diagnosis" in suggestion and "clinician" in suggestion


async def test_schedule_is_read_back_for_confirmation(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(
        slots={"preferred_days": ["monday", "wednesday"], "preferred_time": "morning", "session_format": "in_person"}
    )
    events = await run(ActionConfirmSchedule(), dispatcher, tracker, domain)
    assert events == [SlotSet("intake_stage", "confirming")]
    assert dispatcher.messages[0]["response"] == "utter_confirm_schedule"
    assert dispatcher.messages[0]["summary"] == "Monday and Wednesday, mornings, in person"
