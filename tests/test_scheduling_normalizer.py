import pytest

from intake.scheduling_normalizer import (
    DAYS,
    WEEKDAYS,
    normalize_days,
    normalize_format,
    normalize_time,
)
from intake.vocabulary import describe_schedule


@pytest.mark.parametrize(
    "text, expected",
    [
        ("weekdays", WEEKDAYS),
        ("Weekends", ["saturday", "sunday"]),
        ("Mon & Wed", ["monday", "wednesday"]),
        ("tues", ["tuesday"]),
        ("any day but Friday", ["monday", "tuesday", "wednesday", "thursday", "saturday", "sunday"]),
        ("any day except fridays", ["monday", "tuesday", "wednesday", "thursday", "saturday", "sunday"]),
        ("not mondays", ["tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]),
        ("Tuesday evenings, by video", ["tuesday"]),
        ("tue and thu", ["tuesday", "thursday"]),
        ("Monday, Wednesday or Friday", ["monday", "wednesday", "friday"]),
        ("thursday and friday but not monday", ["thursday", "friday"]),
        ("mon-fri", WEEKDAYS),
        ("any day really", DAYS),
        ("weekdays or saturday", WEEKDAYS + ["saturday"]),
        (["Wed"], ["wednesday"]),
    ],
)
def test_days_are_normalized(text, expected):
    assert normalize_days(text) == expected


@pytest.mark.parametrize("text", ["", "yes", "I don't know", "banana", "<b>hi</b>", "'; DROP TABLE x; --", "🙂"])
def test_unusable_days_give_none(text):
    assert normalize_days(text) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("after work", "evening"),
        ("first thing", "morning"),
        ("first thing in the morning", "morning"),
        ("lunchtime", "afternoon"),
        ("mornings work best", "morning"),
        ("late afternoon is good", "afternoon"),
        ("after 6pm", "evening"),
        ("evenings", "evening"),
        ("early morning before work", "morning"),
        ("around noon", "afternoon"),
        ("Tuesday evenings, by video", "evening"),
    ],
)
def test_times_are_normalized(text, expected):
    assert normalize_time(text) == expected


@pytest.mark.parametrize("text", ["", "weekdays", "whenever you like", "by zoom"])
def test_unusable_time_gives_none(text):
    assert normalize_time(text) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("zoom", "video"),
        ("facetime would be easiest", "video"),
        ("FaceTime", "video"),
        ("video call please", "video"),
        ("I'd rather come in", "in_person"),
        ("in person", "in_person"),
        ("face to face", "in_person"),
        ("by phone", "phone"),
        ("a phone call is fine", "phone"),
        ("over the phone", "phone"),
        ("online please", "video"),
    ],
)
def test_formats_are_normalized(text, expected):
    assert normalize_format(text) == expected


@pytest.mark.parametrize("text", ["", "tuesday", "no idea", "maybe"])
def test_unusable_format_gives_none(text):
    assert normalize_format(text) is None


def test_schedule_is_read_back_in_plain_words():
    assert describe_schedule(["tuesday", "thursday"], "evening", "video") == "Tuesday and Thursday, evenings, by video"
    assert describe_schedule(WEEKDAYS, "morning", "in_person") == "weekdays, mornings, in person"
