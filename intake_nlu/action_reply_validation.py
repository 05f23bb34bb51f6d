"""Validates action server replies with a validator compiled once.

Rasa 3.6 checks every custom action's reply with `jsonschema.validate`, which first
checks the schema itself against its metaschema: with the jsonschema 4.17 that Rasa
pins, about 75 ms per call, most of a conversation turn here. Even a validator built
once takes about a millisecond per reply (two replies a turn). The schema never
changes, so it is compiled to Python once (fastjsonschema, ~50x faster); a reply it
rejects is validated again by jsonschema, so the error and Rasa's message are exactly
as before.
"""
from typing import Any, Callable, Dict, Optional, Text

import fastjsonschema
from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

_compiled: Optional[Callable[[Any], Any]] = None


def _compiled_validator() -> Callable[[Any], Any]:
    global _compiled
    if _compiled is None:
        _compiled = fastjsonschema.compile(RemoteAction.action_response_format_spec())
    return _compiled


def _detailed_error(result: Dict[Text, Any]) -> Optional[ValidationError]:
    schema = RemoteAction.action_response_format_spec()
    return next(validator_for(schema)(schema).iter_errors(result), None)


def _validate_action_result(self: Any, result: Dict[Text, Any]) -> bool:
    try:
        _compiled_validator()(result)
        return True
    except fastjsonschema.JsonSchemaException:
        error = _detailed_error(result) or ValidationError("the reply does not match the expected format")
    error.message += (
        ". Failed to validate Action server response from API, make sure your "
        "response from the Action endpoint is valid. For more information about "
        f"the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install() -> None:
    RemoteAction._validate_action_result = _validate_action_result
