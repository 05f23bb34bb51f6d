"""Plain words for the contract's values, shared by the bot's replies and the clinician summary."""

CONCERN_WORDS = {
    "stress": "a lot of stress",
    "anxiety": "anxiety",
    "sleep": "trouble sleeping",
    "isolation": "feeling isolated",
    "low_mood": "feeling low",
    "work": "pressure at work",
    "conflict": "conflict with someone close to you",
    "life_change": "a big change in your life",
    "grief": "the loss of someone important",
    "substance_use": "drinking or using more than feels right",
    "trauma": "something painful that happened and still stays with you",
    "self_harm": "hurting yourself",
    "caregiving": "caring for someone close to you",
    "health": "health problems",
    "parenting": "how hard things have been as a parent",
    "anger": "anger that feels hard to manage",
}

# The same concerns, for a clinician reading about the person.
CONCERN_LABELS = {
    "stress": "stress",
    "anxiety": "anxiety",
    "sleep": "sleep problems",
    "isolation": "isolation",
    "low_mood": "low mood",
    "work": "work pressure",
    "conflict": "conflict with someone close",
    "life_change": "life change",
    "grief": "grief",
    "substance_use": "substance use (alcohol, drugs or someone else's medication)",
    "trauma": "trauma",
    "self_harm": "self-harm",
    "caregiving": "caregiving",
    "health": "physical health",
    "parenting": "parenting",
    "anger": "anger",
}

# How someone feels, as against what is happening to them: "that's not it" after "pressure
# at work and a lot of stress" takes back the situation (work), not the feeling (stress).
FEELINGS = ("stress", "anxiety", "sleep", "low_mood", "anger")

# Disclosed concerns a clinician must see at first contact, with why.
CLINICIAN_FLAGS = {
    "substance_use": "substance use disclosed (alcohol, drugs or someone else's medication)",
    "self_harm": "self-harm disclosed",
}

COPING_WORDS = {
    "breathing": "breathing exercises",
    "meditation": "meditation",
    "exercise": "exercise",
    "yoga": "yoga",
    "journaling": "journaling",
    "talking": "talking things through with people",
    "therapy": "counselling",
    "medication": "medication",
    "sleep_routine": "changing sleep routines",
    "time_off": "taking time off",
    "hobbies": "hobbies",
    "support_group": "a support group",
    "faith": "your faith community",
    "keeping_busy": "keeping busy",
}

IPT_FOCUS_LABELS = {
    "grief": "grief",
    "role_dispute": "role dispute (conflict with someone close)",
    "role_transition": "role transition (adjusting to a life change)",
    "interpersonal_deficits": "interpersonal deficits (isolation, few close connections)",
}

IPT_FOCUS_REASONS = {
    "grief": "they described the loss of someone important",
    "role_dispute": "they described ongoing conflict with someone close",
    "role_transition": "they described a major life change",
    "interpersonal_deficits": "they described feeling isolated",
}


def join_words(items):
    """'a', 'a and b', 'a, b and c'."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
FORMAT_WORDS = {"in_person": "in person", "video": "by video", "phone": "by phone"}
TIME_WORDS = {"morning": "mornings", "afternoon": "afternoons", "evening": "evenings"}


def describe_schedule(days, time, session_format) -> str:
    """'Tuesday and Thursday, evenings, by video'; 'weekdays, mornings, in person'."""
    days = list(days or [])
    named = {tuple(DAYS[:5]): "weekdays", tuple(DAYS[5:]): "weekends", tuple(DAYS): "any day"}
    day_text = named.get(tuple(days)) or join_words([d.capitalize() for d in days])
    parts = (day_text, TIME_WORDS.get(time or "", ""), FORMAT_WORDS.get(session_format or "", ""))
    return ", ".join(part for part in parts if part)
