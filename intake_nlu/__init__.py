"""Rasa-side extensions of the intake assistant: NLU components, the typed-command
guard, the trimmed action call over kept-alive connections, the action-reply
validation fix, the action-server guard, the tracker copy without replay, the
continued applied events, turns in arrival order, log redaction and no copies
for debug lines that are not logged."""
from intake_nlu import (
    action_connection, action_reply_validation, action_request, action_server_guard, applied_events, command_guard,
    debug_log_copies, log_redaction, tracker_copy, turn_scheduling,
)

# Rasa loads this package whenever a model that uses our components is trained or
# served, so all are in place before the first message is handled.
command_guard.install()
action_request.install()
action_connection.install()
action_reply_validation.install()
action_server_guard.install()
log_redaction.install()
debug_log_copies.install()
tracker_copy.install()
applied_events.install()
turn_scheduling.install()
