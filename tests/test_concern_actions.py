"""Corrections, harm disclosed as coping, and what was tried: the actions' exact events and
responses on tracker fixtures (the style of tests/test_intake_actions.py)."""

from rasa_sdk.events import SlotSet

from actions.intake_flow import ActionContinueIntake
from actions.slot_mappings import ActionValidateSlotMappings
from intake.summary import render_summary
from intake_stores.intake_records import IntakeRecord
from tests.conftest import entity, responses


def turns(*reflections):
    """Events of a conversation where the bot reflected these concern lists, one per
    reply, and the person has just written again."""
    events = []
    for reflected in reflections:
        events += [
            {"event": "user", "text": "earlier"},
            {"event": "slot", "name": "reflected_concerns", "value": reflected},
        ]
    return events + [{"event": "user", "text": "now"}]


LISTENING = {
    "intake_stage": "listening",
    "consent_given": True,
    "intake_asked": ["consent", "more"],
    "presenting_problem": "x",
}


# --- slot mappings: what is taken back leaves the concerns ------------------------


async def test_a_denied_concern_is_removed_and_ipt_focus_follows(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(
        slots={**LISTENING, "concerns": ["work", "life_change"], "ipt_focus": "role_transition"},
        entities=[entity("denied_concern", "life_change"), entity("concern", "conflict")],
        text="the move isn't the problem, my sister and I keep fighting",
    )
    events = await ActionValidateSlotMappings().run(dispatcher, tracker, domain)
    assert events == [SlotSet("concerns", ["work", "conflict"]), SlotSet("ipt_focus", "role_dispute")]


async def test_thats_not_it_takes_back_what_was_just_reflected(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(
        slots={
            **LISTENING,
            "concerns": ["sleep", "isolation"],
            "ipt_focus": "interpersonal_deficits",
            "reflected_concerns": ["sleep", "isolation"],
        },
        entities=[entity("correction", "previous")],
        events=turns(["sleep"], ["sleep", "isolation"]),
        text="no that's not it",
    )
    events = await ActionValidateSlotMappings().run(dispatcher, tracker, domain)
    # Only the last reflection ("isolation") is corrected; sleep was agreed earlier.
    assert events == [SlotSet("concerns", ["sleep"]), SlotSet("ipt_focus", None)]


async def test_thats_not_it_takes_back_the_situation_and_keeps_the_feeling(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(
        slots={**LISTENING, "concerns": ["work", "stress"], "reflected_concerns": ["work", "stress"]},
        entities=[entity("correction", "previous"), entity("concern", "conflict")],
        events=turns(["work", "stress"]),
        text="that's not it, it's my brother, we keep arguing",
    )
    events = await ActionValidateSlotMappings().run(dispatcher, tracker, domain)
    assert events == [SlotSet("concerns", ["stress", "conflict"]), SlotSet("ipt_focus", "role_dispute")]


async def test_a_correction_with_nothing_reflected_changes_nothing(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(
        slots={**LISTENING, "concerns": ["stress"], "reflected_concerns": ["stress"]},
        entities=[entity("correction", "previous")],
        events=turns(["stress"], ["stress"]),
    )
    assert await ActionValidateSlotMappings().run(dispatcher, tracker, domain) == []


async def test_mentioned_again_in_the_same_message_is_kept(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(
        slots={**LISTENING, "concerns": ["work"]},
        entities=[entity("denied_concern", "work"), entity("concern", "work")],
    )
    assert await ActionValidateSlotMappings().run(dispatcher, tracker, domain) == []


# --- the reflection follows the correction ----------------------------------------


async def test_the_correction_is_acknowledged_and_the_new_concern_reflected(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(
        slots={**LISTENING, "concerns": ["conflict"], "reflected_concerns": ["work"]},
        entities=[entity("denied_concern", "work"), entity("concern", "conflict")],
        events=turns(["work"]),
        text="it's not work, it's my brother, we argue constantly",
    )
    events = await ActionContinueIntake().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_correction_noted", "utter_reflect_concerns", "utter_ask_coping"]
    assert dispatcher.messages[0]["corrected"] == "pressure at work"
    assert events == [
        SlotSet("reflected_concerns", ["conflict"]),
        SlotSet("intake_asked", ["consent", "more", "coping"]),
        SlotSet("intake_stage", "listening"),
    ]


async def test_a_bare_correction_asks_what_it_is_instead(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(
        slots={**LISTENING, "concerns": [], "reflected_concerns": ["work"]},
        entities=[entity("correction", "previous")],
        events=turns(["work"]),
        text="that's not it",
    )
    events = await ActionContinueIntake().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_correction_noted", "utter_ask_more_after_correction"]
    assert SlotSet("reflected_concerns", []) in events


async def test_a_correction_while_considering_ipt_explains_the_new_focus(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(
        slots={"intake_stage": "ipt_offered", "concerns": ["conflict"], "reflected_concerns": ["grief", "conflict"]},
        entities=[entity("denied_concern", "grief")],
        events=turns(["grief", "conflict"]),
        text="nobody died, it's the rows with my dad",
    )
    await ActionContinueIntake().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == [
        "utter_correction_noted",
        "utter_ipt_connects_focus",
        "utter_ask_questions_or_start",
    ]
    assert "role dispute" in dispatcher.messages[1]["focus_explanation"]


# --- coping heard right ------------------------------------------------------------

COPING_ASKED = {
    **LISTENING,
    "intake_asked": ["consent", "more", "coping"],
    "concerns": ["low_mood"],
    "reflected_concerns": ["low_mood"],
}


async def test_drinking_as_coping_is_noted_not_praised(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(
        slots={**COPING_ASKED, "concerns": ["low_mood", "substance_use"]},
        intent="report_coping",
        entities=[entity("concern", "substance_use")],
        text="a few drinks every night, that's how I get by",
    )
    await ActionContinueIntake().run(dispatcher, tracker, domain)
    said = responses(dispatcher)
    assert "utter_acknowledge_harm" in said
    assert "utter_acknowledge_coping" not in said and "utter_acknowledge_no_coping" not in said


async def test_safe_coping_beside_harm_is_still_acknowledged(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(
        slots={**COPING_ASKED, "concerns": ["low_mood", "substance_use"], "coping_strategies": ["exercise"]},
        intent="report_coping",
        entities=[entity("concern", "substance_use"), entity("coping_strategy", "exercise")],
    )
    await ActionContinueIntake().run(dispatcher, tracker, domain)
    assert responses(dispatcher)[:3] == ["utter_reflect_more", "utter_acknowledge_harm", "utter_acknowledge_coping"]
    assert dispatcher.messages[2]["coping"] == "exercise"


async def test_a_list_of_unnamed_things_is_not_called_nothing(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(
        slots=COPING_ASKED, intent="report_coping", text="hot baths and the odd bit of baking with my niece"
    )
    await ActionContinueIntake().run(dispatcher, tracker, domain)
    assert "utter_acknowledge_what_tried" in responses(dispatcher)
    assert "utter_acknowledge_no_coping" not in responses(dispatcher)


async def test_an_answer_read_as_a_disclosure_is_still_heard_as_what_they_tried(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(slots=COPING_ASKED, intent="share_concern", text="I've buried myself in my allotment")
    await ActionContinueIntake().run(dispatcher, tracker, domain)
    assert responses(dispatcher)[0] == "utter_acknowledge_what_tried"


async def test_a_plain_no_gets_the_reassurance(tracker_factory, dispatcher, domain):
    tracker = tracker_factory(slots=COPING_ASKED, intent="deny", text="no, nothing")
    await ActionContinueIntake().run(dispatcher, tracker, domain)
    assert responses(dispatcher)[0] == "utter_acknowledge_no_coping"


# --- the record and the summary ----------------------------------------------------


def test_the_summary_flags_substance_use_and_self_harm_for_the_clinician():
    flagged = render_summary(IntakeRecord("c1", concerns=["low_mood", "substance_use", "self_harm"]))
    assert "Flag for the clinician:** substance use disclosed" in flagged
    assert "self-harm disclosed" in flagged
    assert "Flag for the clinician" not in render_summary(IntakeRecord("c2", concerns=["low_mood"]))


def test_the_summary_names_the_language_they_wrote_in():
    assert "wrote in `es`" in render_summary(IntakeRecord("c3", language="es"))
    assert "Language" not in render_summary(IntakeRecord("c4"))


# --- another language: the Rasa-side response in it ---------------------------------


def _other_language_reply(monkeypatch, slots):
    from rasa.shared.core.domain import Domain

    from intake_dialogue.response_generator import PracticeResponseGenerator
    from tests.conftest import ROOT

    monkeypatch.setenv("INTAKE_CRISIS_PROFILE", "us")
    generator = PracticeResponseGenerator(domain=Domain.load(str(ROOT / "domain")))
    return generator.generate_from_slots("utter_other_language", slots, "rest")["text"]


def test_spanish_is_answered_in_spanish_with_the_clinician_offered(monkeypatch):
    # Rasa picks at random among the variations whose conditions match: always this one.
    for _ in range(20):
        text = _other_language_reply(monkeypatch, {"language": "es", "clinician_language": "yes"})
        assert "solo puedo conversar en inglés" in text and "terapeutas que hablan español" in text
        assert "911" in text


def test_spanish_without_a_spanish_speaking_clinician_promises_none(monkeypatch):
    text = _other_language_reply(monkeypatch, {"language": "es", "clinician_language": "no"})
    assert "no hay terapeutas que hablen español" in text


def test_a_language_without_words_of_its_own_gets_plain_english(monkeypatch):
    text = _other_language_reply(monkeypatch, {"language": "de", "clinician_language": "no"})
    assert "only talk in English" in text


def test_the_practice_lists_the_languages_its_clinicians_speak(tmp_path, monkeypatch):
    from intake_nlu.language_detector import clinician_languages

    config = tmp_path / "practice.yml"
    config.write_text("practice_name: x\nclinician_languages: [ES, pl]\n")
    monkeypatch.setenv("INTAKE_PRACTICE_CONFIG", str(config))
    assert clinician_languages() == ["es", "pl"]


async def test_the_language_and_the_flagged_concerns_are_stored(tmp_path, tracker_factory, dispatcher, domain):
    from actions.intake_storage import ActionSubmitIntake
    from intake_stores.intake_records import IntakeStore

    store = IntakeStore(f"sqlite:///{tmp_path}/intake.db")
    tracker = tracker_factory(
        slots={"concerns": ["isolation", "substance_use"], "language": "es", "consent_given": True},
        intent="affirm",
        sender_id="conv-es",
    )
    await ActionSubmitIntake(store).run(dispatcher, tracker, domain)
    stored = store.get("conv-es")
    assert stored.language == "es" and stored.concerns == ["isolation", "substance_use"]
    assert "Flag for the clinician" in render_summary(stored)
