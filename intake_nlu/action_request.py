"""Sends the action server the current turn's events, not the whole conversation's.

Rasa 3.6 serializes every event of the conversation into each custom action call
(about two a turn), so a call costs more the longer the person has been talking. The
actions of this project read the slots, the latest message, the active form and the
slots set since the message (rasa_sdk's `slots_to_validate`); none reads older events
(actions/). So the call carries the tracker's state as before, with the events from
the latest user message on. A custom action that needs older events would read them
from the tracker store.
"""
from typing import Any, Dict, List, Text

import rasa
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity


def current_turn(events: List[Event]) -> List[Event]:
    """The events from the latest user message on (all of them before the first)."""
    for index in range(len(events) - 1, -1, -1):
        if isinstance(events[index], UserUttered):
            return events[index:]
    return events


def _action_call_format(self: RemoteAction, tracker: DialogueStateTracker, domain: Domain) -> Dict[Text, Any]:
    state = tracker.current_state(EventVerbosity.NONE)
    state["events"] = [event.as_dict() for event in current_turn(list(tracker.events))]
    call = {"next_action": self._name, "sender_id": tracker.sender_id, "tracker": state, "version": rasa.__version__}
    if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(self.name()):
        call["domain"] = domain.as_dict()
    return call


def install() -> None:
    RemoteAction._action_call_format = _action_call_format
