"""The practice's settings: its name, the crisis profile (crisis line, emergency number),
its phone and office hours, and what the contact step asks.

Read from practice.yml (or INTAKE_PRACTICE_CONFIG); the profile comes
from INTAKE_CRISIS_PROFILE or the file's `crisis_profile`.
"""

import copy
import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Text
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "practice.yml"
CONFIG_VARIABLE = "INTAKE_PRACTICE_CONFIG"
PROFILE_VARIABLE = "INTAKE_CRISIS_PROFILE"
RETENTION_VARIABLE = "INTAKE_RETENTION_DAYS"
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


class PracticeConfigError(Exception):
    pass


_parsed: Dict[tuple, Dict[Text, Any]] = {}


def _practice_file() -> Dict[Text, Any]:
    """practice.yml parsed once per version of the file: parsing it on every call was
    over a third of the action server's CPU. An edited file (another size or modification
    time) is read again, so a practice's change needs no restart."""
    path = Path(os.environ.get(CONFIG_VARIABLE) or DEFAULT_FILE)
    stat = path.stat()
    version = (str(path), stat.st_mtime_ns, stat.st_size)
    if version not in _parsed:
        _parsed.clear()
        _parsed[version] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return copy.deepcopy(_parsed[version])


def practice_settings() -> Dict[Text, Text]:
    """The variables every response may use: practice_name, retention_days, crisis_line,
    emergency_number, practice_phone, office_hours."""
    path = Path(os.environ.get(CONFIG_VARIABLE) or DEFAULT_FILE)
    settings = _practice_file()
    profiles = settings.get("crisis_profiles") or {}
    profile = (os.environ.get(PROFILE_VARIABLE) or settings.get("crisis_profile") or "us").lower()
    if profile not in profiles:
        raise PracticeConfigError(f"crisis profile '{profile}' is not in {path} (known: {', '.join(sorted(profiles))})")
    retention = os.environ.get(RETENTION_VARIABLE) or settings.get("retention_days") or 90
    return {
        "practice_name": str(settings.get("practice_name") or "the practice"),
        "retention_days": str(int(retention)),
        "practice_phone": str(settings.get("practice_phone") or "the number on the practice's website"),
        "office_hours": office_hours().describe(),
        "reply_within": office_hours().reply_within,
        **contact_settings().response_values(),
        **profiles[profile],
        **practice_facts(settings),
    }


@dataclass
class OfficeHours:
    timezone: Text = "UTC"
    days: List[Text] = field(default_factory=lambda: WEEKDAYS[:5])
    opens: dt.time = dt.time(9, 0)
    closes: dt.time = dt.time(17, 0)
    reply_within: Text = "two working hours"

    def zone(self) -> dt.tzinfo:
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise PracticeConfigError(f"office_hours: unknown timezone '{self.timezone}'") from None

    def is_open(self, moment: dt.datetime) -> bool:
        local = moment.astimezone(self.zone())
        return WEEKDAYS[local.weekday()] in self.days and self.opens <= local.time() < self.closes

    def next_opening(self, moment: dt.datetime) -> dt.datetime:
        local = moment.astimezone(self.zone())
        for ahead in range(8):
            day = local.date() + dt.timedelta(days=ahead)
            opening = dt.datetime.combine(day, self.opens, tzinfo=self.zone())
            if WEEKDAYS[day.weekday()] in self.days and opening > local:
                return opening
        raise PracticeConfigError("office_hours: no opening day configured")

    def describe(self) -> Text:
        days = [d for d in WEEKDAYS if d in self.days]
        if days == WEEKDAYS[:5]:
            span = "Monday to Friday"
        elif len(days) > 2 and days == WEEKDAYS[WEEKDAYS.index(days[0]) : WEEKDAYS.index(days[-1]) + 1]:
            span = f"{days[0].title()} to {days[-1].title()}"
        else:
            span = ", ".join(d.title() for d in days)
        return f"{span}, {_clock(self.opens)} to {_clock(self.closes)}"


def _clock(time: dt.time) -> Text:
    hour = time.hour % 12 or 12
    suffix = "am" if time.hour < 12 else "pm"
    return f"{hour}{suffix}" if not time.minute else f"{hour}:{time.minute:02d}{suffix}"


def _time(value: Any, default: dt.time) -> dt.time:
    if value is None:
        return default
    if isinstance(value, int):  # YAML reads 09:00 unquoted as minutes (sexagesimal)
        return dt.time(value // 60, value % 60)
    try:
        return dt.time.fromisoformat(str(value))
    except ValueError:
        raise PracticeConfigError(f"office_hours: not a time (HH:MM): {value}") from None


def office_hours() -> OfficeHours:
    raw = _practice_file().get("office_hours") or {}
    days = [str(d).lower() for d in raw.get("days") or WEEKDAYS[:5]]
    unknown = [d for d in days if d not in WEEKDAYS]
    if unknown:
        raise PracticeConfigError(f"office_hours: unknown days {unknown}")
    return OfficeHours(
        timezone=str(raw.get("timezone") or "UTC"),
        days=days,
        opens=_time(raw.get("opens"), dt.time(9, 0)),
        closes=_time(raw.get("closes"), dt.time(17, 0)),
        reply_within=str(raw.get("reply_within") or "two working hours"),
    )


@dataclass
class ContactSettings:
    default_region: Text = "US"
    skippable: bool = True
    licensed_regions: List[Text] = field(default_factory=list)
    minimum_age: int = 18
    under_age_path: Text = ""
    ask_payment: bool = True

    def response_values(self) -> Dict[Text, Text]:
        """What the contact questions say, filled in Rasa-side like the crisis line."""
        regions = self.licensed_regions
        listed = ", ".join(regions[:-1]) + " and " + regions[-1] if len(regions) > 1 else "".join(regions)
        return {
            "licensed_regions": listed or "your area",
            "minimum_age": str(self.minimum_age),
            "under_age_path": self.under_age_path,
        }


def contact_settings() -> ContactSettings:
    raw = _practice_file().get("contact") or {}
    phone = str(_practice_file().get("practice_phone") or "the practice")
    return ContactSettings(
        default_region=str(raw.get("default_region") or "US").upper(),
        skippable=bool(raw.get("skippable", True)),
        licensed_regions=[str(r) for r in raw.get("licensed_regions") or []],
        minimum_age=int(raw.get("minimum_age", 18) or 0),
        under_age_path=str(
            raw.get("under_age_path") or "a parent or guardian can contact the practice on {practice_phone}"
        ).replace("{practice_phone}", phone),
        ask_payment=bool(raw.get("ask_payment", True)),
    )


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def within_office_hours(moment: Optional[dt.datetime] = None) -> bool:
    return office_hours().is_open(moment or now())


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
        values["language_offer"] = (
            f"The practice has clinicians who speak {spoken}: I'll note your language "
            "so that your sessions can be with one of them."
        )
    else:
        values["language_offer"] = (
            "Sessions are in English too; if that's hard for you, tell me and I'll note it for the team."
        )
    return values
