"""`make validate`: Rasa's `rasa data validate --fail-on-warnings`, with one documented
correction, failing on any warning that is left.

Rasa 3.6 counts a response as used only when a rule or story runs it as an action
(rasa/validator.py, verify_utterances_in_stories), and its "not used" warning never fails
the run even with --fail-on-warnings. Three kinds of use it cannot see are taken as used:
- responses the Python code names (custom actions utter them; intake_dialogue/responses_in_code.py),
- a form's questions, `utter_ask_<form>_<slot>` or `utter_ask_<slot>` (Rasa's forms ask them),
- the responses Rasa's default actions utter (utter_default for action_default_fallback ...).
Every other "not used" warning and every other warning of Rasa's fails the run, and so
does a response named in the code that the domain does not declare.

Usage: python -m intake_dialogue.validate_data [--domain domain] [--data data] [--config config.yml]
"""

import argparse
import re
import sys
import warnings
from typing import List, Set

import intake_rasa_patches

NOT_USED = re.compile(r"The utterance '(utter_[\w]+)' is not used in any story or rule\.")
NO_EXAMPLES = re.compile(
    r"The intent '(\w+)' is listed in the domain file, but is not found in the NLU training data\."
)


def responses_used_outside_rules(domain) -> Set[str]:
    from rasa.core.actions.action import ActionBotResponse, default_actions
    from rasa.shared.constants import UTTER_PREFIX

    from intake_dialogue.responses_in_code import responses_named_in_code

    used = set(responses_named_in_code())
    for form in domain.form_names:
        for slot in domain.required_slots_for_form(form):
            used |= {f"{UTTER_PREFIX}ask_{form}_{slot}", f"{UTTER_PREFIX}ask_{slot}"}
    used |= {action.utter_action for action in default_actions() if isinstance(action, ActionBotResponse)}
    return used


def expected(warning: warnings.WarningMessage) -> bool:
    """Not a finding about this project's data: the libraries' deprecation notices, and the
    warnings Rasa itself filters as expected (rasa.utils.common.EXPECTED_WARNINGS, e.g. the
    "Slot auto-fill has been removed" notice Rasa 3.6 gives for every domain with slots)."""
    from rasa.utils.common import EXPECTED_WARNINGS

    if issubclass(warning.category, (DeprecationWarning, PendingDeprecationWarning)):
        return True
    return any(
        issubclass(warning.category, category) and re.match(pattern, str(warning.message))
        for category, pattern in EXPECTED_WARNINGS
    )


# Intents an NLU component sets by itself, never the classifier: they have no examples.
INTENTS_SET_BY_COMPONENTS = {"other_language"}  # intake_nlu/language_detector.py


def findings(domain_path: str, data_paths: List[str], config_path: str, caught) -> List[str]:
    """Rasa's warnings (caught) and failure that remain after the correction, as text."""
    import rasa.cli.utils
    from rasa.shared.importers.importer import TrainingDataImporter

    from intake_dialogue.responses_in_code import responses_named_in_code

    importer = TrainingDataImporter.load_from_config(
        config_path=config_path, domain_path=domain_path, training_data_paths=data_paths
    )
    domain = importer.get_domain()
    used_outside_rules = responses_used_outside_rules(domain)
    left: List[str] = []
    try:
        rasa.cli.utils.validate_files(fail_on_warnings=True, max_history=None, importer=importer)
    except SystemExit as exit:
        if exit.code:
            left.append("Rasa's validation failed (its messages are above)")
    for warning in caught:
        message = str(warning.message)
        match = NOT_USED.fullmatch(message.strip())
        if expected(warning) or (match and match.group(1) in used_outside_rules):
            continue
        untrained = NO_EXAMPLES.fullmatch(message.strip())
        if untrained and untrained.group(1) in INTENTS_SET_BY_COMPONENTS:
            continue
        left.append(f"{warning.category.__name__}: {message}")
    for name, places in sorted(responses_named_in_code().items()):
        if name not in domain.responses:
            left.append(f"{name} is named in the code ({', '.join(places)}) but not declared in the domain")
    return left


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domain", default="domain")
    parser.add_argument("--data", nargs="+", default=["data"])
    parser.add_argument("--config", default="config.yml")
    args = parser.parse_args(argv)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        intake_rasa_patches.install()  # as every other Rasa command of the project
        left = findings(args.domain, args.data, args.config, caught)
    for line in left:
        print(f"validate: {line}", file=sys.stderr)
    print(f"validate: {len(left)} warning(s)" if left else "validate: no warnings")
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())
