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
    }
