"""No deep copies made only for debug lines that are not logged.

Rasa 3.6's processor, rule policy and memoization policy deep-copy the events, parse
data and dialogue states of every step as arguments of `structlogger.debug(...)`; the
copies are made whether or not debug logging is on (about 4% of a turn's CPU here). In
those three modules `copy` is used for nothing else (tests/test_debug_log_copies.py
checks it), so there `copy.deepcopy` hands its argument over as it is unless Rasa logs
at DEBUG, when it copies as before.
"""
import copy
import logging
from typing import Any

import rasa.core.policies.memoization
import rasa.core.policies.rule_policy
import rasa.core.processor

MODULES = (rasa.core.processor, rasa.core.policies.rule_policy, rasa.core.policies.memoization)


class CopiesForDebugLines:
    """Stands in for the `copy` module where it only prepares debug-log arguments."""

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        if logging.getLogger("rasa").isEnabledFor(logging.DEBUG):
            return copy.deepcopy(value, memo)
        return value

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


def install() -> None:
    for module in MODULES:
        module.copy = CopiesForDebugLines()
