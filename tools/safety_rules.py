"""Writes data/rules/safety.yml: the tier, check and safety-state rules for every form (run from the repository root)."""

from pathlib import Path

import yaml

RESP = {
    "crisis": "utter_crisis",
    "imminent": "utter_crisis_imminent",
    "abuse": "utter_crisis_abuse",
    "third_party": "utter_crisis_third_party",
}
# Every other intent of the domain is an unclear answer to the check and, in the safety
# state, gets the safety hold: read from domain/*.yml, so an intent added later is covered
# once this is rerun (tests/safety/test_folding_and_slots.py checks that it was).
OWN_SAFETY_HANDLING = {"affirm", "deny", "crisis", "safety_check", "say_safe", "refuse_to_talk", "request_human"}


def domain_intents():
    found = []
    for path in sorted(Path("domain").glob("*.yml")):
        for intent in yaml.safe_load(path.read_text()).get("intents") or []:
            found.append(intent if isinstance(intent, str) else next(iter(intent)))
    return found


OTHER = sorted(set(domain_intents()) - OWN_SAFETY_HANDLING) + ["nlu_fallback"]
LOOPS = ["scheduling_form", "screening_form"]
SAFETY_REPLIES = list(RESP.values()) + ["utter_safety_hold", "utter_crisis_urgent"]
rules = []


def rule(name, steps, condition=None, wait=True):
    r = {"rule": name}
    if condition:
        r["condition"] = condition
    r["steps"] = steps
    if not wait:
        r["wait_for_user_input"] = False
    rules.append(r)


def anyof(intents):
    return {"or": [{"intent": i} for i in intents]}


def stop(loop):
    return [{"action": "action_deactivate_loop"}, {"active_loop": None}]


for tier, response in RESP.items():
    rule(
        f"a {tier} message gets its response",
        [{"intent": "crisis"}, {"slot_was_set": [{"risk_response": tier}]}, {"action": response}],
    )
    for loop in LOOPS:
        rule(
            f"a {tier} message inside {loop} stops it first",
            [{"intent": "crisis"}, {"slot_was_set": [{"risk_response": tier}]}] + stop(loop) + [{"action": response}],
            condition=[{"active_loop": loop}],
        )
# the check
rule(
    "a possible risk gets the safety check",
    [{"intent": "safety_check"}, {"slot_was_set": [{"safety_state": "asked"}]}, {"action": "utter_safety_check"}],
)
for ask in ("utter_safety_check", "utter_safety_check_again"):
    rule(f"yes to {ask} is a crisis", [{"action": ask}, {"intent": "affirm"}, {"action": "utter_crisis"}])
    rule(f"no to {ask} is acknowledged", [{"action": ask}, {"intent": "deny"}, {"action": "utter_safety_check_no"}])
rule(
    "an unclear answer to the check is asked once more",
    [{"action": "utter_safety_check"}, anyof(OTHER + ["refuse_to_talk"]), {"action": "utter_safety_check_again"}],
)
rule(
    "an unclear answer to the second check is taken as yes",
    [{"action": "utter_safety_check_again"}, anyof(OTHER + ["refuse_to_talk"]), {"action": "utter_crisis"}],
)
for loop in LOOPS:
    rule(
        f"a possible risk inside {loop} gets the check, the form waits",
        [{"intent": "safety_check"}, {"slot_was_set": [{"safety_state": "asked"}]}, {"action": "utter_safety_check"}],
        condition=[{"active_loop": loop}],
    )
    for ask in ("utter_safety_check", "utter_safety_check_again"):
        rule(
            f"yes to {ask} inside {loop} stops it",
            [{"action": ask}, {"intent": "affirm"}] + stop(loop) + [{"action": "utter_crisis"}],
            condition=[{"active_loop": loop}],
        )
        rule(
            f"no to {ask} inside {loop} resumes it",
            [
                {"action": ask},
                {"intent": "deny"},
                {"action": "utter_safety_check_no"},
                {"action": loop},
                {"active_loop": loop},
            ],
            condition=[{"active_loop": loop}],
        )
    rule(
        f"an unclear answer to the check inside {loop} is asked once more",
        [{"action": "utter_safety_check"}, anyof(OTHER + ["refuse_to_talk"]), {"action": "utter_safety_check_again"}],
        condition=[{"active_loop": loop}],
    )
    rule(
        f"an unclear answer to the second check inside {loop} is taken as yes",
        [{"action": "utter_safety_check_again"}, anyof(OTHER + ["refuse_to_talk"])]
        + stop(loop)
        + [{"action": "utter_crisis"}],
        condition=[{"active_loop": loop}],
    )
# the safety state
rule(
    "while safety is active, every reply stays with safety",
    [anyof(OTHER + ["safety_check"]), {"action": "utter_safety_hold"}],
    condition=[{"slot_was_set": [{"safety_state": "active"}]}],
)
for reply in SAFETY_REPLIES:
    rule(
        f"a further risk message after {reply}: the emergency number first",
        [
            {"action": reply},
            {"intent": "crisis"},
            {"slot_was_set": [{"risk_response": "crisis"}]},
            {"action": "utter_crisis_urgent"},
        ],
    )
rule(
    "not safe: the emergency number first",
    [{"intent": "deny"}, {"action": "utter_crisis_urgent"}],
    condition=[{"slot_was_set": [{"safety_state": "active"}]}],
)
rule(
    "does not want to talk about it while safety is active",
    [{"intent": "refuse_to_talk"}, {"action": "utter_crisis_no_talk"}],
    condition=[{"slot_was_set": [{"safety_state": "active"}]}],
)
for reply in SAFETY_REPLIES:
    rule(f"yes, safe, after {reply}", [{"action": reply}, {"intent": "affirm"}, {"action": "utter_crisis_safe_now"}])
rule("says they are safe or asks to go on", [{"intent": "say_safe"}, {"action": "utter_crisis_safe_now"}])
rule("does not want to talk about something", [{"intent": "refuse_to_talk"}, {"action": "utter_that_is_okay"}])
head = (
    "# Generated by tools/safety_rules.py from its tables: edit there and regenerate.\n"
    "# Every rule here uses responses and Rasa-side slots only, no custom action, so the\n"
    "# tiers and the safety state hold with the action server down.\n"
)
open("data/rules/safety.yml", "w").write(
    head + yaml.safe_dump({"version": "3.1", "rules": rules}, sort_keys=False, width=120)
)
print(len(rules))
