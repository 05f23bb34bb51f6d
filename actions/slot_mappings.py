"""action_validate_slot_mappings: runs after every user message, inside Rasa's slot
extraction. It accumulates concerns and coping strategies, keeps ipt_focus in step
with the concerns, and validates the answers of every form.

Form answers are validated here rather than in a `validate_<form>` action so that
the form itself never calls the action server: a crisis message inside a form is
rejected by the form Rasa-side and reaches the crisis rule even when this server is
down (Rasa only logs a warning when this action is unreachable).

Rasa-side, this action is called only when it can change a slot: when the message
carries entities or a form is active (intake_rasa_patches/action_server_guard.py). Whatever it
reads beyond entities and form answers must be added to that condition.
"""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.contact_validation import CONTACT_VALIDATORS
from actions.said_so_far import accumulated, concerns_so_far, entity_values
from actions.scheduling_validation import SCHEDULING_VALIDATORS, misread_answer
from actions.screening import SCREENING_VALIDATORS
from actions.validation_base import validators_by_slot
from intake.ipt_wording import ipt_focus_for, merge_unique
from intake.vocabulary import FEELINGS

FORM_VALIDATORS = validators_by_slot(SCHEDULING_VALIDATORS + SCREENING_VALIDATORS + CONTACT_VALIDATORS)
PRESENTING_PROBLEM_MAX_CHARS = 500


def reflected_last_turn(tracker: Tracker) -> List[Text]:
    """The concerns the assistant reflected back in its reply to the previous message."""
    before_reply: List[Text] = []
    reflected: List[Text] = []
    users_seen = 0
    events = tracker.events or []
    latest_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=len(events))
    for index, event in enumerate(events[:latest_user]):
        if event.get("event") == "user":
            users_seen += 1
            before_reply = list(reflected)
        elif event.get("event") == "slot" and event.get("name") == "reflected_concerns":
            reflected = list(event.get("value") or [])
    if not users_seen:
        return []
    return [c for c in reflected if c not in before_reply]


def denied_concerns(tracker: Tracker) -> List[Text]:
    """What the person just took back: "it's not work" (a `denied_concern` entity), or
    "that's not it" (a `correction`) about what was just reflected back to them."""
    denied = entity_values(tracker, "denied_concern")
    if entity_values(tracker, "correction"):
        last = reflected_last_turn(tracker)
        # The situation they were wrong about, not how they feel, unless that is all.
        denied += [c for c in last if c not in FEELINGS] or last
    mentioned = entity_values(tracker, "concern")
    return [c for c in dict.fromkeys(denied) if c not in mentioned]


def intake_updates(tracker: Tracker) -> Dict[Text, Any]:
    """Slots that follow from what the person just said, whatever its intent, and from
    what they said while the action server was down (actions/said_so_far.py).

    A concern they take back is taken out, and ipt_focus follows."""
    updates: Dict[Text, Any] = {}
    mentioned = entity_values(tracker, "concern")
    denied = denied_concerns(tracker)
    concerns = [c for c in merge_unique(concerns_so_far(tracker), mentioned) if c not in denied or c in mentioned]
    if concerns != (tracker.get_slot("concerns") or []):
        updates["concerns"] = concerns
    coping = accumulated(tracker, "coping_strategies", "coping_strategy")
    if coping != (tracker.get_slot("coping_strategies") or []):
        updates["coping_strategies"] = coping
    focus = ipt_focus_for(concerns)
    if focus != tracker.get_slot("ipt_focus"):
        updates["ipt_focus"] = focus
    if mentioned and not tracker.get_slot("presenting_problem"):
        text = tracker.latest_message.get("text") or ""
        updates["presenting_problem"] = text[:PRESENTING_PROBLEM_MAX_CHARS]
    return updates


class ActionValidateSlotMappings(Action):
    def name(self) -> Text:
        return "action_validate_slot_mappings"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        updates = intake_updates(tracker)
        requested = tracker.get_slot("requested_slot")
        just_set = tracker.slots_to_validate()
        validator = FORM_VALIDATORS.get(requested)
        if validator and requested in just_set:
            updates.update(validator.validate(just_set[requested], dispatcher, tracker))
        elif (tracker.active_loop or {}).get("name") == "scheduling_form":
            intent = (tracker.latest_message.get("intent") or {}).get("name")
            text = tracker.latest_message.get("text") or ""
            updates.update(misread_answer(intent, text, requested, dispatcher, tracker))
        return [SlotSet(slot, value) for slot, value in updates.items()]
