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
    assert fold("at 3am, 20mg, on the 2nd") == "at 3am, 20mg, on the 2nd"  # times and units, not leetspeak


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


def test_a_crisis_response_carries_the_slots_of_its_tier_and_other_actions_nothing():
    """Whatever rule led to it (a yes typed or clicked, an unclear answer taken as yes, item
    9), the response given and the slots that flag the record agree."""
    from intake_dialogue.safety_events import events_for_response

    tracker = tracker_with(SlotSet("risk_level", "check"), SlotSet("safety_state", "asked"))
    for event in events_for_response("utter_crisis"):
        tracker.update(event)
    assert (tracker.get_slot("risk_level"), tracker.get_slot("safety_state")) == ("crisis", "active")
    assert SlotSet("risk_flag", True) in events_for_response("utter_crisis_abuse")
    assert SlotSet("risk_level", "imminent") in events_for_response("utter_crisis_imminent")
    assert events_for_response("utter_safety_check") == [] and events_for_response("utter_greet") == []


def questionnaire_answer(text, requested="phq_9", then=()):
    from rasa.shared.core.events import ActionExecuted, ActiveLoop

    events = [ActiveLoop("screening_form"), SlotSet("requested_slot", requested)]
    events += [ActionExecuted("action_listen"), UserUttered(text)] + list(then)
    return DialogueStateTracker.from_events("t", events)


def test_a_positive_answer_to_phq9_item_9_is_a_crisis_when_it_is_said():
    """Read as the questionnaire reads it, before any custom action scores it; "not at all",
    another item, or a later prediction in the same turn add nothing."""
    from rasa.shared.core.events import ActionExecuted

    from intake_dialogue.safety_events import events_for_turn

    events = events_for_turn(questionnaire_answer("more than half the days"), "screening_form")
    assert SlotSet("risk_level", "crisis") in events and SlotSet("safety_state", "active") in events
    assert SlotSet("risk_flag", True) in events and SlotSet("risk_categories", ["suicide"]) in events
    assert events_for_turn(questionnaire_answer("Not at all"), "screening_form") == []
    assert events_for_turn(questionnaire_answer("nearly every day", requested="phq_8"), "screening_form") == []
    after_the_form = questionnaire_answer("several days", then=[ActionExecuted("screening_form")])
    assert events_for_turn(after_the_form, "action_score_screening") == []


def test_the_policy_adds_the_safety_events_to_its_prediction(monkeypatch):
    from rasa.core.policies.policy import PolicyPrediction
    from rasa.shared.core.domain import Domain

    from intake_dialogue.recent_history_rule_policy import RecentHistoryRulePolicy, RulePolicy

    domain = Domain.from_yaml("version: '3.1'\nresponses:\n  utter_crisis:\n  - text: x\n  utter_greet:\n  - text: y\n")
    policy = object.__new__(RecentHistoryRulePolicy)  # what is tested needs no trained state

    def predicted(name):
        probabilities = [1.0 if n == name else 0.0 for n in domain.action_names_or_texts]
        prediction = PolicyPrediction(probabilities, "RulePolicy")
        monkeypatch.setattr(RulePolicy, "predict_action_probabilities", lambda *args, **kwargs: prediction)
        return policy.predict_action_probabilities(tracker_with(), domain)

    assert SlotSet("safety_state", "active") in predicted("utter_crisis").optional_events
    assert predicted("utter_greet").optional_events == []


def test_every_intent_of_the_domain_is_held_in_the_safety_state():
    """tools/safety_rules.py reads the domain's intents; rerun it when an intent is added."""
    import yaml

    from tests.conftest import ROOT

    intents = set()
    for path in (ROOT / "domain").glob("*.yml"):
        intents |= {
            i if isinstance(i, str) else next(iter(i)) for i in yaml.safe_load(path.read_text()).get("intents") or []
        }
    rules = yaml.safe_load((ROOT / "data" / "rules" / "safety.yml").read_text())["rules"]
    [hold] = [r for r in rules if r["rule"] == "while safety is active, every reply stays with safety"]
    held = {step["intent"] for step in hold["steps"][0]["or"]}
    handled_otherwise = {"affirm", "deny", "crisis", "say_safe", "refuse_to_talk", "request_human"}
    assert intents - handled_otherwise <= held
