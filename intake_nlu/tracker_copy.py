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

from rasa.shared.core.trackers import DialogueStateTracker

_replaying_copy = DialogueStateTracker.copy


def copy_tracker(self: DialogueStateTracker) -> DialogueStateTracker:
    if type(self) is not DialogueStateTracker or type(self.slots) is not dict:
        return _replaying_copy(self)  # a subclass, or a tracker without a domain's slots
    duplicate = self.init_copy()
    events = list(self.events)
    duplicate.events = duplicate._create_events(events)
    duplicate.slots = {name: copy.copy(slot) for name, slot in self.slots.items()}
    duplicate._paused = self._paused
    duplicate.followup_action = self.followup_action
    duplicate.latest_action = dict(self.latest_action) if self.latest_action is not None else None
    # The latest messages are events of the conversation, shared as a replay shares
    # them; or, after a restart, blank ones of the tracker's own (as a replay makes).
    if any(event is self.latest_message for event in events):
        duplicate.latest_message = self.latest_message
    if any(event is self.latest_bot_utterance for event in events):
        duplicate.latest_bot_utterance = self.latest_bot_utterance
    duplicate.active_loop = copy.copy(self.active_loop)
    return duplicate


def install() -> None:
    DialogueStateTracker.copy = copy_tracker
