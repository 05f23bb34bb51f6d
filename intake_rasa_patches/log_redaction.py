"""No user text or slot values in the Rasa server's logs.

Rasa 3.6 passes every structured log event through an anonymizer for the keys that
carry user data (text, response, slot values, parse data, ...), but only applies it
when a plugin supplies an anonymization pipeline, which only Rasa's enterprise edition
does. This registers one that replaces those values with a fixed marker, in every log
level, so an error path (for example a response with a missing placeholder, which Rasa
logs with the whole rendered response) cannot leak what a person wrote.

Rasa's structured logs render an exception with the local variables of every frame
(structlog's default), which hold the message being handled: an error while handling
a message would write it out in full. Exceptions are logged without locals.

Rasa also uses a registered pipeline to publish anonymized copies of each turn's events,
re-reading the whole tracker from the store on every save to find them (a quarter of a
turn here). This project publishes no events, so that step is skipped for this pipeline.
"""

from typing import Any

import pluggy
import structlog
from rasa.core.processor import MessageProcessor
from rasa.plugin import plugin_manager

REDACTED = "[redacted]"
hookimpl = pluggy.HookimplMarker("rasa")


class _Redactor:
    def log_run(self, value: Any) -> str:
        return REDACTED

    def run(self, event: Any) -> None:
        """Rasa Pro publishes anonymized copies of events here; this project has none."""
        return None


class RedactUserData:
    @hookimpl
    def get_anonymization_pipeline(self) -> _Redactor:
        return _Redactor()


_ORIGINAL_RUN_ANONYMIZATION = MessageProcessor.run_anonymization_pipeline


async def _run_anonymization_pipeline(self: Any, tracker: Any) -> None:
    if isinstance(plugin_manager().hook.get_anonymization_pipeline(), _Redactor):
        return None
    await _ORIGINAL_RUN_ANONYMIZATION(self, tracker)


def install() -> None:
    # The renderer Rasa puts in its processor list (rasa/utils/log_utils.py).
    structlog.processors.dict_tracebacks.format_exception.show_locals = False
    manager = plugin_manager()
    if not any(isinstance(p, RedactUserData) for p in manager.get_plugins()):
        manager.register(RedactUserData())
    MessageProcessor.run_anonymization_pipeline = _run_anonymization_pipeline
