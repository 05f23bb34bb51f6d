"""Crisis detection through the trained model (both layers): every positive is caught,
false alarms on ordinary distress and idioms stay at or below 3%."""

import pytest

from tests.safety.suite import MAX_FALSE_ALARM_RATE, NEGATIVES, POSITIVES


def test_the_suite_is_large_enough():
    assert len(POSITIVES) >= 150 and len(NEGATIVES) >= 150


@pytest.mark.parametrize("category, text", POSITIVES, ids=[t for _, t in POSITIVES])
def test_every_crisis_message_is_caught(parse, category, text):
    assert parse(text)["intent"]["name"] == "crisis", f"missed ({category})"


def test_false_alarms_are_rare(parse):
    false_alarms = [text for _, text in NEGATIVES if parse(text)["intent"]["name"] == "crisis"]
    rate = len(false_alarms) / len(NEGATIVES)
    assert rate <= MAX_FALSE_ALARM_RATE, f"{rate:.1%} false alarms: {false_alarms}"
