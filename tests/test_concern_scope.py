"""Concerns read in their sentence, through the trained model (`parse`): negation and
denial, the sense of "work", whose concern it is, questions, the newer values, and
another language. Sentences written for these tests, not taken from any dev set."""

import pytest


def concerns(result, entity="concern"):
    return sorted({e["value"] for e in result["entities"] if e["entity"] == entity})


@pytest.mark.parametrize(
    "text, found, not_found",
    [
        # negation, with the scope running to the end of the clause
        ("I'm not anxious about the exam, I'm just tired of fighting with my mum", ["conflict"], ["anxiety"]),
        ("I don't feel lonely, but I can't stop crying", ["low_mood"], ["isolation"]),
        ("I'm not worried about money at all", [], ["anxiety"]),
        ("there's no conflict at home, I just can't get to sleep", ["sleep"], ["conflict"]),
        ("it has nothing to do with my job, I've felt empty since spring", ["low_mood"], ["work"]),
        # a negation that is part of the concern, and pseudo-negations
        ("I haven't been sleeping properly for weeks", ["sleep"], []),
        ("I can't stop worrying about everything", ["anxiety"], []),
        ("I can't shake this heavy sadness", ["low_mood"], []),
        # denial after the fact
        ("my job isn't really the problem, my marriage is", [], ["work"]),
        ("the breakup was years ago, lately I'm panicking at night", ["anxiety"], ["life_change"]),
        ("the job itself is fine, it's the commute that wears me down", [], ["work"]),
        # the sense of "work"
        ("how would the sessions work?", [], ["work"]),
        ("the breathing seems to be working", [], ["work"]),
        ("I work out most evenings", [], ["work"]),
        ("could we work out a time after I finish work", [], ["work"]),
        ("my manager shouts at me in front of everyone", ["work"], []),
        ("work is unbearable and I dread Mondays", ["work", "anxiety"], []),
        # a role lost or left is a change of role, not pressure at work
        ("they let me go after twenty years at the firm", ["life_change"], ["work"]),
        ("since I stopped working last spring I feel useless", ["life_change", "low_mood"], ["work"]),
        # whose concern it is
        ("my best friend has been depressed for months", [], ["low_mood"]),
        ("my daughter is so anxious she won't go to school", ["parenting"], ["anxiety"]),
        ("my dad's health is going downhill", [], ["health"]),
        ("I look after my mother since her stroke", ["caregiving"], ["health"]),
        # the newer values
        ("I've been drinking far too much since Christmas", ["substance_use"], []),
        ("I sometimes take my partner's diazepam to get to sleep", ["substance_use"], []),
        ("I was attacked on my way home and I keep having flashbacks", ["trauma"], []),
        ("I've started cutting myself again", ["self_harm"], []),
        ("I was diagnosed with arthritis and I'm in pain every day", ["health"], []),
        ("I lose my temper with everyone lately", ["anger"], []),
        ("my toddler's tantrums leave me in tears", ["parenting", "low_mood"], []),
    ],
)
def test_concerns_in_their_scope(parse, text, found, not_found):
    got = concerns(parse(text))
    assert set(found) <= set(got), got
    assert not set(not_found) & set(got), got


def test_a_question_about_therapy_records_neither_concern_nor_coping(parse):
    result = parse("does it help people who use meditation for panic?")
    assert concerns(result) == [] and concerns(result, "coping_strategy") == []


def test_a_question_about_oneself_still_counts(parse):
    assert concerns(parse("why do I feel so hopeless all the time?")) == ["low_mood"]


def test_a_denial_comes_back_as_a_denied_concern(parse):
    result = parse("no, it's not work, it's my brother")
    assert concerns(result, "denied_concern") == ["work"] and concerns(result) == []


def test_a_correction_of_the_reflection_is_marked(parse):
    assert concerns(parse("that's not it, it's more my brother"), "correction") == ["previous"]


def test_support_groups_are_coping(parse):
    assert concerns(parse("I go to a bereavement group on Fridays"), "coping_strategy") == ["support_group"]


def test_drinking_is_a_concern_not_a_coping_strategy(parse):
    result = parse("I've tried running, and honestly a bottle of wine most nights")
    assert concerns(result) == ["substance_use"]
    assert concerns(result, "coping_strategy") == ["exercise"]


@pytest.mark.parametrize(
    "text, code",
    [
        ("Hola, me siento muy sola y no sé con quién hablar", "es"),
        ("Buenas tardes, quiero pedir una cita para mi hija", "es"),
        ("Bonjour, je cherche un thérapeute pour moi", "fr"),
    ],
)
def test_another_language_is_recognised(parse, text, code):
    result = parse(text)
    assert result["intent"]["name"] == "other_language"
    assert concerns(result, "language") == [code]


@pytest.mark.parametrize("text", ["ok", "k", "idk", "ya sure", "mon wed", "weekends fr", "thx so much", "no se"])
def test_short_english_is_never_another_language(parse, text):
    result = parse(text)
    assert result["intent"]["name"] != "other_language"
    assert concerns(result, "language") == []


@pytest.mark.parametrize(
    "text, found",
    [
        ("the workload this term is insane", ["work"]),
        ("my boss is a nightmare", ["work"]),
        ("my kids are driving me up the wall", ["parenting", "stress"]),
        ("lately I've had one too many most nights", ["substance_use"]),
    ],
)
def test_burden_in_the_words_themselves(parse, text, found):
    assert concerns(parse(text)) == sorted(found)


@pytest.mark.parametrize("text", ["work is fine", "work's ok really", "work is good, it's home that isn't"])
def test_work_said_to_be_fine_is_taken_back_not_heard(parse, text):
    result = parse(text)
    assert "work" not in concerns(result)
    assert concerns(result, "denied_concern") == ["work"]


@pytest.mark.parametrize("text", ["work is killing me", "work is a nightmare at the moment"])
def test_work_said_to_be_hard_is_still_heard(parse, text):
    assert "work" in concerns(parse(text))
