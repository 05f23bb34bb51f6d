"""Spelling tricks folded before the safety rules; the safety slot types fold each value
into the last (the highest tier, accumulated categories, the safety state)."""

import pytest
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from intake_dialogue.safety_slots import RiskCategoriesSlot, RiskLevelSlot, SafetyStateSlot
from intake_nlu.text_folding import fold, sentences


def test_confusables_full_width_leetspeak_and_slang_are_folded():
    assert fold("kіll myself") == "kill myself"  # a Cyrillic i
    assert fold("ｉ ｗａｎｔ ｔｏ ｄｉｅ") == "i want to die"
    assert fold("k1ll my5elf") == "kill myself"
    assert fold("su1cide") == "suicide" and fold("sewerslide") == "suicide"
    assert fold("gonna off myself") == "going to kill myself"
    assert fold("i want to kms") == "i want to kill myself"


def test_folding_leaves_numbers_and_ordinary_words_alone():
    assert fold("call me at 555-1234 after 5") == "call me at 555-1234 after 5"
    assert fold("Begin at 10") == "begin at 10"


def test_a_long_run_on_sentence_is_read_clause_by_clause():
    parts = sentences(
        "work is a mess, my dad died in may, my flat is damp, my car broke down, "
        "my boss shouts, I have a knife under my pillow for when I decide"
    )
    assert "i have a knife under my pillow for when i decide" in [p.lower() for p in parts]


def tracker_with(*events):
    slots = [
        RiskLevelSlot("risk_level", [], values=["check", "crisis", "imminent"]),
        RiskCategoriesSlot("risk_categories", []),
        SafetyStateSlot("safety_state", [], values=["asked", "active", "resolved"]),
    ]
    return DialogueStateTracker.from_events("t", [UserUttered("x")] + list(events), slots=slots)


def test_the_risk_level_is_the_highest_tier_reached():
    tracker = tracker_with(SlotSet("risk_level", "imminent"), SlotSet("risk_level", "check"))
    assert tracker.get_slot("risk_level") == "imminent"


def test_yes_to_a_waiting_check_raises_the_tier_and_a_later_yes_does_not():
    tracker = tracker_with(SlotSet("risk_level", "check"), SlotSet("risk_level", "answer_yes"))
    assert tracker.get_slot("risk_level") == "crisis"
    answered_no = tracker_with(
        SlotSet("risk_level", "check"), SlotSet("risk_level", "answer_no"), SlotSet("risk_level", "answer_yes")
    )
    assert answered_no.get_slot("risk_level") == "check"
    assert tracker_with(SlotSet("risk_level", "answer_yes")).get_slot("risk_level") is None


def test_categories_accumulate_without_duplicates():
    tracker = tracker_with(SlotSet("risk_categories", ["suicide"]), SlotSet("risk_categories", ["abuse", "suicide"]))
    assert tracker.get_slot("risk_categories") == ["suicide", "abuse"]


def test_the_safety_state_holds_until_the_person_is_safe():
    active = tracker_with(
        SlotSet("safety_state", "active"), SlotSet("safety_state", "asked"), SlotSet("safety_state", "answer_no")
    )
    assert active.get_slot("safety_state") == "active"
    safe = tracker_with(SlotSet("safety_state", "active"), SlotSet("safety_state", "answer_yes"))
    assert safe.get_slot("safety_state") == "resolved"
    checked = tracker_with(SlotSet("safety_state", "asked"), SlotSet("safety_state", "answer_yes"))
    assert checked.get_slot("safety_state") == "active"


@pytest.mark.patched  # intake_rasa_patches/safety_slot_types.py builds the folding slots
def test_the_domain_keeps_contract_types_and_rasa_builds_the_folding_slots():
    from rasa.shared.core.domain import Domain

    from intake_rasa_patches import installed
    from tests.conftest import ROOT

    assert installed()  # tests/conftest.py installs the project's runtime changes
    domain = Domain.load(str(ROOT / "domain"))
    slots = {slot.name: slot for slot in domain.slots}
    assert isinstance(slots["risk_level"], RiskLevelSlot)
    assert isinstance(slots["risk_categories"], RiskCategoriesSlot)
    assert isinstance(slots["safety_state"], SafetyStateSlot)
    assert domain.as_dict()["slots"]["risk_level"]["type"] == "categorical"
    assert domain.as_dict()["slots"]["risk_categories"]["type"] == "list"
