"""Action server replies are still validated, with a validator built once."""

import pytest
from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction

pytestmark = pytest.mark.patched

action = RemoteAction("action_test", None)


def test_a_valid_reply_passes():
    assert action._validate_action_result({"events": [{"event": "slot", "name": "x", "value": 1}], "responses": []})


def test_an_invalid_reply_is_still_rejected_with_rasas_message():
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result({"events": "not a list"})


@pytest.mark.parametrize(
    "reply",
    [
        {"events": [{"event": "slot"}], "responses": "not a list"},
        {"events": [{"no event key": 1}]},
        {"events": [], "responses": ["not an object"]},
        {"events": [{"event": "slot", "name": "x", "value": 1, "timestamp": "not a number"}]},
        [],
    ],
)
def test_every_reply_rasa_rejects_is_rejected(reply):
    schema = RemoteAction.action_response_format_spec()
    rasa_error = next(validator_for(schema)(schema).iter_errors(reply), None)
    assert rasa_error is not None  # Rasa's own schema rejects it ...
    with pytest.raises(ValidationError) as raised:  # ... and so does the compiled validator
        action._validate_action_result(reply)
    assert raised.value.message.startswith(rasa_error.message)


def test_a_full_reply_of_our_actions_passes():
    reply = {
        "events": [
            {"event": "slot", "timestamp": None, "name": "concerns", "value": ["work stress", "sleep"]},
            {"event": "active_loop", "name": "scheduling_form"},
            {"event": "followup", "name": "action_listen"},
        ],
        "responses": [
            {
                "response": "utter_reflect",
                "text": None,
                "buttons": [{"title": "Yes", "payload": "/affirm"}],
                "elements": [],
                "custom": {},
                "template": None,
                "image": None,
                "attachment": None,
            }
        ],
    }
    assert action._validate_action_result(reply)


def test_events_of_every_kind_are_judged_as_rasas_schema_judges_them():
    from rasa.shared.core.events import (
        ActionExecuted,
        ActiveLoop,
        AllSlotsReset,
        BotUttered,
        ConversationPaused,
        ConversationResumed,
        FollowupAction,
        LoopInterrupted,
        ReminderCancelled,
        ReminderScheduled,
        Restarted,
        SessionStarted,
        SlotSet,
        UserUtteranceReverted,
        UserUttered,
    )

    from intake_rasa_patches.action_reply_validation import _fast_check

    check = _fast_check()
    assert check is not None  # Rasa's event types are told apart by their `event` constant
    events = [
        ActionExecuted("action_listen"),
        ActiveLoop("scheduling_form"),
        ActiveLoop(None),
        AllSlotsReset(),
        BotUttered("hello", {"buttons": [{"title": "Yes", "payload": "/affirm"}]}),
        ConversationPaused(),
        ConversationResumed(),
        FollowupAction("action_listen"),
        LoopInterrupted(True),
        ReminderCancelled("r"),
        ReminderScheduled("greet", __import__("datetime").datetime(2030, 1, 1)),
        Restarted(),
        SessionStarted(),
        SlotSet("concerns", ["work_stress"]),
        UserUtteranceReverted(),
        UserUttered("hi", {"name": "greet", "confidence": 0.9}, [{"entity": "concern", "value": "sleep"}]),
    ]
    schema = RemoteAction.action_response_format_spec()
    full = validator_for(schema)(schema)
    for event in events:
        reply = {"events": [event.as_dict()], "responses": []}
        assert full.is_valid(reply), event
        check(reply)  # accepted without falling back to jsonschema
    for odd in (
        {"event": "slot", "name": 5},
        {"event": "no_such_event"},
        {"event": "user", "text": 7},
        {"event": "slot", "name": "x", "extra": "field"},
    ):
        reply = {"events": [odd]}
        try:
            ours = action._validate_action_result(reply)
        except ValidationError:
            ours = False
        assert ours == full.is_valid(reply), odd
