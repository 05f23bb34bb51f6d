"""Rasa's structured logs carry no user text once the project's package is loaded."""

import pytest
from rasa.utils.log_utils import _anonymizer

pytestmark = pytest.mark.patched


def test_user_data_keys_are_redacted():
    event = {
        "event": "interpolator.interpolate.text",
        "response": "It sounds like you feel Zyxwv",
        "text": "I feel Zyxwv",
        "slot_values": {"concerns": ["grief"]},
        "placeholder_key": "x",
    }
    redacted = _anonymizer(None, "error", dict(event))
    assert "Zyxwv" not in str(redacted) and "grief" not in str(redacted)
    assert redacted["placeholder_key"] == "x"  # what is not user data stays readable


def test_an_error_while_handling_a_message_does_not_log_the_message(caplog):
    import structlog
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(None)  # as the Rasa server does
    logger = structlog.get_logger()

    def handle(text):
        raise RuntimeError("lock not acquired")

    try:
        handle("I feel Zyxwv and nobody knows")
    except RuntimeError:
        logger.exception("rest.message.received.failure", text="I feel Zyxwv")
    assert "lock not acquired" in caplog.text  # the error itself is logged, with its frames
    assert "handle" in caplog.text and "Zyxwv" not in caplog.text
