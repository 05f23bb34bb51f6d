"""Concern extraction on ../shared/dev (not run in CI; quick: no model, no servers).

utterances_dev.yml: per concern value precision / recall / F1 over the cases that label
it, and every not_concerns value found (must be none). personas_dev.yml: the concerns and
ipt_focus that the turns accumulate through the slot logic of the action server
(actions/slot_mappings.py), against concerns_include / concerns_exclude / ipt_focus.
The dialogue itself is not run here (the REST harness does that).

P, R, F1 per value count as false positives the values found in a case that lists
`concerns` but not that value ("strict"); the dev set's own scoring counts only the
not_concerns found ("dev").

Usage: .venv/bin/python bench/concerns_dev.py [--misses]
"""

import sys
from collections import Counter
from pathlib import Path

import spacy
import yaml
from rasa_sdk import Tracker

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "dev"
sys.path.insert(0, str(ROOT))

from actions.slot_mappings import intake_updates  # noqa: E402
from intake_nlu.concern_extractor import concern_entities  # noqa: E402
from intake_nlu.rule_matcher import RuleMatcher, load_patterns  # noqa: E402


def tracker(slots, entities, text):
    latest = {"intent": {"name": "share_concern"}, "entities": entities, "text": text}
    return Tracker("bench", dict(slots), latest, [], False, None, {}, "action_listen")


def main(show_misses: bool) -> int:
    nlp = spacy.load(ROOT / "models" / "spacy" / "en_intake_rules")
    matcher = RuleMatcher(nlp, load_patterns("concerns.yml"), skip_negated=False)

    def concerns(text):
        return {e["value"] for e in concern_entities(matcher, text) if e["entity"] == "concern"}

    cases = yaml.safe_load(open(DEV / "utterances_dev.yml"))["cases"]
    tp, fp, fn = Counter(), Counter(), Counter()
    forbidden, misses = [], []
    for case in cases:
        found = concerns(case["text"])
        expected = set(case.get("concerns") or [])
        not_expected = set(case.get("not_concerns") or [])
        for value in expected:
            (tp if value in found else fn)[value] += 1
        # Precision over the labelled cases: a value found that is neither expected nor
        # scored counts only when the case lists concerns (its labels are then complete).
        for value in found - expected:
            if value in not_expected:
                forbidden.append((case["text"], value))
            elif "concerns" in case:
                fp[value] += 1
        if expected - found or found & not_expected:
            misses.append((case["text"], sorted(expected - found), sorted(found & not_expected)))
    values = sorted(set(tp) | set(fn) | set(fp))
    print(f"{'concern':14} {'P':>5} {'R':>5} {'F1':>5} {'n':>4}")
    for value in values:
        p = tp[value] / ((tp[value] + fp[value]) or 1)
        r = tp[value] / ((tp[value] + fn[value]) or 1)
        f = 2 * p * r / ((p + r) or 1)
        print(f"{value:14} {p:5.2f} {r:5.2f} {f:5.2f} {tp[value] + fn[value]:4}")
    TP, FP, FN = sum(tp.values()), sum(fp.values()), sum(fn.values())
    p, r = TP / ((TP + FP) or 1), TP / ((TP + FN) or 1)
    print(f"{'micro (strict)':14} {p:5.2f} {r:5.2f} {2 * p * r / ((p + r) or 1):5.2f} {TP + FN:4}")
    # As the dev README scores it: a value in neither list is not scored, so the only
    # false positives are the not_concerns found.
    p = TP / ((TP + len(forbidden)) or 1)
    print(f"{'micro (dev)':14} {p:5.2f} {r:5.2f} {2 * p * r / ((p + r) or 1):5.2f} {TP + FN:4}")
    print(f"not_concerns found: {len(forbidden)} of {sum(len(c.get('not_concerns') or []) for c in cases)}")
    if show_misses:
        for text, missed, wrong in misses:
            print(f"  miss {missed} wrong {wrong}: {text}")
        for value, count in fp.most_common():
            print(f"  extra {value}: {count}")

    personas = yaml.safe_load(open(DEV / "personas_dev.yml"))["personas"]
    checks = passed = 0
    for persona in personas:
        slots = {}
        for text in persona["turns"]:
            entities = concern_entities(matcher, text)
            slots.update(intake_updates(tracker(slots, entities, text)))
        expect = persona["expect"]
        problems = []
        have = set(slots.get("concerns") or [])
        if "concerns_include" in expect:
            checks += 1
            missing = set(expect["concerns_include"]) - have
            passed += not missing
            if missing:
                problems.append(f"missing {sorted(missing)}")
        if "concerns_exclude" in expect:
            checks += 1
            extra = set(expect["concerns_exclude"]) & have
            passed += not extra
            if extra:
                problems.append(f"unwanted {sorted(extra)}")
        if "ipt_focus" in expect:
            checks += 1
            ok = slots.get("ipt_focus") == expect["ipt_focus"]
            passed += ok
            if not ok:
                problems.append(f"ipt_focus {slots.get('ipt_focus')} != {expect['ipt_focus']}")
        if problems and show_misses:
            print(f"  {persona['id']}: {'; '.join(problems)} (have {sorted(have)})")
    print(f"personas: concern/ipt_focus expectations met {passed}/{checks} ({passed / checks:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main("--misses" in sys.argv))
