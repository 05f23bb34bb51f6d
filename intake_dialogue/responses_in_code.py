"""The responses the Python code names: custom actions utter them with
`dispatcher.utter_message(response=...)`, the response generator and the action-server
guard send them too. Rasa's validator sees only rules and stories, so it cannot know
these are used; this module finds them, for `make validate` (intake_dialogue/validate_data.py)
and for the test that each one exists in the domain (tests/test_response_names.py).

A name counts when it is a whole string literal `utter_...` in one of the project's
packages. A name built at run time (an f-string starting with `utter_`) cannot be checked,
so it is reported as such and the test fails: write response names out in full.
"""

import ast
import re
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (
    "actions",
    "intake",
    "intake_channels",
    "intake_dialogue",
    "intake_nlu",
    "intake_rasa_patches",
    "intake_stores",
)
RESPONSE_NAME = re.compile(r"utter_[a-z0-9_]*[a-z0-9]")


def _python_files(root: Path):
    for package in PACKAGES:
        yield from sorted((root / package).rglob("*.py"))


def responses_named_in_code(root: Path = ROOT) -> Dict[str, List[str]]:
    """Response name -> the places (path:line) that name it."""
    named: Dict[str, List[str]] = {}
    for path in _python_files(root):
        tree = ast.parse(path.read_text(), filename=str(path))
        # A dict key such as Rasa's metadata key "utter_action" names no response.
        keys = {id(key) for node in ast.walk(tree) if isinstance(node, ast.Dict) for key in node.keys}
        for node in ast.walk(tree):
            if id(node) in keys:
                continue
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and RESPONSE_NAME.fullmatch(node.value):
                named.setdefault(node.value, []).append(f"{path.relative_to(root)}:{node.lineno}")
    return named


def response_names_built_at_run_time(root: Path = ROOT) -> List[str]:
    """Places where an f-string starts with `utter_` (a name no check can see)."""
    places = []
    for path in _python_files(root):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.JoinedStr) and node.values:
                first = node.values[0]
                if isinstance(first, ast.Constant) and str(first.value).startswith("utter_"):
                    places.append(f"{path.relative_to(root)}:{node.lineno}")
    return places
