"""What the person said: in the message being answered, and in the whole conversation.

The tracker the action server gets holds every message's parse, also of turns taken
while this server was down (the person was told that what they wrote is saved), so
what they said then is read from there and reaches the record.
"""

from typing import List, Text

from rasa_sdk import Tracker

from intake.ipt_wording import merge_unique
from intake.vocabulary import FEELINGS


def entity_values(tracker: Tracker, entity: Text) -> List[Text]:
    return [
        e["value"]
        for e in tracker.latest_message.get("entities", [])
        if e.get("entity") == entity and isinstance(e.get("value"), str)
    ]


def said_so_far(tracker: Tracker, entity: Text) -> List[Text]:
    """The entity's values in every message of the conversation, in order."""
    values: List[Text] = []
    for event in tracker.events or []:
        if event.get("event") != "user":
            continue
        for found in (event.get("parse_data") or {}).get("entities") or []:
            if found.get("entity") == entity and isinstance(found.get("value"), str):
                values.append(found["value"])
    return values


def accumulated(tracker: Tracker, slot: Text, entity: Text) -> List[Text]:
    """The slot's values and every value said so far, without duplicates."""
    return merge_unique(
        merge_unique(tracker.get_slot(slot), said_so_far(tracker, entity)), entity_values(tracker, entity)
    )


def _values(entities: List[dict], entity: Text) -> List[Text]:
    return [e["value"] for e in entities if e.get("entity") == entity and isinstance(e.get("value"), str)]


def concerns_so_far(tracker: Tracker) -> List[Text]:
    """Every concern said in the conversation, minus what the person took back later: a
    `denied_concern` ("it's not work"), or a `correction` ("that's not it") of what was
    reflected back just before (the situation, not a feeling, unless that is all)."""
    concerns: List[Text] = list(tracker.get_slot("concerns") or [])
    reflected: List[Text] = []
    reflected_since_message: List[Text] = []
    for event in tracker.events or []:
        if event.get("event") == "slot" and event.get("name") == "reflected_concerns":
            value = list(event.get("value") or [])
            reflected_since_message += [c for c in value if c not in reflected]
            reflected = value
        elif event.get("event") == "user":
            entities = (event.get("parse_data") or {}).get("entities") or []
            mentioned = _values(entities, "concern")
            denied = _values(entities, "denied_concern")
            if _values(entities, "correction"):
                denied += [c for c in reflected_since_message if c not in FEELINGS] or reflected_since_message
            concerns = merge_unique([c for c in concerns if c not in denied or c in mentioned], mentioned)
            reflected_since_message = []
    return concerns
