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


ALL = DAYS
# Written for this project in its own words (not the shared dev set): the ways people
# actually answer, one pattern per group.
DAY_ANSWERS = [
    # ranges include both ends, and wrap round the week
    ("Tuesday to Friday works", ["tuesday", "wednesday", "thursday", "friday"]),
    ("wed-fri", ["wednesday", "thursday", "friday"]),
    ("from friday through monday", ["monday", "friday", "saturday", "sunday"]),
    # exclusions and negations give the rest of the week
    ("anything but wednesdays", [d for d in ALL if d != "wednesday"]),
    ("weekends are out, my husband works", WEEKDAYS),
    ("I can't do weekdays", ["saturday", "sunday"]),
    ("Thursdays are impossible, the rest is fine", [d for d in ALL if d != "thursday"]),
    ("all week apart from saturday", [d for d in ALL if d != "saturday"]),
    # flexible
    ("I'm free every day", ALL),
    ("honestly whenever suits", ALL),
    ("flexible", ALL),
    ("I'm flexible, any day of the week", ALL),
    # ranked options: every day offered
    ("wednesday ideally, friday at a push", ["wednesday", "friday"]),
    # typos and slang
    ("thursdy", ["thursday"]),
    ("fridy or mondey", ["monday", "friday"]),
    ("wednesdays fr", ["wednesday"]),
    ("sats and suns", ["saturday", "sunday"]),
    ("t/th", ["tuesday", "thursday"]),
]


@pytest.mark.parametrize("text, expected", DAY_ANSWERS)
def test_days_as_people_say_them(text, expected):
    assert normalize_days(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "it's sunny today",
        "I need the money",
        "mornings are impossible",
        "I'll have to check my shifts",
        "tomorrow?",
        "any time after 4",
        "tursday",
    ],
)
def test_words_that_only_look_like_days_give_none(text):
    assert normalize_days(text) is None


TIME_ANSWERS = [
    ("after 2", "afternoon"),
    ("about 4:15", "afternoon"),
    ("5pm onwards", "evening"),
    ("around 19:30", "evening"),
    ("0930", "morning"),
    ("8 am", "morning"),
    ("after half 6", "evening"),
    ("once the shop shuts, after work", "evening"),
    ("at lunch", "afternoon"),
    ("before 11 please", "morning"),
    ("arvo", "afternoon"),
    ("late nights", "evening"),
    ("afternoons ideally, mornings if that's all there is", "afternoon"),
    ("evenings no, mornings are better", "morning"),
    ("afternoons and evenings are no good, so mornings", "morning"),
    ("at 7 in the evening", "evening"),
    # a self-correction replaces what came before it; a conclusion ("so ...") is the answer
    ("mornings, no wait, evenings", "evening"),
    ("around 2... scratch that, after 6", "evening"),
    ("evenings are exhausting, so mornings", "morning"),
]


@pytest.mark.parametrize("text, expected", TIME_ANSWERS)
def test_times_as_people_say_them(text, expected):
    assert normalize_time(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "evenings are impossible",
        "not after lunch",
        "I have 3 kids",
        "any time",
        "mondays",
    ],
)
def test_ruling_out_or_nothing_leaves_the_time_unset(text):
    assert normalize_time(text) is None


FORMAT_ANSWERS = [
    ("in person ideally but video is fine", "in_person"),
    ("a video call over whatsapp", "video"),
    ("no video please, just ring me", "phone"),
    ("I'd come to the office if I can, otherwise zoom", "in_person"),
    ("phone or video, phone's better", "phone"),
    ("I don't like zoom, I'd rather come in", "in_person"),
]


@pytest.mark.parametrize("text, expected", FORMAT_ANSWERS)
def test_formats_as_people_say_them(text, expected):
    assert normalize_format(text) == expected


@pytest.mark.parametrize("text", ["either video or phone, I don't mind", "whatever's easiest for you"])
def test_indifference_between_formats_leaves_it_unset(text):
    assert normalize_format(text) is None


def test_the_alternative_of_a_ranked_answer_is_kept_for_the_clinician():
    from intake.scheduling_normalizer import alternatives

    assert alternatives("afternoons ideally, mornings if that's all there is") == "time also: morning"
    assert alternatives("in person ideally but video is fine") == "format also: video"
    assert alternatives("tuesday afternoon") is None


@pytest.mark.parametrize(
    "text, days, time, session_format",
    [
        ("could we do tuesday instead of monday", ["tuesday"], None, None),
        ("evenings rather than mornings if you can", None, "evening", None),
        ("a phone call in place of the video one", None, None, "phone"),
    ],
)
def test_instead_of_rules_out_what_it_replaces(text, days, time, session_format):
    assert normalize_days(text) == days
    assert normalize_time(text) == time
    assert normalize_format(text) == session_format
