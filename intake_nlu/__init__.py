"""Custom Rasa NLU components for the intake assistant (spaCy rules, command guard)."""
from intake_nlu import command_guard

# Rasa loads this package whenever a model that uses our components is trained or
# served, so the guard is in place before the first message is parsed.
command_guard.install()
