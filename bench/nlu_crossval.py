"""5-fold cross-validation of the NLU pipeline; prints per-intent F1 (not run in CI).

Usage: .venv/bin/python bench/nlu_crossval.py   (or `make bench`)
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "results" / "nlu_crossval"


def main() -> int:
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TQDM_DISABLE="1")
    command = [
        str(ROOT / ".venv" / "bin" / "rasa"),
        "test",
        "nlu",
        "--nlu",
        "data/nlu",
        "--config",
        "config.yml",
        "--cross-validation",
        "--folds",
        "5",
        "--out",
        str(OUT),
    ]
    result = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if result.returncode != 0:
        print(result.stderr[-2000:], file=sys.stderr)
        return result.returncode
    report = json.loads((OUT / "intent_report.json").read_text())
    print(f"{'intent':18} {'F1':>6} {'support':>8}")
    for intent, scores in sorted(report.items()):
        if (
            isinstance(scores, dict)
            and "f1-score" in scores
            and intent not in ("macro avg", "weighted avg", "micro avg")
        ):
            print(f"{intent:18} {scores['f1-score']:6.3f} {scores['support']:8}")
    for average in ("macro avg", "weighted avg"):
        if average in report:
            print(f"{average:18} {report[average]['f1-score']:6.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
