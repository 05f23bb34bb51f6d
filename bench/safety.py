"""Crisis detection on the safety suite: recall, false alarms and what each layer catches.

Usage: make bench-safety   (needs the trained model; prints numbers, asserts nothing)
"""

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from rasa.core.agent import Agent  # noqa: E402

from tests.conftest import MODEL_PATH  # noqa: E402
from tests.safety.suite import NEGATIVES, POSITIVES  # noqa: E402


async def layers_for(agent: Agent, texts):
    results = []
    for text in texts:
        parsed = await agent.parse_message(text)
        fired = set(parsed.get("crisis_layers") or []) if parsed["intent"]["name"] == "crisis" else set()
        results.append(fired)
    return results


async def main() -> int:
    agent = Agent.load(str(MODEL_PATH))
    positives = await layers_for(agent, [t for _, t in POSITIVES])
    negatives = await layers_for(agent, [t for _, t in NEGATIVES])
    caught = sum(1 for fired in positives if fired)
    alarms = sum(1 for fired in negatives if fired)
    print(f"recall        {caught}/{len(positives)} = {caught / len(positives):.1%}")
    print(f"false alarms  {alarms}/{len(negatives)} = {alarms / len(negatives):.1%}")
    print("per layer, on the positives (a layer alone / only that layer):")
    for layer in ("classifier", "rules"):
        alone = sum(1 for fired in positives if layer in fired)
        only = sum(1 for fired in positives if fired == {layer})
        print(f"  {layer:10} catches {alone:3}/{len(positives)}, the only one for {only}")
    print(f"  both       {sum(1 for fired in positives if len(fired) == 2)}")
    per_category = {}
    for (category, _), fired in zip(POSITIVES, positives):
        hit, total = per_category.get(category, (0, 0))
        per_category[category] = (hit + bool(fired), total + 1)
    print("recall by category:")
    for category, (hit, total) in per_category.items():
        print(f"  {category:26} {hit}/{total}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
