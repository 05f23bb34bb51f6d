"""Understanding on the shared development sets (../shared/dev): intents and concerns,
scheduling answers, whole scripted conversations.

Usage: make bench-understanding            (all three parts; needs the trained model)
       .venv/bin/python bench/understanding.py utterances scheduling personas --quiet

Prints every miss (to study, grouped by cause afterwards) and a summary table. It asserts
nothing: the numbers go in the README. The dev sets are for measuring only; their lines
never go into training data (../shared/tools/dev_set_leaks.py).
"""

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEV = ROOT.parent / "shared" / "dev"
SUMMARY: List[Tuple[str, str]] = []  # (line label, value) for the table at the end


def load(name: str) -> dict:
    return yaml.safe_load((DEV / name).read_text())


def pct(hit: int, total: int) -> str:
    return f"{hit}/{total} = {hit / total:.1%}" if total else "0/0"


# --- (a) intents and concerns -------------------------------------------------------------


def bot_intents() -> set:
    from rasa.shared.core.domain import Domain

    return set(Domain.load(str(ROOT / "domain")).intents)


def bot_concern_values() -> set:
    from intake.vocabulary import CONCERN_WORDS

    return set(CONCERN_WORDS)


def parse_all(texts: List[str]) -> List[dict]:
    import intake_rasa_patches

    intake_rasa_patches.install()
    from rasa.core.agent import Agent

    from tests.conftest import MODEL_PATH

    agent = Agent.load(str(MODEL_PATH))
    loop = asyncio.new_event_loop()
    try:
        return [loop.run_until_complete(agent.parse_message(t)) for t in texts]
    finally:
        loop.close()


def concerns_of(parsed: dict) -> set:
    return {e["value"] for e in parsed.get("entities", []) if e.get("entity") == "concern"}


def utterances(quiet: bool) -> None:
    cases = load("utterances_dev.yml")["cases"]
    known_intents, known_concerns = bot_intents(), bot_concern_values()
    parsed = parse_all([c["text"] for c in cases])
    per_intent: Dict[str, Counter] = defaultdict(Counter)
    confusions = Counter()
    tp = fp = fn = 0
    violations = 0
    unsupported_into = defaultdict(Counter)
    print("== intents and concerns (utterances_dev.yml) ==")
    for case, result in zip(cases, parsed):
        want, got = case["intent"], result["intent"]["name"]
        if want not in known_intents:
            unsupported_into[want][got] += 1
        else:
            per_intent[want]["total"] += 1
            if got == want:
                per_intent[want]["hit"] += 1
            else:
                confusions[(want, got)] += 1
                if not quiet:
                    print(f"  intent   {want:>24} -> {got:<22} {case['text']!r}")
        found = concerns_of(result)
        wanted = {c for c in case.get("concerns") or [] if c in known_concerns}
        forbidden = set(case.get("not_concerns") or [])
        scored = wanted | forbidden
        tp += len(found & wanted)
        fn += len(wanted - found)
        fp += len((found & scored) - wanted)
        bad = found & forbidden
        violations += bool(bad)
        if (wanted - found or bad) and not quiet:
            print(
                f"  concerns missing {sorted(wanted - found)} forbidden found {sorted(bad)} "
                f"(all found {sorted(found)}) {case['text']!r}"
            )
    hit = sum(c["hit"] for c in per_intent.values())
    total = sum(c["total"] for c in per_intent.values())
    print("\n  per intent (intents the bot has):")
    for name in sorted(per_intent):
        c = per_intent[name]
        print(f"    {name:26} {pct(c['hit'], c['total'])}")
    if confusions:
        print("  most common confusions:", ", ".join(f"{w}->{g} x{n}" for (w, g), n in confusions.most_common(8)))
    if unsupported_into:
        print("  intents the bot does not have yet (what they are read as):")
        for name, into in sorted(unsupported_into.items()):
            print(f"    {name:26} {dict(into.most_common())}")
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(f"  concerns scored: {sorted(known_concerns)}")
    SUMMARY.append(("intent accuracy (bot's intents)", pct(hit, total)))
    unsupported = sum(sum(v.values()) for v in unsupported_into.values())
    SUMMARY.append(("cases with intents not in the bot", str(unsupported)))
    SUMMARY.append(("concern precision / recall / F1", f"{precision:.3f} / {recall:.3f} / {f1:.3f}"))
    SUMMARY.append(("cases with a not_concern found", str(violations)))


# --- (b) scheduling answers -----------------------------------------------------------------


def scheduling(quiet: bool) -> None:
    from intake.scheduling_normalizer import normalize_days, normalize_format, normalize_time

    cases = load("scheduling_dev.yml")["cases"]
    fields = {
        "days": lambda t: normalize_days(t),
        "time": lambda t: normalize_time(t),
        "format": lambda t: normalize_format(t),
    }
    per_field = Counter()
    exact = 0
    print("\n== scheduling answers (scheduling_dev.yml) ==")
    for case in cases:
        ok_all = True
        for field, normalize in fields.items():
            want, got = case.get(field), normalize(case["text"])
            same = (set(want or []) == set(got or []) and bool(want) == bool(got)) if field == "days" else want == got
            per_field[field] += same
            if not same:
                ok_all = False
                if not quiet:
                    print(f"  {field:6} want {want} got {got}: {case['text']!r}")
        exact += ok_all
    for field in fields:
        SUMMARY.append((f"scheduling {field} exact", pct(per_field[field], len(cases))))
    SUMMARY.append(("scheduling all three exact", pct(exact, len(cases))))


# --- (c) scripted conversations over REST ------------------------------------------------


def _slot_ok(key: str, want, got) -> bool:
    if key == "concerns_include":
        return set(want) <= set(got or [])
    if key == "concerns_exclude":
        return not set(want) & set(got or [])
    if key == "preferred_days" and want is not None:
        return set(want) == set(got or [])
    return want == got


def _slot_name(key: str) -> str:
    return "concerns" if key.startswith("concerns_") else key


def personas(quiet: bool, only: Optional[str] = None) -> None:
    from tests.servers import assistant, get_json, send

    people = [p for p in load("personas_dev.yml")["personas"] if not only or only in p["id"]]
    print("\n== scripted conversations over REST (personas_dev.yml) ==")
    met_total = checks_total = 0
    rows = []
    with tempfile.TemporaryDirectory() as tmp, assistant(Path(tmp)) as running:
        rasa_port = running.port
        for person in people:
            sender = f"bench-{person['id']}-{uuid.uuid4().hex[:8]}"
            replies = []
            for turn in person["turns"]:
                try:
                    replies.append(" ".join(r.get("text", "") for r in send(rasa_port, sender, turn)))
                except Exception as error:  # a broken turn is a finding, not a crash of the bench
                    replies.append(f"<error {error}>")
            slots = get_json(rasa_port, f"/conversations/{sender}/tracker")["slots"]
            expect = person["expect"]
            misses = []
            checks = 0
            for key, want in expect.items():
                if key in ("reply_must_include", "reply_must_not_include"):
                    continue
                checks += 1
                got = slots.get(_slot_name(key))
                if not _slot_ok(key, want, got):
                    misses.append(f"slot {key}: want {want} got {got}")
            for index, words in (expect.get("reply_must_include") or {}).items():
                for word in words:
                    checks += 1
                    if word.lower() not in replies[index].lower():
                        misses.append(
                            f"turn {index} reply lacks {word!r}: {person['turns'][index]!r} -> {replies[index]!r}"
                        )
            for index, phrases in (expect.get("reply_must_not_include") or {}).items():
                checks += 1
                said = [p for p in phrases if p.lower() in replies[index].lower()]
                if said:
                    misses.append(f"turn {index} reply says {said}: {person['turns'][index]!r} -> {replies[index]!r}")
            met = checks - len(misses)
            met_total += met
            checks_total += checks
            rows.append((person["id"], met, checks))
            if misses and not quiet:
                print(f"  {person['id']}:")
                for miss in misses:
                    print(f"    {miss}")
                print("    conversation:")
                for turn, reply in zip(person["turns"], replies):
                    print(f"      > {turn}\n        {reply[:300]}")
    print("\n  per persona:")
    for name, met, checks in rows:
        print(f"    {name:34} {met}/{checks}")
    SUMMARY.append(("personas expectations met", pct(met_total, checks_total)))
    SUMMARY.append(("personas fully met", pct(sum(1 for _, m, c in rows if m == c), len(rows))))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parts = ["utterances", "scheduling", "personas"]
    # Checked here, not with choices=: Python 3.10's argparse rejects an empty nargs="*" list.
    parser.add_argument("parts", nargs="*", help=f"any of {', '.join(parts)}; all three when none is named")
    parser.add_argument("--quiet", action="store_true", help="the summary only, no misses")
    parser.add_argument("--persona", help="only personas whose id contains this")
    args = parser.parse_args()
    unknown = set(args.parts) - set(parts)
    if unknown:
        parser.error(f"unknown part(s): {', '.join(sorted(unknown))}")
    args.parts = args.parts or parts
    started = time.monotonic()
    if "utterances" in args.parts:
        utterances(args.quiet)
    if "scheduling" in args.parts:
        scheduling(args.quiet)
    if "personas" in args.parts:
        personas(args.quiet, args.persona)
    print("\n== summary ==")
    for label, value in SUMMARY:
        print(f"  {label:38} {value}")
    print(f"  ({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
