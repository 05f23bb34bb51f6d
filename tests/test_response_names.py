"""Every response the Python code names exists in the domain, and `make validate`
(intake_dialogue/validate_data.py) fails on a response nothing uses."""

import shutil
import warnings

from intake_dialogue.responses_in_code import response_names_built_at_run_time, responses_named_in_code
from intake_dialogue.validate_data import findings
from tests.conftest import ROOT


def test_every_response_the_code_names_exists_in_the_domain(domain):
    named = responses_named_in_code()
    assert {"utter_suggest_ipt", "utter_not_emergency", "utter_action_unavailable"} <= set(named)
    missing = {name: places for name, places in named.items() if name not in domain["responses"]}
    assert missing == {}


def test_no_response_name_is_built_at_run_time():
    assert response_names_built_at_run_time() == []


def run_validation(domain_dir):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        return findings(str(domain_dir), [str(ROOT / "data")], str(ROOT / "config.yml"), caught)


def test_the_project_validates_without_warnings():
    assert run_validation(ROOT / "domain") == []


def test_a_response_nothing_uses_is_a_warning_that_fails(tmp_path):
    domain_dir = tmp_path / "domain"
    shutil.copytree(ROOT / "domain", domain_dir)
    (domain_dir / "unused.yml").write_text(
        'version: "3.1"\nresponses:\n  utter_nobody_says_this:\n  - text: "Never said."\n'
    )
    left = run_validation(domain_dir)
    assert len(left) == 1 and "'utter_nobody_says_this' is not used in any story or rule" in left[0]
