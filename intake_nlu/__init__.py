"""Rasa-side extensions of the intake assistant: NLU components, the typed-command
guard, the action-reply validation fix and log redaction."""
from intake_nlu import action_reply_validation, command_guard, log_redaction

# Rasa loads this package whenever a model that uses our components is trained or
# served, so all are in place before the first message is handled.
command_guard.install()
action_reply_validation.install()
log_redaction.install()
