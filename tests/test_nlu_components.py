"""The spaCy rule components and the typed-command guard."""

import pytest
import spacy
from rasa.nlu.classifiers.regex_message_handler import RegexMessageHandler
from rasa.shared.core.domain import Domain
from rasa.shared.nlu.training_data.message import Message

from intake_nlu.concern_scope import ConcernReader
from intake_nlu.rule_matcher import RuleMatcher, load_patterns
from intake_rasa_patches.command_guard import button_payloads
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def nlp():
    return spacy.load(ROOT / "models" / "spacy" / "en_intake_rules")


@pytest.fixture(scope="module")
def concerns(nlp):
    return RuleMatcher(nlp, load_patterns("concerns.yml"), skip_negated=False)


@pytest.fixture(scope="module")
def crisis(nlp):
    return RuleMatcher(nlp, load_patterns("crisis.yml"), skip_negated=False)


def values(matcher, text, kind="concern"):
    """What the ConcernExtractor reads: the matches in their sentence (concern_scope)."""
    return sorted({m.value for m in ConcernReader(matcher).read(text) if m.entity == kind})


@pytest.mark.parametrize(
    "text, expected",
    [
        ("I'm so stressed and overwhelmed", ["stress"]),
        ("I CAN'T KEEP UP at all", ["stress"]),
        ("panicking about everything", ["anxiety"]),
        ("I'm scared they'll judge me", ["anxiety"]),
        ("I keep waking up at night", ["sleep"]),
        ("insomnia", ["sleep"]),
        ("i feel so lonely and alone", ["isolation"]),
        ("I've been withdrawing from my friends", ["isolation"]),
        ("feeling hopeless and empty", ["low_mood"]),
        ("my boss and my colleagues make every day hard", ["work"]),
        ("we keep having arguments", ["conflict"]),
        ("since the divorce", ["life_change"]),
        ("we had a baby in may", ["life_change"]),
        ("my dad passed away", ["grief"]),
        ("bereavement", ["grief"]),
        ("I'm not anxious at all", []),
        ("after work suits me", []),
        ("that works for me", []),
        ("I wrote down my thoughts", []),
    ],
)
def test_concerns_have_canonical_values(concerns, text, expected):
    assert values(concerns, text) == expected


def test_entities_carry_offsets_into_the_original_text(concerns):
    text = "Honestly I'm OVERWHELMED 😔 by my Job"
    found = ConcernReader(concerns).read(text)
    assert [(text[m.start : m.end], m.value) for m in found] == [("OVERWHELMED", "stress"), ("Job", "work")]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("I've tried some breathing exercises and meditation", ["breathing", "meditation"]),
        ("I go to the gym and keep a journal", ["exercise", "journaling"]),
        ("yoga helped a bit", ["yoga"]),
        ("I've been running in the mornings", ["exercise"]),
        ("how many weeks does it usually run?", []),
    ],
)
def test_coping_strategies_are_extracted(concerns, text, expected):
    assert values(concerns, text, "coping_strategy") == expected


def test_fear_of_looking_weak_is_recognised(concerns):
    assert values(concerns, "they'll think I can't handle it", "worry") == ["looking_weak"]


@pytest.mark.parametrize(
    "text",
    [
        "I want to kill myself",
        "everyone would be better off without me",
        "I want to go to sleep and not wake up",
        "I've been cutting myself",
        "I'm going to hurt him",
        "my husband hits me",
        "i dont want to live anymore",
    ],
)
def test_crisis_rules_fire(crisis, text):
    assert crisis.find(text)


@pytest.mark.parametrize(
    "text",
    [
        "this job is killing me",
        "I'm dead tired",
        "the deadline is killing me",
        "I could kill for a coffee",
        "I cut back on caffeine",
        "I'm dying to get started",
        "it really hit me hard when she left",
    ],
)
def test_crisis_rules_ignore_idioms(crisis, text):
    assert crisis.find(text) == []


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(ROOT / "domain"))


def test_button_payloads_are_collected_from_the_domain(domain):
    assert {"/affirm", "/deny", "/accept_therapy", "/decline_therapy"} <= button_payloads(domain)


@pytest.mark.patched  # intake_rasa_patches/command_guard.py; Rasa's own forces any /intent
def test_only_the_bots_own_button_payloads_are_commands(domain):
    handler = RegexMessageHandler()
    pressed, typed = Message({"text": "/affirm"}), Message({"text": "/crisis"})
    typed.set("intent", {"name": "nlu_fallback", "confidence": 0.4})
    pressed, typed = handler.process([pressed, typed], domain)
    assert pressed.get("intent")["name"] == "affirm"
    assert typed.get("intent")["name"] == "nlu_fallback"


@pytest.mark.parametrize("filename", ["concerns.yml", "crisis.yml"])
def test_pattern_files_hold_only_text(filename):
    """YAML reads an unquoted no/off/on as a boolean, which breaks a token pattern."""

    def list_items(node):
        if isinstance(node, dict):
            for value in node.values():
                yield from list_items(value)
        elif isinstance(node, list):
            for item in node:
                yield item
                yield from list_items(item)

    # Booleans are fine as flags (IS_ALPHA: true), never as words in a list.
    bad = [v for v in list_items(load_patterns(filename)) if isinstance(v, bool) or v is None]
    assert bad == [], f"quote these values in {filename}: {bad}"


def test_both_matchers_read_one_spacy_run_of_a_message(concerns, crisis, nlp):
    text = "I can't sleep and I want to hurt myself"
    assert concerns._doc(text) is crisis._doc(text)  # lowercased and run through spaCy once
    assert concerns._doc(text) is not concerns._doc("another message")
    assert values(concerns, text) and crisis.find(text)  # and both still find what they find


@pytest.mark.patched  # intake_rasa_patches/command_guard.py maps a typed button title
def test_a_typed_button_title_means_what_pressing_it_means(domain):
    handler = RegexMessageHandler()
    typed = Message({"text": "yes, let's do it!"})
    typed.set("intent", {"name": "accept_therapy", "confidence": 0.7})
    other = Message({"text": "yes let's do it tomorrow"})
    other.set("intent", {"name": "accept_therapy", "confidence": 0.7})
    typed, other = handler.process([typed, other], domain)
    assert typed.get("intent")["name"] == "affirm"  # the questionnaire offer's "Yes, let's do it"
    assert typed.get("text") == "yes, let's do it!"
    assert other.get("intent")["name"] == "accept_therapy"


def test_a_typed_title_never_overrides_a_crisis(domain):
    handler = RegexMessageHandler()
    typed = Message({"text": "No"})
    typed.set("intent", {"name": "crisis", "confidence": 1.0})
    assert handler.process([typed], domain)[0].get("intent")["name"] == "crisis"
