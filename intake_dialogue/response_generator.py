"""Rasa-side response generation that fills in the practice's settings.

Configured in endpoints.yml (`nlg: type: intake_dialogue.response_generator.PracticeResponseGenerator`), so
the crisis line in every response, the crisis response included, comes from the
configured profile at start-up, without retraining and without the action server.
It also opens every conversation session with the one-line notice that the assistant
is not an emergency service, whatever the person's first message was.
"""

from collections import OrderedDict
from typing import Any, Dict, Optional, Text

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from intake.notifications import on_call_line
from intake.practice import practice_settings

NOTICE_RESPONSE = "utter_not_emergency"
# The notice in the languages replies are written in (domain/language.yml says it itself).
NOTICE_MARKS = ("not an emergency service", "no soy un servicio de emergencias", "je ne suis pas un service d'urgence")
MAX_REMEMBERED_SENDERS = 10_000


def session_has_bot_reply(tracker: DialogueStateTracker) -> bool:
    for event in reversed(tracker.events):
        if isinstance(event, BotUttered):
            return True
        if isinstance(event, SessionStarted):
            return False
    return False


class PracticeResponseGenerator(TemplatedNaturalLanguageGenerator):
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None) -> None:
        super().__init__((domain or Domain.empty()).responses)
        # {on_call_line}: "I've let the practice's on-call team know." only when a staff
        # notifier is configured (intake/notifications.py), else empty.
        self.settings = {**practice_settings(), "on_call_line": on_call_line()}
        # Sender -> event count when the notice was given. Replies generated for one turn
        # share a tracker without bot events yet, so this keeps the notice to the first.
        self._noticed: "OrderedDict[Text, int]" = OrderedDict()

    def generate_from_slots(
        self,
        utter_action: Text,
        filled_slots: Dict[Text, Any],
        output_channel: Text,
        **kwargs: Any,
    ) -> Optional[Dict[Text, Any]]:
        return super().generate_from_slots(utter_action, filled_slots, output_channel, **{**self.settings, **kwargs})

    async def generate(
        self,
        utter_action: Text,
        tracker: DialogueStateTracker,
        output_channel: Text,
        **kwargs: Any,
    ) -> Optional[Dict[Text, Any]]:
        response = await super().generate(utter_action, tracker, output_channel, **kwargs)
        if response and response.get("text") and self._needs_notice(tracker, response["text"]):
            notice = self.generate_from_slots(NOTICE_RESPONSE, {}, output_channel)
            response["text"] = f"{notice['text']}\n\n{response['text']}"
        return response

    def _needs_notice(self, tracker: DialogueStateTracker, text: Text) -> bool:
        if session_has_bot_reply(tracker):
            self._noticed.pop(tracker.sender_id, None)
            return False
        if self._noticed.get(tracker.sender_id) == len(tracker.events):
            return False
        self._noticed[tracker.sender_id] = len(tracker.events)
        if len(self._noticed) > MAX_REMEMBERED_SENDERS:
            self._noticed.popitem(last=False)
        lowered = text.lower()
        return not any(mark in lowered for mark in NOTICE_MARKS)
