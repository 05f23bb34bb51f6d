"""The applied events of a tracker, continued as events arrive instead of recomputed.

Rasa 3.6 works out a tracker's applied events (its events minus what was reverted,
restarted or undone by a form) from the first event on, and asks for them several
times a turn (each rule prediction, the session check): about a twentieth of a turn
here, and more the longer the conversation. The result is kept on the tracker; when
the tracker has since only grown by events that the computation would simply append
(no restart, session start, revert, form (de)activation or run of a form), they are
appended to it. Anything else is computed from the start, by Rasa.
"""

from dataclasses import dataclass
from itertools import islice
from typing import FrozenSet, List, Optional, Text

from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
)
from rasa.shared.core.trackers import DialogueStateTracker

ATTRIBUTE = "_intake_applied_events"
_RECOMPUTED_AFTER = (Restarted, SessionStarted, ActionReverted, UserUtteranceReverted, ActiveLoop)
_computed_from_start = DialogueStateTracker.applied_events


@dataclass
class _Applied:
    count: int  # how many of the tracker's events they cover
    first: Event
    last: Event
    loop_names: FrozenSet[Text]
    events: List[Event]


def _appendable(event: Event, loop_names: FrozenSet[Text]) -> bool:
    if isinstance(event, _RECOMPUTED_AFTER):
        return False
    return not (isinstance(event, ActionExecuted) and event.action_name in loop_names)


def applied_events(self: DialogueStateTracker) -> List[Event]:
    events = self.events
    count = len(events)
    known: Optional[_Applied] = self.__dict__.get(ATTRIBUTE)
    if (
        known is not None
        and count >= known.count > 0
        and events[0] is known.first
        and events[known.count - 1] is known.last
    ):
        new = list(islice(events, known.count, None))
        if all(_appendable(event, known.loop_names) for event in new):
            if new:
                known.events.extend(new)
                known.count, known.last = count, events[-1]
            return list(known.events)
    applied = _computed_from_start(self)
    if count:
        loop_names = frozenset(e.name for e in events if isinstance(e, ActiveLoop) and e.name)
        self.__dict__[ATTRIBUTE] = _Applied(count, events[0], events[-1], loop_names, list(applied))
    return applied


def install() -> None:
    DialogueStateTracker.applied_events = applied_events
