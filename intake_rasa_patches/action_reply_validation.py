"""Validates action server replies quickly, with exactly Rasa's verdict and message.

Rasa 3.6 checks every custom action's reply with `jsonschema.validate`, which first
checks the schema itself against its metaschema: with the jsonschema 4.17 that Rasa
pins, about 75 ms per call, most of a conversation turn here. Even with the schema
checked once, each event in a reply costs ~0.4 ms, because the events schema is a
`oneOf` over every event type and each one is tried. Each branch of that `oneOf` is
told apart by its `event` constant, so an event is valid exactly when the branch named
by its `event` accepts it: here each branch is compiled once (fastjsonschema) and an
event is checked against its own branch only. Anything that fails that check is
judged again by jsonschema against Rasa's schema, which gives the verdict and the error
exactly as before.
"""

import copy
from functools import lru_cache
from typing import Any, Callable, Dict, Optional, Text

import fastjsonschema
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

Check = Callable[[Any], Any]


def _by_event_type(schema: Dict[Text, Any]) -> Optional[Check]:
    """A check that accepts only replies Rasa's schema accepts, or None when the schema's
    event types cannot be told apart by their `event` constant."""
    item = schema["properties"]["events"]["items"]
    branches = item.get("oneOf", [])
    names = [branch.get("properties", {}).get("event", {}).get("const") for branch in branches]
    if not branches or None in names or len(set(names)) != len(names):
        return None
    shared = {key: value for key, value in item.items() if key != "oneOf"}
    outer = copy.deepcopy(schema)
    outer["properties"]["events"]["items"] = shared
    check_reply = fastjsonschema.compile(outer)
    check_event = {name: fastjsonschema.compile({"allOf": [shared, branch]}) for name, branch in zip(names, branches)}

    def check(reply: Any) -> None:
        check_reply(reply)
        for event in reply.get("events") or []:
            check_event[event["event"]](event)  # an unknown type is a KeyError: judged again below

    return check


@lru_cache(maxsize=1)
def _fast_check() -> Optional[Check]:
    return _by_event_type(RemoteAction.action_response_format_spec())


def _validate_action_result(self: Any, result: Dict[Text, Any]) -> bool:
    check = _fast_check()
    if check is not None:
        try:
            check(result)
            return True
        except (fastjsonschema.JsonSchemaException, KeyError):
            pass
    schema = RemoteAction.action_response_format_spec()
    error = next(validator_for(schema)(schema).iter_errors(result), None)
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your "
        "response from the Action endpoint is valid. For more information about "
        f"the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install() -> None:
    RemoteAction._validate_action_result = _validate_action_result
