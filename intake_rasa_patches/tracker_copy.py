"""Copies a conversation tracker without replaying its events.

Rasa 3.6 copies the tracker before every action it runs (to drop the policy's events
if the action is rejected), and `DialogueStateTracker.copy` builds the copy by
replaying every event of the conversation: more than a twentieth of a turn here, and
more the longer the conversation. A tracker's state is the replay of its events, so
the copy takes the state as it is: the same events and the same slot values (as
shared as a replay shares them), with the loop state, which Rasa changes in place,
copied. Exactly what the replay gives (tests/test_tracker_copy.py compares them).
"""
import copy
from functools import lru_cache
from typing import FrozenSet, Text

from rasa.shared.constants import DEFAULT_SENDER_ID
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

_replaying_copy = DialogueStateTracker.copy


@lru_cache(maxsize=1)
def _own_attributes() -> FrozenSet[Text]:
    """What a new tracker holds (a copy leaves out anything set on the tracker since)."""
    return frozenset(DialogueStateTracker("attributes", []).__dict__)


def copy_tracker(self: DialogueStateTracker) -> DialogueStateTracker:
    if type(self) is not DialogueStateTracker or type(self.slots) is not dict:
        return _replaying_copy(self)  # a subclass, or a tracker without a domain's slots
    duplicate = DialogueStateTracker.__new__(DialogueStateTracker)
    attributes = _own_attributes()
    duplicate.__dict__.update((name, value) for name, value in self.__dict__.items() if name in attributes)
    # What Rasa's copy (init_copy, then a replay) does not carry over.
    duplicate.sender_id = self.sender_id or DEFAULT_SENDER_ID
    duplicate.sender_source = duplicate.model_id = duplicate.assistant_id = None
    events = list(self.events)
    duplicate.events = duplicate._create_events(events)
    duplicate.slots = {name: copy.copy(slot) for name, slot in self.slots.items()}
    duplicate.latest_action = dict(self.latest_action) if self.latest_action is not None else None
    duplicate.active_loop = copy.copy(self.active_loop)  # Rasa changes it in place
    # The latest messages are events of the conversation, shared as a replay shares
    # them; or, after a restart, blank ones of the copy's own (as a replay makes).
    if not any(event is self.latest_message for event in events):
        duplicate.latest_message = UserUttered.empty()
    if not any(event is self.latest_bot_utterance for event in events):
        duplicate.latest_bot_utterance = BotUttered.empty()
    return duplicate


def install() -> None:
    DialogueStateTracker.copy = copy_tracker
