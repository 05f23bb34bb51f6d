"""Action server replies are still validated, with a validator built once."""
import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

import intake_nlu  # noqa: F401  (installs the fix)

action = RemoteAction("action_test", None)


def test_a_valid_reply_passes():
    assert action._validate_action_result({"events": [{"event": "slot", "name": "x", "value": 1}], "responses": []})


def test_an_invalid_reply_is_still_rejected_with_rasas_message():
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result({"events": "not a list"})
