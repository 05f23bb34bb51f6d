"""PHQ-9 / GAD-7 (issue #7): the answer normalizer, scoring and bands at every boundary,
the short path, item 9, and the results in the stored record and the clinician summary."""

import pytest
from rasa_sdk.events import SlotSet

from actions.intake_flow import ActionContinueIntake
from actions.screening import ActionScoreScreening
from actions.slot_mappings import ActionValidateSlotMappings
from intake.screening import (
    ASKING_ORDER,
    GAD7_BANDS,
    GAD_SLOTS,
    NOT_ASKED,
    PHQ9_BANDS,
    PHQ_SLOTS,
    band,
    normalize_answer,
    score_answers,
)
from intake.summary import render_summary
from intake_stores.intake_records import IntakeRecord, IntakeStore
from tests.conftest import responses

# --- the answer normalizer -----------------------------------------------------


@pytest.mark.parametrize(
    "text, score",
    [
        ("not at all", 0),
        ("Not at all.", 0),
        ("never", 0),
        ("no", 0),
        ("hardly ever", 0),
        ("0", 0),
        ("zero", 0),
        ("a few days", 1),
        ("several days", 1),
        ("Several Days", 1),
        ("sometimes", 1),
        ("once or twice", 1),
        ("not often", 1),
        ("not every day", 1),
        ("1", 1),
        ("one", 1),
        ("more than half", 2),
        ("more than half the days", 2),
        ("most days", 2),
        ("a lot", 2),
        ("often", 2),
        ("2", 2),
        ("2.", 2),
        ("two", 2),
        ("nearly every day", 3),
        ("almost every day", 3),
        ("every single day", 3),
        ("all the time", 3),
        ("most of the time", 3),
        ("daily", 3),
        ("3", 3),
        ("three", 3),
        ("I'd say more than half the days honestly", 2),
        ("probably several days", 1),
    ],
)
def test_typed_answers_map_to_the_standard_scale(text, score):
    assert normalize_answer(text) == score


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "banana",
        "I don't know",
        "4",
        "-1",
        "12",
        "what?",
        "🙂",
        "<b>x</b>",
        "'; DROP TABLE intake_records; --",
        "a" * 5000,
    ],
)
def test_nonsense_is_not_an_answer(text):
    assert normalize_answer(text) is None


# --- scoring and bands ----------------------------------------------------------


@pytest.mark.parametrize(
    "score, expected",
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately severe"),
        (19, "moderately severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_phq9_bands_at_every_boundary(score, expected):
    assert band(score, PHQ9_BANDS) == expected


@pytest.mark.parametrize(
    "score, expected",
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
)
def test_gad7_bands_at_every_boundary(score, expected):
    assert band(score, GAD7_BANDS) == expected


def test_a_score_above_the_scale_is_an_error():
    with pytest.raises(ValueError):
        band(28, PHQ9_BANDS)


def test_full_questionnaires_are_summed_and_banded():
    answers = {**{slot: 3 for slot in PHQ_SLOTS}, **{slot: 2 for slot in GAD_SLOTS}}
    assert score_answers(answers) == {
        "phq2_score": 6,
        "phq9_score": 27,
        "phq9_band": "severe",
        "gad2_score": 4,
        "gad7_score": 14,
        "gad7_band": "moderate",
    }


def test_the_short_path_scores_only_the_two_item_screens():
    answers = {
        "phq_1": 1,
        "phq_2": 1,
        "gad_1": 0,
        "gad_2": 2,
        **{slot: NOT_ASKED for slot in PHQ_SLOTS[2:] + GAD_SLOTS[2:]},
    }
    assert score_answers(answers) == {"phq2_score": 2, "gad2_score": 2}


def test_item_9_is_asked_last():
    assert ASKING_ORDER[-1] == "phq_9"
    assert sorted(ASKING_ORDER) == sorted(PHQ_SLOTS + GAD_SLOTS)


def test_every_item_is_asked_with_the_standard_stem_and_the_four_options(domain):
    for slot in ASKING_ORDER:
        (variant,) = domain["responses"][f"utter_ask_{slot}"]
        assert variant["text"].startswith("Over the last 2 weeks, how often have you been bothered by")
        assert [b["title"] for b in variant["buttons"]] == [
            "Not at all",
            "Several days",
            "More than half the days",
            "Nearly every day",
        ]
        assert [normalize_answer(b["payload"]) for b in variant["buttons"]] == [0, 1, 2, 3]
    assert list(domain["forms"]["screening_form"]["required_slots"]) == ASKING_ORDER


# --- validating answers inside the form ----------------------------------------


def item_tracker(tracker_factory, requested, text, answers=None, attempts=0.0, intent="answer_screening"):
    slots = {
        "requested_slot": requested,
        requested: text,
        "answer_attempts": attempts,
        "presenting_problem": "x",
        **(answers or {}),
    }
    tracker = tracker_factory(slots=slots, intent=intent, text=text)
    tracker.events.append({"event": "slot", "name": requested, "value": text})
    return tracker


async def test_a_typed_answer_is_stored_as_its_score(tracker_factory, dispatcher, domain):
    tracker = item_tracker(tracker_factory, "phq_1", "more than half the days")
    events = await ActionValidateSlotMappings().run(dispatcher, tracker, domain)
    assert events == [SlotSet("phq_1", 2), SlotSet("answer_attempts", 0.0)]
    assert dispatcher.messages == []


async def test_an_unusable_answer_gets_the_options_again(tracker_factory, dispatcher, domain):
    tracker = item_tracker(tracker_factory, "gad_3", "purple elephants")
    events = await ActionValidateSlotMappings().run(dispatcher, tracker, domain)
    assert events == [SlotSet("gad_3", None), SlotSet("answer_attempts", 1.0)]
    assert responses(dispatcher) == ["utter_reask_screening_answer"]
    assert domain["responses"]["utter_reask_screening_answer"][0]["buttons"]


async def test_repeated_unusable_answers_offer_to_skip(tracker_factory, dispatcher, domain):
    tracker = item_tracker(tracker_factory, "phq_4", "hmm", attempts=2.0)
    events = await ActionValidateSlotMappings().run(dispatcher, tracker, domain)
    assert events == [SlotSet("phq_4", None), SlotSet("answer_attempts", 3.0)]
    assert responses(dispatcher) == ["utter_offer_skip_screening"]


async def test_low_two_item_screens_leave_the_rest_out(tracker_factory, dispatcher, domain):
    tracker = item_tracker(tracker_factory, "gad_2", "several days", {"phq_1": 1, "phq_2": 1, "gad_1": 1})
    events = await ActionValidateSlotMappings().run(dispatcher, tracker, domain)
    assert events == [SlotSet("gad_2", 1), SlotSet("answer_attempts", 0.0)] + [
        SlotSet(slot, NOT_ASKED) for slot in GAD_SLOTS[2:] + PHQ_SLOTS[2:]
    ]


async def test_a_phq2_of_3_continues_with_the_phq9_only(tracker_factory, dispatcher, domain):
    tracker = item_tracker(tracker_factory, "gad_2", "not at all", {"phq_1": 2, "phq_2": 1, "gad_1": 2}, intent="deny")
    events = await ActionValidateSlotMappings().run(dispatcher, tracker, domain)
    assert events == [SlotSet("gad_2", 0), SlotSet("answer_attempts", 0.0)] + [
        SlotSet(slot, NOT_ASKED) for slot in GAD_SLOTS[2:]
    ]


async def test_high_two_item_screens_ask_everything(tracker_factory, dispatcher, domain):
    tracker = item_tracker(tracker_factory, "gad_2", "3", {"phq_1": 3, "phq_2": 0, "gad_1": 0})
    events = await ActionValidateSlotMappings().run(dispatcher, tracker, domain)
    assert events == [SlotSet("gad_2", 3), SlotSet("answer_attempts", 0.0)]


# --- the offer -------------------------------------------------------------------


@pytest.mark.parametrize(
    "intent, stage, response, status",
    [
        ("affirm", "screening", [], None),
        ("skip_questionnaire", "done", ["utter_screening_declined"], "declined"),
        ("deny", "done", ["utter_screening_declined"], "declined"),
    ],
)
async def test_the_offer_can_be_taken_or_declined(tracker_factory, dispatcher, domain, intent, stage, response, status):
    tracker = tracker_factory(slots={"intake_stage": "screening_offered"}, intent=intent)
    events = await ActionContinueIntake().run(dispatcher, tracker, domain)
    expected = ([SlotSet("screening_status", status)] if status else []) + [SlotSet("intake_stage", stage)]
    assert events == expected
    assert responses(dispatcher) == response


# --- action_score_screening ----------------------------------------------------


def full_answers(phq=2, gad=1, item9=0):
    answers = {**{slot: phq for slot in PHQ_SLOTS}, **{slot: gad for slot in GAD_SLOTS}}
    answers["phq_9"] = item9
    return answers


def stored_intake(tmp_path, conversation_id="conv-7"):
    store = IntakeStore(f"sqlite:///{tmp_path}/intake.db")
    intake_id = store.save(IntakeRecord(conversation_id=conversation_id, concerns=["low_mood"], therapy_accepted=True))
    return store, intake_id


async def test_complete_answers_are_scored_thanked_and_stored(tmp_path, tracker_factory, dispatcher, domain):
    store, intake_id = stored_intake(tmp_path)
    # Slot values come back from JSON as floats.
    answers = {slot: float(value) for slot, value in full_answers(phq=2, gad=1).items()}
    tracker = tracker_factory(
        slots={
            **answers,
            "consent_given": True,
            "intake_id": intake_id,
            "concerns": ["low_mood"],
            "therapy_accepted": True,
        },
        sender_id="conv-7",
    )
    events = await ActionScoreScreening(store).run(dispatcher, tracker, domain)
    assert events == [
        SlotSet("phq2_score", 4),
        SlotSet("gad2_score", 2),
        SlotSet("phq9_score", 16),
        SlotSet("phq9_band", "moderately severe"),
        SlotSet("gad7_score", 7),
        SlotSet("gad7_band", "mild"),
        SlotSet("screening_status", "complete"),
        SlotSet("intake_stage", "done"),
    ]
    assert responses(dispatcher) == ["utter_screening_thanks"]
    record = store.get("conv-7")
    assert (record.phq9_score, record.phq9_band, record.gad7_score, record.gad7_band) == (
        16,
        "moderately severe",
        7,
        "mild",
    )
    assert record.screening_answers["phq_3"] == 2 and not record.urgent
    summary = render_summary(record)
    assert "PHQ-9 16 (moderately severe), GAD-7 7 (mild)" in summary
    assert "not a diagnosis" in summary


async def test_item_9_above_not_at_all_flags_risk_and_hands_over_to_the_crisis_rule(
    tmp_path, tracker_factory, dispatcher, domain
):
    store, intake_id = stored_intake(tmp_path)
    tracker = tracker_factory(
        slots={
            **full_answers(phq=1, gad=0, item9=1),
            "consent_given": True,
            "intake_id": intake_id,
            "risk_flag": False,
        },
        sender_id="conv-7",
    )
    events = await ActionScoreScreening(store).run(dispatcher, tracker, domain)
    assert SlotSet("risk_flag", True) in events
    assert events[-1] == SlotSet("intake_stage", "screening_risk")
    assert dispatcher.messages == []  # the rule says utter_crisis, as for a crisis message
    record = store.get("conv-7")
    assert record.urgent and record.phq9_score == 9
    summary = render_summary(record)
    assert summary.splitlines()[2].startswith("**URGENT")
    assert "PHQ-9 item 9" in summary and "several days" in summary


async def test_a_skipped_questionnaire_keeps_what_was_answered(tmp_path, tracker_factory, dispatcher, domain):
    store, intake_id = stored_intake(tmp_path)
    tracker = tracker_factory(
        slots={"phq_1": 3, "phq_2": 2, "gad_1": 1, "consent_given": True, "intake_id": intake_id}, sender_id="conv-7"
    )
    events = await ActionScoreScreening(store).run(dispatcher, tracker, domain)
    assert SlotSet("screening_status", "skipped") in events and SlotSet("phq2_score", 5) in events
    assert SlotSet("gad2_score", None) in events
    assert responses(dispatcher) == ["utter_screening_skipped"]
    record = store.get("conv-7")
    assert record.phq2_score == 5 and record.phq9_score is None and record.screening_status == "skipped"
    assert "PHQ-2 5 (full form not completed); skipped part-way" in render_summary(record)


async def test_short_path_results_read_as_negative_screens(tmp_path, tracker_factory, dispatcher, domain):
    store, intake_id = stored_intake(tmp_path)
    answers = {
        "phq_1": 1,
        "phq_2": 0,
        "gad_1": 1,
        "gad_2": 1,
        **{slot: NOT_ASKED for slot in PHQ_SLOTS[2:] + GAD_SLOTS[2:]},
    }
    tracker = tracker_factory(slots={**answers, "consent_given": True, "intake_id": intake_id}, sender_id="conv-7")
    await ActionScoreScreening(store).run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_screening_thanks"]
    summary = render_summary(store.get("conv-7"))
    assert "PHQ-2 1 (below 3: full form not indicated), GAD-2 2 (below 3: full form not indicated)" in summary


async def test_without_consent_the_scores_are_not_stored(tmp_path, tracker_factory, dispatcher, domain):
    store = IntakeStore(f"sqlite:///{tmp_path}/intake.db")
    tracker = tracker_factory(slots={**full_answers(), "consent_given": False}, sender_id="conv-8")
    events = await ActionScoreScreening(store).run(dispatcher, tracker, domain)
    assert SlotSet("screening_status", "complete") in events
    assert store.get("conv-8") is None


async def test_a_failed_write_of_the_scores_is_told_honestly(tracker_factory, dispatcher, domain):
    broken = IntakeStore("postgresql://nobody@127.0.0.1:1/none")
    tracker = tracker_factory(slots={**full_answers(), "consent_given": True, "intake_id": "x"})
    await ActionScoreScreening(broken).run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_screening_store_failed", "utter_screening_thanks"]


def test_a_database_from_before_the_questionnaire_gains_its_columns(tmp_path):
    import sqlalchemy as sa

    url = f"sqlite:///{tmp_path}/old.db"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "CREATE TABLE intake_records (id VARCHAR(36) PRIMARY KEY, conversation_id VARCHAR(255) UNIQUE NOT NULL,"
                " created_at DATETIME NOT NULL, updated_at DATETIME NOT NULL, urgent BOOLEAN NOT NULL,"
                " risk_flag BOOLEAN NOT NULL, concerns TEXT NOT NULL, coping_strategies TEXT NOT NULL,"
                " ipt_focus VARCHAR(64), therapy_accepted BOOLEAN, preferred_days TEXT NOT NULL,"
                " preferred_time VARCHAR(32), session_format VARCHAR(32), presenting_problem TEXT)"
            )
        )
        connection.execute(
            sa.text(
                "INSERT INTO intake_records VALUES ('old-1', 'conv-old', '2026-01-01 00:00:00', '2026-01-01 00:00:00', 0, 0,"
                " '[\"stress\"]', '[]', NULL, 1, '[]', NULL, NULL, NULL)"
            )
        )
    store = IntakeStore(url)
    assert store.get("conv-old").concerns == ["stress"]
    store.save(IntakeRecord(conversation_id="conv-old", concerns=["stress"], phq9_score=12, phq9_band="moderate"))
    assert store.get("conv-old").phq9_score == 12
