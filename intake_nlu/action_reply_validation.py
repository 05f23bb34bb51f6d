"""Validates action server replies with a validator built once.

Rasa 3.6 checks every custom action's reply with `jsonschema.validate`, which first
checks the schema itself against its metaschema: with the jsonschema 4.17 that Rasa
pins, about 75 ms per call, most of a conversation turn here. The schema never
changes, so it is checked once and the validator reused; replies are validated exactly
as before, with Rasa's own error message.
"""
from typing import Any, Dict, Text

from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

_validator = None


def _reply_validator():
    global _validator
    if _validator is None:
        schema = RemoteAction.action_response_format_spec()
        validator_class = validator_for(schema)
        validator_class.check_schema(schema)
        _validator = validator_class(schema)
    return _validator


def _validate_action_result(self: Any, result: Dict[Text, Any]) -> bool:
    try:
        _reply_validator().validate(result)
        return True
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your "
            "response from the Action endpoint is valid. For more information about "
            f"the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error


def install() -> None:
    RemoteAction._validate_action_result = _validate_action_result
