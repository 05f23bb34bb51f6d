"""The safety slot events the dialogue policy adds to its predictions, Rasa-side.

A slot mapping reads only the message, and Rasa refuses mappings conditioned on a form
for slots outside the form; two facts need the dialogue around the message:
- Every crisis response stands for a tier. Whatever rule leads to it (a yes typed or
  clicked, an unclear answer taken as yes, PHQ-9 item 9), the tier, the flag and the
  safety state follow it, so that what the person was told and the slots that make the
  record urgent (and write the safety record) never disagree.
- A positive answer to PHQ-9 item 9 ("thoughts that you would be better off dead, or of
  hurting yourself", read as the questionnaire reads it: intake/screening.py) is a
  crisis when it is said, before any custom action scores the questionnaire.
intake_dialogue/recent_history_rule_policy.py adds these as optional events of its
prediction, which Rasa applies when the prediction is taken: no custom action is on
the path. The folding slot types (safety_slots.py) keep the highest tier reached.
"""

from typing import List, Optional, Text

from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from intake.screening import SELF_HARM_ITEM, normalize_answer

# The tier each crisis response stands for: the least the slots must say once it is given.
RESPONSE_TIER = {
    "utter_crisis": "crisis",
    "utter_crisis_abuse": "crisis",
    "utter_crisis_third_party": "crisis",
    "utter_crisis_urgent": "crisis",
    "utter_crisis_imminent": "imminent",
}
QUESTIONNAIRE = "screening_form"
ITEM_NINE_CATEGORY = "suicide"


def tier_events(tier: Text) -> List[Event]:
    return [SlotSet("risk_level", tier), SlotSet("risk_flag", True), SlotSet("safety_state", "active")]


def events_for_response(action_name: Optional[Text]) -> List[Event]:
    """The slot events that go with a crisis response (none for any other action)."""
    tier = RESPONSE_TIER.get(action_name or "")
    return tier_events(tier) if tier else []


def answered_item_nine_positive(tracker: DialogueStateTracker) -> bool:
    """Whether the person has just answered PHQ-9 item 9 with "several days" or more: the
    questionnaire asks it, and nothing has run since the message but the slot extraction."""
    if tracker.active_loop_name != QUESTIONNAIRE or tracker.get_slot("requested_slot") != SELF_HARM_ITEM:
        return False
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            answer = normalize_answer(event.text or "")
            return answer is not None and answer > 0
        if isinstance(event, ActionExecuted) and event.action_name not in (ACTION_LISTEN_NAME, "action_extract_slots"):
            return False  # already answered by an action: not the first prediction after it
    return False


def events_for_turn(tracker: DialogueStateTracker, action_name: Optional[Text]) -> List[Event]:
    """The slot events to apply with the prediction of `action_name` on `tracker`."""
    events = events_for_response(action_name)
    if answered_item_nine_positive(tracker):
        events = tier_events("crisis") + [SlotSet("risk_categories", [ITEM_NINE_CATEGORY])]
    return events
