"""Rasa's structured logs carry no user text once the project's package is loaded."""
import intake_nlu  # noqa: F401  (installs the redaction)
from rasa.utils.log_utils import _anonymizer


def test_user_data_keys_are_redacted():
    event = {"event": "interpolator.interpolate.text", "response": "It sounds like you feel Zyxwv",
             "text": "I feel Zyxwv", "slot_values": {"concerns": ["grief"]}, "placeholder_key": "x"}
    redacted = _anonymizer(None, "error", dict(event))
    assert "Zyxwv" not in str(redacted) and "grief" not in str(redacted)
    assert redacted["placeholder_key"] == "x"  # what is not user data stays readable
