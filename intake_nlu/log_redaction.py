"""No user text or slot values in the Rasa server's logs.

Rasa 3.6 passes every structured log event through an anonymizer for the keys that
carry user data (text, response, slot values, parse data, ...), but only applies it
when a plugin supplies an anonymization pipeline, which only Rasa's enterprise edition
does. This registers one that replaces those values with a fixed marker, in every log
level, so an error path (for example a response with a missing placeholder, which Rasa
logs with the whole rendered response) cannot leak what a person wrote.
"""
from typing import Any

import pluggy
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


def install() -> None:
    manager = plugin_manager()
    if not any(isinstance(p, RedactUserData) for p in manager.get_plugins()):
        manager.register(RedactUserData())
