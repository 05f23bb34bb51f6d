"""What people answer is heard as the answer to the question they were asked, and what
they tell is heard as telling: patterns found with the scripted clients, on tracker
fixtures, in sentences written for these tests.

- a scheduling answer the classifier read as something else is still the answer;
- a schedule mentioned while talking about their life is not a yes to therapy, and "no,
  my job's fine" at the IPT offer is not a no to it;
- a hand-off's "how can they reach you?" never holds the conversation in a loop;
- a statement read as a question ("been on X for months, still numb") is a disclosure.
"""

import pytest
from cryptography.fernet import Fernet
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionRequestHandoff
from actions.intake_flow import ActionContinueIntake
from actions.questions import ActionAnswerQuestion
from actions.slot_mappings import ActionValidateSlotMappings
from intake_stores.handoff_requests import HandoffStore
from tests.conftest import entity, responses


def in_form(tracker_factory, form, requested, intent, text, slots=None):
    tracker = tracker_factory(
        slots={"requested_slot": requested, "presenting_problem": "x", **(slots or {})}, intent=intent, text=text
    )
    tracker.active_loop = {"name": form}
    return tracker


# --- the scheduling form: the answer, whatever the classifier read ------------------------


@pytest.mark.parametrize(
    "requested, intent, text, value",
    [
        ("session_format", "request_human", "In person, it gets me out of the house", "in_person"),
        ("session_format", "request_human", "phone, I can take it on my lunch break", "phone"),
        ("preferred_time", "ask_minor", "8am if possible, before my shift", "morning"),
        ("preferred_days", "out_of_scope", "thurs and fri work for me", ["thursday", "friday"]),
    ],
)
async def test_an_answer_read_as_another_intent_is_the_answer(
    tracker_factory, dispatcher, domain, requested, intent, text, value
):
    tracker = in_form(tracker_factory, "scheduling_form", requested, intent, text)
    events = await ActionValidateSlotMappings().run(dispatcher, tracker, domain)
    assert events[:2] == [SlotSet(requested, value), SlotSet("answer_attempts", 0.0)]
    assert dispatcher.messages == []


@pytest.mark.parametrize(
    "intent, text",
    [
        ("request_human", "I'd rather speak to a real person on the phone"),  # asks for someone
        ("request_human", "can someone from the team ring me"),
        ("ask_couples", "could my wife join by video?"),  # a real question
        ("crisis", "I won't be around by the evening"),  # safety first, always
        ("stop_or_pause", "not today, evenings are bad"),
    ],
)
async def test_requests_questions_and_safety_keep_their_own_rules(tracker_factory, dispatcher, domain, intent, text):
    tracker = in_form(tracker_factory, "scheduling_form", "session_format", intent, text)
    tracker.slots["requested_slot"] = "session_format"
    events = await ActionValidateSlotMappings().run(dispatcher, tracker, domain)
    assert events == []  # nothing taken as the answer: the form lets the message go to its rule


# --- the IPT offer: a schedule in their story is not a yes, a denial is not a no ------------


async def test_days_in_their_story_are_not_a_yes_to_therapy(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(
        slots={"intake_stage": "ipt_suggested", "intake_asked": ["consent", "presenting", "more", "coping"]},
        intent="inform_schedule",
        text="I do shifts at the garden centre on saturdays, it's fine",
    )
    events = await ActionContinueIntake().run(dispatcher, tracker, domain)
    # Heard, without "what you've tried" again or anything reflected that was not said.
    assert responses(dispatcher) == ["utter_acknowledge_answer", "utter_ask_questions_or_start"]
    assert events == [SlotSet("intake_stage", "ipt_offered")]


async def test_a_schedule_after_the_offer_is_a_yes_with_its_answers(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(
        slots={"intake_stage": "ipt_offered"}, intent="inform_schedule", text="thursday evenings suit me"
    )
    events = await ActionContinueIntake().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_glad_to_start"]
    assert events == [
        SlotSet("therapy_accepted", True),
        SlotSet("preferred_days", ["thursday"]),
        SlotSet("preferred_time", "evening"),
        SlotSet("intake_stage", "start_scheduling"),
    ]


async def test_no_about_their_job_at_the_offer_is_not_declining_therapy(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(
        slots={"intake_stage": "ipt_offered", "concerns": ["conflict"], "reflected_concerns": ["conflict"]},
        intent="deny",
        entities=[entity("denied_concern", "work")],
        text="no, my job is honestly fine",
    )
    events = await ActionContinueIntake().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_acknowledge_answer", "utter_ask_questions_or_start"]
    assert events == [SlotSet("intake_stage", "ipt_offered")]  # therapy_accepted untouched


# --- the hand-off's one question never loops --------------------------------------------------


@pytest.fixture
def key(monkeypatch):
    monkeypatch.setenv("INTAKE_ENCRYPTION_KEY", Fernet.generate_key().decode())


async def test_going_on_with_the_intake_instead_of_a_number_records_the_request(tracker_factory, dispatcher, domain):
    tracker = in_form(
        tracker_factory,
        "handoff_contact_form",
        "handoff_contact",
        "report_coping",
        "whatever. I swim most mornings, that's what I do",
        slots={"handoff_contact": "whatever. I swim most mornings, that's what I do", "answer_attempts": 0.0},
    )
    tracker.events.append({"event": "slot", "name": "handoff_contact", "value": tracker.slots["handoff_contact"]})
    events = await ActionValidateSlotMappings().run(dispatcher, tracker, domain)
    assert events == [SlotSet("handoff_contact", ""), SlotSet("answer_attempts", 0.0)]
    assert dispatcher.messages == []


@pytest.mark.parametrize("attempts, expected", [(0.0, None), (1.0, "")])
async def test_an_unusable_contact_is_asked_once_more_then_left(
    tracker_factory, dispatcher, domain, attempts, expected
):
    text = "hmm let me think"
    tracker = in_form(
        tracker_factory,
        "handoff_contact_form",
        "handoff_contact",
        "out_of_scope",
        text,
        slots={"handoff_contact": text, "answer_attempts": attempts},
    )
    tracker.events.append({"event": "slot", "name": "handoff_contact", "value": text})
    events = await ActionValidateSlotMappings().run(dispatcher, tracker, domain)
    assert events[0] == SlotSet("handoff_contact", expected)
    assert responses(dispatcher) == (["utter_reask_handoff_contact"] if expected is None else [])


async def test_the_request_left_without_contact_carries_on_without_alarm(
    tmp_path, key, tracker_factory, dispatcher, domain
):
    store = HandoffStore(f"sqlite:///{tmp_path}/intake.db")
    tracker = tracker_factory(
        slots={"handoff_stage": "asking_contact", "handoff_contact": ""},
        intent="report_coping",
        text="whatever. I swim most mornings, that's what I do",
        sender_id="moved-on",
    )
    events = await ActionRequestHandoff(store).run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_handoff_moved_on"]
    assert "{crisis_line}" not in domain["responses"]["utter_handoff_moved_on"][0]["text"]
    assert SlotSet("handoff_requested", True) in events
    assert len(store.for_conversation("moved-on")) == 1  # the request is still recorded


# --- a statement the classifier read as a question --------------------------------------------


async def test_a_statement_read_as_a_question_is_heard_as_a_disclosure(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(
        slots={"intake_stage": "listening", "intake_asked": ["consent", "presenting"], "consent_given": True},
        intent="ask_medication",
        entities=[entity("concern", "low_mood")],
        text="been on citalopram for months and I still feel numb",
    )
    events = await ActionAnswerQuestion().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_reflect_concerns", "utter_ask_more"]
    assert events == [
        SlotSet("reflected_concerns", ["low_mood"]),
        SlotSet("intake_asked", ["consent", "presenting", "more"]),
        SlotSet("intake_stage", "listening"),
    ]


async def test_the_same_worry_asked_as_a_question_is_answered(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(
        slots={"intake_stage": "listening", "intake_asked": ["consent", "presenting"], "consent_given": True},
        intent="ask_medication",
        entities=[entity("concern", "low_mood")],
        text="I still feel numb, should I stop the citalopram?",
    )
    events = await ActionAnswerQuestion().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_answer_medication", "utter_ask_what_brings_you"]
    assert events == []


# --- an earlier question answered again inside the form ----------------------------------------


def answered(tracker_factory, requested, text, slots):
    tracker = in_form(
        tracker_factory, "scheduling_form", requested, "inform_schedule", text, slots={requested: text, **slots}
    )
    tracker.events.append({"event": "slot", "name": requested, "value": text})
    return tracker


async def test_the_time_again_at_the_format_question_is_no_failed_answer(tracker_factory, dispatcher, domain):
    tracker = answered(
        tracker_factory, "session_format", "evenings", {"preferred_time": "evening", "answer_attempts": 0.0}
    )
    events = await ActionValidateSlotMappings().run(dispatcher, tracker, domain)
    assert events == [SlotSet("session_format", None), SlotSet("preferred_time", "evening")]
    assert dispatcher.messages == []  # no apology: the form asks about the format once more


async def test_a_short_change_of_an_earlier_answer_is_applied(tracker_factory, dispatcher, domain):
    tracker = answered(tracker_factory, "session_format", "actually mornings", {"preferred_time": "evening"})
    events = await ActionValidateSlotMappings().run(dispatcher, tracker, domain)
    assert events == [SlotSet("session_format", None), SlotSet("preferred_time", "morning")]


async def test_a_long_aside_does_not_change_an_earlier_answer(tracker_factory, dispatcher, domain):
    text = "honestly when the stars line up for once this month"
    tracker = answered(tracker_factory, "preferred_time", text, {"preferred_days": ["tuesday"]})
    events = await ActionValidateSlotMappings().run(dispatcher, tracker, domain)
    assert events == [SlotSet("preferred_time", None), SlotSet("answer_attempts", 1.0)]
    assert responses(dispatcher) == ["utter_reask_preferred_time"]


def test_a_reask_is_a_hint_and_leaves_the_question_to_the_form(domain):
    for slot in ("preferred_days", "preferred_time", "session_format"):
        assert "?" not in domain["responses"][f"utter_reask_{slot}"][0]["text"]


# --- a disclosure the classifier was unsure of ---------------------------------------------------


@pytest.mark.parametrize("intent", ["out_of_scope", "nlu_fallback"])
async def test_a_disclosure_read_as_out_of_scope_is_reflected(tracker_factory, dispatcher, domain, intent):
    tracker = tracker_factory(
        slots={"intake_stage": "listening", "intake_asked": ["consent", "presenting"], "consent_given": True},
        intent=intent,
        entities=[entity("concern", "life_change")],
        text="they let the whole team go in march, twelve years there",
    )
    events = await ActionContinueIntake().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_reflect_concerns", "utter_ask_more"]
    assert events[-1] == SlotSet("intake_stage", "listening")


# --- the practical question in the words is answered --------------------------------------------


@pytest.mark.parametrize(
    "intent, text, answers",
    [
        # Read as "what is IPT?": the words ask one practical thing, and that is answered.
        ("ask_ipt", "right, that makes sense. how often would I be coming in?", ["utter_ipt_frequency"]),
        # Two things asked, the classifier sure of one: both answered.
        ("ask_duration", "how many weeks is it, and is it weekly?", ["utter_ipt_duration", "utter_ipt_frequency"]),
        # What IPT is, asked as such, stays that answer.
        ("ask_ipt", "what is ipt, in plain words?", ["utter_explain_ipt"]),
    ],
)
async def test_the_practical_question_in_the_words_is_answered(
    tracker_factory, dispatcher, domain, intent, text, answers
):
    tracker = tracker_factory(slots={"intake_stage": "ipt_offered"}, intent=intent, text=text)
    await ActionAnswerQuestion().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == answers + ["utter_ask_questions_or_start"]


def test_the_privacy_answer_names_the_limits_of_confidentiality(domain):
    text = domain["responses"]["utter_privacy"][0]["text"]
    assert "confidential" in text and "serious risk" in text and "court" in text and "child" in text


# --- without consent: no promise of what would be kept, no paragraph said twice ---------------


async def test_without_consent_the_offer_is_said_once_then_what_they_tell_is_heard(tracker_factory, dispatcher, domain):
    first = tracker_factory(
        slots={"intake_stage": "no_consent", "consent_given": False, "intake_asked": ["consent"]},
        entities=[entity("concern", "stress")],
        text="it's been a stressful few months since the move",
    )
    events = await ActionContinueIntake().run(dispatcher, first, domain)
    assert responses(dispatcher) == ["utter_reflect_concerns", "utter_no_record_offer_help"]
    assert SlotSet("intake_asked", ["consent", "no_record_help"]) in events
    again = tracker_factory(
        slots={
            "intake_stage": "no_consent",
            "consent_given": False,
            "intake_asked": ["consent", "no_record_help"],
            "reflected_concerns": ["stress"],
        },
        intent="report_coping",
        entities=[entity("coping_strategy", "exercise")],
        text="swimming helps a bit",
    )
    second = CollectingDispatcher()
    events = await ActionContinueIntake().run(second, again, domain)
    assert responses(second) == ["utter_acknowledge_coping", "utter_anything_else"]
    assert events == [SlotSet("intake_stage", "no_consent")]


@pytest.mark.parametrize("response", ["utter_privacy", "utter_answer_next_steps"])
def test_without_consent_the_answers_promise_nothing_kept(monkeypatch, response):
    from rasa.shared.core.domain import Domain

    from intake_dialogue.response_generator import PracticeResponseGenerator
    from tests.conftest import ROOT

    generator = PracticeResponseGenerator(domain=Domain.load(str(ROOT / "domain")))
    for _ in range(10):  # Rasa picks among matching variations: always the one without a record
        declined = generator.generate_from_slots(response, {"consent_given": False}, "rest")["text"]
        assert "not keeping a record" in declined or "nothing from this conversation is kept" in declined
    given = generator.generate_from_slots(response, {"consent_given": True}, "rest")["text"]
    assert "not keeping a record" not in given and "nothing from this conversation is kept" not in given


# --- a yes or no put as a question is a question -------------------------------------------


@pytest.mark.parametrize(
    "stage, intent, text, said",
    [
        ("ipt_suggested", "affirm", "ok ok, so how does that work then", ["utter_explain_ipt"]),
        ("ipt_offered", "affirm", "ok so is it every week", ["utter_ipt_frequency"]),
        ("ipt_offered", "deny", "no, how much would it cost me", ["utter_cost"]),
    ],
)
async def test_a_yes_or_no_put_as_a_question_is_answered_not_taken(
    tracker_factory, dispatcher, domain, stage, intent, text, said
):
    tracker = tracker_factory(slots={"intake_stage": stage}, intent=intent, text=text)
    events = await ActionContinueIntake().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == said + ["utter_ask_questions_or_start"]
    assert events == [SlotSet("intake_stage", "ipt_offered")]  # neither started nor declined


@pytest.mark.parametrize("text", ["ok do it", "yes please", "will do", "sure, sounds good"])
async def test_a_plain_yes_at_the_offer_still_starts_scheduling(tracker_factory, dispatcher, domain, text):
    tracker = tracker_factory(slots={"intake_stage": "ipt_offered"}, intent="affirm", text=text)
    events = await ActionContinueIntake().run(dispatcher, tracker, domain)
    assert SlotSet("therapy_accepted", True) in events


async def test_after_declining_a_question_is_answered_without_pressing_the_intake(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(
        slots={
            "intake_stage": "listening",
            "intake_asked": ["consent", "presenting", "more", "coping"],
            "therapy_accepted": False,
        },
        intent="ask_duration",
        text="how long would it be, just out of interest?",
    )
    events = await ActionAnswerQuestion().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_ipt_duration"]  # not "have you tried anything?" again
    assert events == []


# --- a change after booking: said in order, with "instead of" read as a change -----------------


class _FailingStore:
    def save(self, record, **kwargs):
        from intake_stores.intake_records import IntakeStoreError

        raise IntakeStoreError("database error (OperationalError)")


@pytest.mark.parametrize("fails", [False, True])
async def test_a_change_after_booking_is_confirmed_before_the_pending_question(
    tmp_path, tracker_factory, dispatcher, domain, fails
):
    from intake_stores.intake_records import IntakeStore

    store = _FailingStore() if fails else IntakeStore(f"sqlite:///{tmp_path}/intake.db")
    tracker = tracker_factory(
        slots={
            "intake_stage": "screening_offered",
            "intake_id": "stored",
            "consent_given": True,
            "preferred_days": ["friday"],
            "preferred_time": "morning",
            "session_format": "video",
        },
        intent="change_answer",
        text="could it be wednesday instead of friday?",
    )
    events = await ActionContinueIntake(store).run(dispatcher, tracker, domain)
    assert SlotSet("preferred_days", ["wednesday"]) in events
    middle = "utter_intake_store_failed" if fails else "utter_changed_record"
    assert responses(dispatcher) == ["utter_changed_schedule", middle, "utter_offer_screening"]


# --- "no" to the record is not "no" to therapy ----------------------------------------------------


async def test_declining_at_the_consent_question_declines_the_record_not_therapy(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(
        slots={"intake_stage": "listening", "intake_asked": ["consent"]},
        intent="decline_therapy",
        text="no thank you, I'm not comfortable with that",
    )
    events = await ActionContinueIntake().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_consent_declined"]
    assert events == [SlotSet("consent_given", False), SlotSet("intake_stage", "no_consent")]


@pytest.mark.parametrize("stage, then", [("ipt_offered", "declined"), ("no_consent", "no_consent")])
async def test_declining_therapy_is_recorded_by_the_intake(tracker_factory, dispatcher, domain, stage, then):
    tracker = tracker_factory(
        slots={"intake_stage": stage, "intake_asked": ["consent", "presenting"]},
        intent="decline_therapy",
        text="I don't think therapy is for me right now",
    )
    events = await ActionContinueIntake().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_respect_decision"]
    assert events == [SlotSet("therapy_accepted", False), SlotSet("intake_stage", then)]


def test_declining_therapy_is_not_set_by_the_intent_alone(domain):
    """The intake sets it, knowing the question: a slot mapping would set it on any decline."""
    mappings = domain["slots"]["therapy_accepted"]["mappings"]
    assert not [m for m in mappings if m.get("intent") == "decline_therapy"]


# --- flexible answers, and a yes that says what it agrees to ------------------------------------


@pytest.mark.parametrize(
    "requested, text, response, note",
    [
        ("preferred_time", "honestly whenever", "utter_reask_preferred_time_flexible", "flexible: time"),
        ("preferred_time", "whenever", "utter_reask_preferred_time_flexible", "flexible: time"),
        ("session_format", "I don't mind, either", "utter_reask_session_format_flexible", "flexible: format"),
    ],
)
async def test_any_time_is_fine_is_noted_and_asked_as_a_choice(
    tracker_factory, dispatcher, domain, requested, text, response, note
):
    days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]  # "whenever" before
    tracker = answered(tracker_factory, requested, text, {"answer_attempts": 0.0, "preferred_days": days})
    events = await ActionValidateSlotMappings().run(dispatcher, tracker, domain)
    assert events == [SlotSet(requested, None), SlotSet("answer_attempts", 1.0), SlotSet("schedule_note", note)]
    assert responses(dispatcher) == [response]
    assert "sorry" not in domain["responses"][response][0]["text"].lower()


async def test_a_yes_to_starting_at_the_ipt_question_starts(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(slots={"intake_stage": "ipt_suggested"}, intent="affirm", text="yeah, let's do it")
    events = await ActionContinueIntake().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_glad_to_start"]
    assert events == [SlotSet("therapy_accepted", True), SlotSet("intake_stage", "start_scheduling")]


async def test_a_yes_about_their_job_is_not_having_heard_of_ipt(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(slots={"intake_stage": "ipt_suggested"}, intent="affirm", text="yeah my job is ok")
    events = await ActionContinueIntake().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_acknowledge_answer", "utter_ask_questions_or_start"]
    assert events == [SlotSet("intake_stage", "ipt_offered")]
