"""Rasa-side extensions of the intake assistant: NLU components, the typed-command
guard and the action-reply validation fix."""
from intake_nlu import action_reply_validation, command_guard

# Rasa loads this package whenever a model that uses our components is trained or
# served, so both are in place before the first message is handled.
command_guard.install()
action_reply_validation.install()
