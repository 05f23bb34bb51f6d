"""Deep copies made only for debug lines are skipped unless Rasa logs at DEBUG
(intake_rasa_patches/debug_log_copies.py)."""
import ast
import inspect
import logging

import pytest

import intake_rasa_patches
from intake_rasa_patches.debug_log_copies import MODULES

pytestmark = pytest.mark.patched


@pytest.mark.parametrize("module", MODULES, ids=lambda module: module.__name__)
def test_in_these_modules_copy_is_used_only_in_debug_log_arguments(module):
    """The premise: were Rasa to deep-copy something it keeps, the stand-in would be wrong."""
    tree = ast.parse(inspect.getsource(module))
    in_debug_calls = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "debug":
            in_debug_calls.update(id(inner) for inner in ast.walk(node))
    uses = [node for node in ast.walk(tree) if isinstance(node, ast.Name) and node.id == "copy"]
    assert uses, "the module no longer uses copy: drop it from MODULES"
    assert all(id(use) in in_debug_calls for use in uses), f"{module.__name__} uses copy outside a debug call"


def test_nothing_is_copied_when_debug_lines_are_not_logged():
    rasa_logger = logging.getLogger("rasa")
    events = [{"event": "user", "text": "I can't sleep"}]
    level = rasa_logger.level
    try:
        rasa_logger.setLevel(logging.INFO)
        assert all(module.copy.deepcopy(events) is events for module in MODULES)
        rasa_logger.setLevel(logging.DEBUG)
        for module in MODULES:
            copied = module.copy.deepcopy(events)
            assert copied == events and copied is not events and copied[0] is not events[0]
    finally:
        rasa_logger.setLevel(level)
