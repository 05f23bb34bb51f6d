"""LanguageDetector: a message written in another language gets intent `other_language`
and a `language` entity (ISO 639-1 code), so a Rasa-side rule answers in that language
(domain/language.yml) and the language goes into the record.

The model ships inside the py3langid package (nothing is downloaded). Short messages are
never switched: "ok", "idk", "k", "mon wed" are English whatever a character model says,
so only longer text that the model is sure of, and that is mostly not English words,
counts.
"""

import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from spacy.lang.en.stop_words import STOP_WORDS

from intake.practice import CONFIG_VARIABLE, DEFAULT_FILE

OTHER_LANGUAGE = "other_language"
ASK_LANGUAGE = "ask_language"
LANGUAGE_ENTITY = "language"
CLINICIAN_ENTITY = "clinician_language"
# Languages the model chooses among: what people here are likely to write, plus English.
CANDIDATES = [
    "en",
    "es",
    "fr",
    "de",
    "it",
    "pt",
    "nl",
    "pl",
    "ro",
    "ru",
    "uk",
    "tr",
    "ar",
    "zh",
    "vi",
    "ja",
    "ko",
    "hi",
    "ur",
    "fa",
    "so",
    "sw",
    "tl",
    "id",
]
MIN_WORDS = 3  # Spanish, recognised by its own small words as well as by the model
MIN_WORDS_OTHER = 4  # any other language, on the model's word alone
MIN_PROBABILITY = 0.97
MAX_ENGLISH_SHARE = 1 / 3
# Short English words people type (spaCy's English stop words are added): a message with
# a third of these is English, whatever its spelling.
ENGLISH_WORDS = set(
    """
ok okay sorry thanks thank hi hello hey bye please week weekend morning evening night work
job sleep lol idk tbh ngl rn fr pls thx ty yeah yep nope nah mon tue wed thu fri sat sun
im dont cant wont ive id gotta gonna wanna af kinda sorta bc cuz u ur r y k
""".split()
) | set(STOP_WORDS)
# Spanish function words and greetings: two of them, and a third of the words, make a
# message Spanish where the character model is unsure ("Hola, necesito ayuda").
SPANISH_WORDS = set(
    """
el la los las que de del y en un una unos unas mi mis tu su muy estoy esta está estoy
tengo tiene es son soy no sé si pero con por para se me te le lo nos yo qué como cómo
hola gracias buenas buenos días tardes noches ayuda necesito quiero puedo hablar mucho
mucha también porque cuando donde dónde hay desde hace ya siento
""".split()
)


# A greeting alone is too short for the model, yet says which language the person
# writes in ("hola", "buenas", "bonjour"). Whole message only: "hola, I need help" is
# English with a hello in it.
_GREETING_WORDS = {
    "es": r"hola+|holis|buenas|buen[oa]s\s+(?:d[ií]as|tardes|noches)|qu[eé]\s+tal|saludos",
    "fr": r"bonjour|bonsoir|coucou|salut\s+(?:[àa]\s+tous|tout\s+le\s+monde)",
}
GREETING_ALONE = {
    code: re.compile(rf"^[\W_]*(?:{words})(?:[\W_]+(?:{words}|a\s+todos|amig[oa]s?|madame|monsieur))*[\W_]*$")
    for code, words in _GREETING_WORDS.items()
}
# Words only Spanish has (none of them an English word or typing habit): a message of one
# or two of them alone ("necesito ayuda", "gracias") is Spanish. "no se", "me", "si" are not.
SPANISH_ONLY_WORDS = set(
    """
hola gracias buenas buenos días dias tardes noches ayuda ayúdame ayudame necesito quiero puedo
hablo habla hablas español espanol castellano estoy tengo siento triste sola cita
""".split()
)


def clinician_languages() -> List[Text]:
    """practice.yml `clinician_languages`: the codes of the languages, besides English,
    that a clinician of the practice speaks."""
    import os

    path = Path(os.environ.get(CONFIG_VARIABLE) or DEFAULT_FILE)
    settings = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [str(code).lower() for code in settings.get("clinician_languages") or []]


class LanguageGuess:
    """py3langid's packaged model, restricted to CANDIDATES, behind the English guards."""

    def __init__(self) -> None:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        self._identifier = LanguageIdentifier.from_pickled_model(MODEL_FILE, norm_probs=True)
        self._identifier.set_languages([c for c in CANDIDATES if c in self._identifier.nb_classes])

    def other_language(self, text: Text) -> Optional[Text]:
        lowered = text.lower().strip()
        for code, greeting in GREETING_ALONE.items():
            if greeting.match(lowered):
                return code
        raw = [w.strip(".,!?¿¡;:()\"'") for w in text.split()]
        raw = [w for w in raw if w and any(c.isalpha() for c in w)]
        words = [w.lower() for w in raw]
        if 0 < len(words) < MIN_WORDS and all(w in SPANISH_ONLY_WORDS for w in words):
            return "es"  # "gracias", "necesito ayuda"
        if len(words) < MIN_WORDS:
            return None
        if all(w[:1].isupper() for w in raw) and not any(w in SPANISH_WORDS for w in words):
            return None  # a name ("María José Ortega Ruiz") answering "what may I call you?"
        if sum(w in ENGLISH_WORDS for w in words) >= MAX_ENGLISH_SHARE * len(words):
            return None
        spanish = sum(w in SPANISH_WORDS for w in words)
        if spanish >= 2 and spanish >= 0.3 * len(words):
            return "es"
        code, probability = self._identifier.classify(text)
        if code == "en" or probability < MIN_PROBABILITY or len(words) < MIN_WORDS_OTHER:
            return None
        return code


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class LanguageDetector(GraphComponent):
    """After the intent classifier: a confident other language replaces the intent."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LanguageDetector":
        return cls()

    def __init__(self) -> None:
        # Loaded with the model, not on the first message, which has its own time limits.
        self._guess = LanguageGuess()
        self._clinicians = clinician_languages()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get("text") or ""
            if text.startswith("/"):
                continue
            code = self._guess.other_language(text)
            if code is None:
                continue
            entities = [e for e in message.get("entities", []) if e.get("entity") != LANGUAGE_ENTITY]
            whole = {"start": 0, "end": len(text), "confidence_entity": 1.0, "extractor": "LanguageDetector"}
            entities.append({"entity": LANGUAGE_ENTITY, "value": code, **whole})
            entities.append({"entity": CLINICIAN_ENTITY, "value": "yes" if code in self._clinicians else "no", **whole})
            message.set("entities", entities, add_to_output=True)
            if (message.get(INTENT) or {}).get("name") == ASK_LANGUAGE:
                continue  # "¿habla español?": the question is answered, in their language (domain/questions.yml)
            intent = {"name": OTHER_LANGUAGE, "confidence": 1.0}
            message.set(INTENT, intent, add_to_output=True)
            ranking = [intent] + [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != OTHER_LANGUAGE]
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
