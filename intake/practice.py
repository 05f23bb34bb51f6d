"""The practice's settings: its name and the crisis profile (crisis line, emergency number).

Read once at start-up from practice.yml (or INTAKE_PRACTICE_CONFIG); the profile comes
from INTAKE_CRISIS_PROFILE or the file's `crisis_profile`.
"""
import os
from pathlib import Path
from typing import Dict, Text

import yaml

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "practice.yml"
CONFIG_VARIABLE = "INTAKE_PRACTICE_CONFIG"
PROFILE_VARIABLE = "INTAKE_CRISIS_PROFILE"
RETENTION_VARIABLE = "INTAKE_RETENTION_DAYS"


class PracticeConfigError(Exception):
    pass


def practice_settings() -> Dict[Text, Text]:
    """The variables every response may use: practice_name, retention_days, crisis_line,
    emergency_number."""
    path = Path(os.environ.get(CONFIG_VARIABLE) or DEFAULT_FILE)
    settings = yaml.safe_load(path.read_text(encoding="utf-8"))
    profiles = settings.get("crisis_profiles") or {}
    profile = (os.environ.get(PROFILE_VARIABLE) or settings.get("crisis_profile") or "us").lower()
    if profile not in profiles:
        raise PracticeConfigError(
            f"crisis profile '{profile}' is not in {path} (known: {', '.join(sorted(profiles))})"
        )
    retention = os.environ.get(RETENTION_VARIABLE) or settings.get("retention_days") or 90
    return {
        "practice_name": str(settings.get("practice_name") or "the practice"),
        "retention_days": str(int(retention)),
        **profiles[profile],
        **practice_facts(settings),
    }


# Said when a fact is missing from practice.yml: never an invented number or promise.
_FACT_DEFAULTS = {
    "phone": "the number on the practice's website",
    "hours": "during office hours",
    "contact_promise": "someone from the practice will get in touch with you to arrange the next step.",
    "ages_served": "The practice will tell you which ages it sees.",
    "couples": "The team can tell you whether couples sessions are possible.",
    "therapist_choice": "the team will tell you what's possible.",
    "fees": "The team will go through costs and insurance with you before your first appointment.",
}


def practice_facts(settings: Dict) -> Dict[Text, Text]:
    """The practice's facts for replies to questions (practice.yml `practice_facts`), as text,
    plus `language_offer`: a clinician who speaks another language, when there is one."""
    facts = settings.get("practice_facts") or {}
    values = {key: str(facts.get(key) or default) for key, default in _FACT_DEFAULTS.items()}
    languages = [str(language) for language in facts.get("clinician_languages") or []]
    values["clinician_languages"] = ", ".join(languages)
    if languages:
        spoken = " and ".join([", ".join(languages[:-1]), languages[-1]] if len(languages) > 1 else languages)
        values["language_offer"] = (f"The practice has clinicians who speak {spoken}: I'll note your language "
                                    "so that your sessions can be with one of them.")
    else:
        values["language_offer"] = "Sessions are in English too; if that's hard for you, tell me and I'll note it for the team."
    return values
