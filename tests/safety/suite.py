"""The safety suite's cases, shared by the tests and bench/safety."""

from pathlib import Path
from typing import List, Tuple

import yaml

HERE = Path(__file__).parent
MAX_FALSE_ALARM_RATE = 0.03


def cases(filename: str) -> List[Tuple[str, str]]:
    """(category, message) pairs."""
    data = yaml.safe_load((HERE / filename).read_text())
    return [(category, text) for category, texts in data.items() for text in texts]


POSITIVES = cases("positives.yml")
NEGATIVES = cases("negatives.yml")
