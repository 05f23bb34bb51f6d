"""Another language everywhere (a greeting alone, inside the forms, the not-an-emergency
line, the staff export) and the scheduling note kept for the clinician (the slot, the
stored record, the summary, the export). Sentences written for these tests."""

import json

import pytest
from rasa_sdk.events import SlotSet

from actions.intake_flow import ActionContinueIntake
from actions.intake_storage import ActionSubmitIntake
from actions.slot_mappings import ActionValidateSlotMappings
from intake.__main__ import export_text
from intake.summary import render_summary
from intake_stores.intake_records import IntakeRecord, IntakeStore
from tests.conftest import responses


@pytest.fixture(scope="module")
def guess():
    from intake_nlu.language_detector import LanguageGuess

    return LanguageGuess()


# --- another language -------------------------------------------------------------


@pytest.mark.parametrize(
    "text, code",
    [
        ("hola", "es"),
        ("Holaaa!", "es"),
        ("¡Buenas!", "es"),
        ("buenos dias", "es"),
        ("Hola, buenas tardes", "es"),
        ("qué tal", "es"),
        ("gracias", "es"),
        ("necesito ayuda", "es"),
        ("Bonjour", "fr"),
        ("bonsoir madame", "fr"),
    ],
)
def test_a_greeting_or_a_few_words_alone_say_the_language(guess, text, code):
    assert guess.other_language(text) == code


@pytest.mark.parametrize(
    "text",
    [
        "hola, I need some help with my sleep",  # English with a hello in it
        "hello",
        "no se",
        "solo",
        "yes please",
        "María José Ortega Ruiz",  # a name at "what may I call you?"
        "Lucía Fernández Gil Romero",
    ],
)
def test_english_and_names_are_not_switched(guess, text):
    assert guess.other_language(text) is None


def test_a_sentence_in_spanish_inside_a_form_is_still_spanish(guess):
    # What someone answers to "which days?" in their own language.
    assert guess.other_language("los martes por la tarde si se puede") == "es"


def test_every_form_question_leaves_another_language_to_its_rule(domain):
    """Inside a form, a message in another language is not taken as the answer: the form
    lets it go to the rule that answers in that language, then asks again."""
    form_slots = []
    for name, slot in domain["slots"].items():
        for mapping in slot.get("mappings", []):
            if mapping.get("type") == "from_text" and mapping.get("conditions"):
                form_slots.append(name)
                assert "other_language" in mapping.get("not_intent", []), name
    assert {"preferred_days", "preferred_time", "session_format", "contact_name", "phq_9"} <= set(form_slots)


async def _first_reply(monkeypatch, response, slots):
    """The text a session's first reply goes out with (the notice is added Rasa-side)."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import SlotSet as SlotWasSet
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from intake_dialogue.response_generator import PracticeResponseGenerator
    from tests.conftest import ROOT

    monkeypatch.setenv("INTAKE_CRISIS_PROFILE", "us")
    domain = Domain.load(str(ROOT / "domain"))
    events = [UserUttered("hola")] + [SlotWasSet(name, value) for name, value in slots.items()]
    tracker = DialogueStateTracker.from_events("first-turn", events, slots=domain.slots)
    return (await PracticeResponseGenerator(domain=domain).generate(response, tracker, "rest"))["text"]


async def test_a_first_reply_in_spanish_carries_the_notice_in_spanish_only(monkeypatch):
    text = await _first_reply(monkeypatch, "utter_other_language", {"language": "es", "clinician_language": "yes"})
    assert text.startswith("Hola") and "No soy un servicio de emergencias" in text
    assert "not an emergency service" not in text
    english = await _first_reply(monkeypatch, "utter_ask_what_brings_you", {})
    assert english.startswith("Before we start: I'm not an emergency service")


def test_the_export_names_the_language_and_the_scheduling_note():
    record = IntakeRecord("conv-es", language="es", schedule_note="time also: afternoon")
    exported = json.loads(export_text([record], "json"))[0]
    assert exported["language"] == "es" and exported["schedule_note"] == "time also: afternoon"
    header, row = export_text([record], "csv").splitlines()[:2]
    assert header.endswith(",language,schedule_note") and row.endswith(",es,time also: afternoon")


# --- the scheduling note ------------------------------------------------------------


def answer_tracker(tracker_factory, requested, answer, slots=None):
    tracker = tracker_factory(
        slots={"requested_slot": requested, requested: answer, "presenting_problem": "x", **(slots or {})},
        intent="inform_schedule",
        text=answer,
    )
    tracker.events.append({"event": "slot", "name": requested, "value": answer})
    return tracker


async def test_a_ranked_answer_keeps_the_alternative_beside_the_note_so_far(tracker_factory, dispatcher, domain):
    tracker = answer_tracker(
        tracker_factory,
        "preferred_time",
        "late afternoons ideally, an early morning if I really have to",
        slots={"schedule_note": "format also: phone"},
    )
    events = await ActionValidateSlotMappings().run(dispatcher, tracker, domain)
    assert events == [
        SlotSet("preferred_time", "afternoon"),
        SlotSet("answer_attempts", 0.0),
        SlotSet("schedule_note", "format also: phone; time also: morning"),
    ]


async def test_the_same_question_answered_again_drops_its_stale_alternative(tracker_factory, dispatcher, domain):
    tracker = answer_tracker(
        tracker_factory, "preferred_time", "evenings", slots={"schedule_note": "time also: morning; format also: phone"}
    )
    events = await ActionValidateSlotMappings().run(dispatcher, tracker, domain)
    assert events == [
        SlotSet("preferred_time", "evening"),
        SlotSet("answer_attempts", 0.0),
        SlotSet("schedule_note", "format also: phone"),
    ]


async def test_the_note_is_stored_and_read_by_the_clinician(tmp_path, tracker_factory, dispatcher, domain):
    store = IntakeStore(f"sqlite:///{tmp_path}/intake.db")
    tracker = tracker_factory(
        slots={
            "consent_given": True,
            "preferred_days": ["monday"],
            "preferred_time": "evening",
            "session_format": "in_person",
            "schedule_note": "format also: video",
        },
        intent="affirm",
        sender_id="conv-note",
    )
    await ActionSubmitIntake(store).run(dispatcher, tracker, domain)
    stored = store.get("conv-note")
    assert stored.schedule_note == "format also: video"
    assert "Monday, evenings, in person (noted: format also: video)" in render_summary(stored)


async def test_a_change_after_booking_updates_the_note_in_the_stored_record(
    tmp_path, tracker_factory, dispatcher, domain
):
    store = IntakeStore(f"sqlite:///{tmp_path}/intake.db")
    store.save(IntakeRecord("conv-change", preferred_time="morning", schedule_note="time also: evening"))
    tracker = tracker_factory(
        slots={
            "intake_stage": "done",
            "intake_id": "stored",
            "consent_given": True,
            "preferred_days": ["friday"],
            "preferred_time": "morning",
            "session_format": "phone",
            "schedule_note": "time also: evening",
        },
        intent="change_answer",
        text="could we switch to afternoons? mornings would do if not",
        sender_id="conv-change",
    )
    events = await ActionContinueIntake(store).run(dispatcher, tracker, domain)
    assert events == [
        SlotSet("preferred_time", "afternoon"),
        SlotSet("schedule_note", "time also: morning"),
        SlotSet("intake_stage", "done"),
    ]
    assert responses(dispatcher)[:2] == ["utter_changed_schedule", "utter_changed_record"]
    stored = store.get("conv-change")
    assert stored.preferred_time == "afternoon" and stored.schedule_note == "time also: morning"


async def test_starting_the_schedule_over_clears_the_note(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(
        slots={
            "intake_stage": "confirming",
            "preferred_days": ["friday"],
            "preferred_time": "morning",
            "session_format": "phone",
            "schedule_note": "time also: evening",
        },
        intent="deny",
        text="no",
    )
    events = await ActionContinueIntake().run(dispatcher, tracker, domain)
    assert SlotSet("schedule_note", None) in events and SlotSet("preferred_time", None) in events
    assert responses(dispatcher) == ["utter_lets_fix_schedule"]


def test_asking_in_spanish_whether_spanish_is_spoken_is_answered_in_spanish(parse):
    result = parse("¿hablas español?")
    assert result["intent"]["name"] in ("ask_language", "other_language")
    assert [e["value"] for e in result["entities"] if e["entity"] == "language"] == ["es"]
    from rasa.shared.core.domain import Domain

    from intake_dialogue.response_generator import PracticeResponseGenerator
    from tests.conftest import ROOT

    generator = PracticeResponseGenerator(domain=Domain.load(str(ROOT / "domain")))
    for _ in range(10):
        slots = {"language": "es", "clinician_language": "yes"}
        text = generator.generate_from_slots("utter_answer_language", slots, "rest")["text"]
        assert text.startswith("Por ahora solo puedo conversar en inglés")
    assert generator.generate_from_slots("utter_answer_language", {}, "rest")["text"].startswith("I can only chat")
