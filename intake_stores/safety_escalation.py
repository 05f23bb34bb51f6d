"""Escalation to a person, Rasa-side: called by the tracker store after each save.

When a conversation's safety tier rises to `crisis` or `imminent` (the `risk_level`
slot; `risk_flag` counts as `crisis`; a yes to `utter_safety_check` as `crisis`; a no
to "are you safe right now?" after the crisis response as `imminent`), this writes an
urgent safety record and its urgent_safety notification in one transaction of the
intake database, whether or not the person consented to keeping their intake. No
custom action is involved, so it works with the action server down. The record holds
no message text (intake_stores/safety_records.py says what it holds and why).

Only a rise is recorded: a conversation staying in the safety state adds nothing, a
later `imminent` after a `crisis` adds a second record (and notification). A failure
to write (the intake database away) is logged without content and tried again on the
conversation's next save; the chat turn goes on either way.
"""

import logging
from collections import OrderedDict
from typing import List, Optional, Text, Tuple

from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from intake_stores import safety_records

logger = logging.getLogger(__name__)

CHECK_RESPONSE = "utter_safety_check"
CRISIS_RESPONSES = ("utter_crisis",)
MAX_REMEMBERED = 10_000


def _last_bot_action_and_intent(tracker: DialogueStateTracker) -> Tuple[Optional[Text], Optional[Text]]:
    """The latest user message's intent and the bot action just before it."""
    intent = None
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered) and intent is None:
            intent = event.intent_name or ""
        elif isinstance(event, ActionExecuted) and intent is not None and event.action_name != "action_listen":
            return event.action_name, intent
    return None, intent


def risk_of(tracker: DialogueStateTracker) -> Tuple[Optional[Text], List[Text], Text]:
    """(tier, categories, trigger) as far as escalation is concerned; tier None below crisis."""
    level = tracker.get_slot("risk_level")
    categories = [c for c in (tracker.get_slot("risk_categories") or []) if isinstance(c, str)]
    tier, trigger = None, ""
    if level in safety_records.ESCALATED_TIERS:
        tier, trigger = level, "risk_level"
    elif tracker.get_slot("risk_flag"):
        tier, trigger = "crisis", "risk_flag"
    last_action, intent = _last_bot_action_and_intent(tracker)
    if last_action == CHECK_RESPONSE and intent == "affirm" and tier is None:
        tier, trigger = "crisis", "check_yes"
    if last_action in CRISIS_RESPONSES and intent == "deny":
        # "Are you safe right now?" - "no".
        tier, trigger = "imminent", "not_safe"
    return tier, categories, trigger


class SafetyEscalation:
    def __init__(self, store=None) -> None:
        self._store = store
        # Conversation -> highest tier recorded, so a conversation in the safety state
        # does not query the database on every turn.
        self._recorded: "OrderedDict[Text, int]" = OrderedDict()

    @classmethod
    def from_environment(cls) -> "SafetyEscalation":
        """Also starts this process's notification sender when a notifier is configured."""
        from intake.notifications import start_background_sender

        start_background_sender()
        return cls()

    @property
    def store(self):
        if self._store is None:
            from intake_stores.intake_records import IntakeStore

            self._store = IntakeStore.from_environment()
        return self._store

    def after_save(self, tracker: DialogueStateTracker) -> Optional[Text]:
        """Records a rise of the conversation's tier; returns the new safety record id.
        Never raises."""
        try:
            tier, categories, trigger = risk_of(tracker)
            if tier is None:
                return None
            rank = safety_records.tier_rank(tier)
            if self._recorded.get(tracker.sender_id, 0) >= rank:
                return None
            return self._record(tracker, tier, rank, categories, trigger)
        except Exception as error:  # the turn must go on; no content in the log
            logger.error("Urgent safety record not written (%s); retried on the next save", type(error).__name__)
            return None

    def _record(
        self, tracker: DialogueStateTracker, tier: Text, rank: int, categories: List[Text], trigger: Text
    ) -> Optional[Text]:
        record_id = None
        with self.store.transaction() as connection:
            recorded = safety_records.tier_rank(safety_records.highest_tier(connection, tracker.sender_id))
            if recorded < rank:
                record_id = safety_records.add_safety_record(
                    connection, tracker.sender_id, tracker.get_latest_input_channel(), tier, categories, trigger
                )
        self._recorded[tracker.sender_id] = max(rank, recorded)
        self._recorded.move_to_end(tracker.sender_id)
        while len(self._recorded) > MAX_REMEMBERED:
            self._recorded.popitem(last=False)
        if record_id:
            logger.warning("Urgent safety record %s written", record_id)  # no tier: a slot value
        return record_id
