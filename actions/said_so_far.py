"""What the person said: in the message being answered, and in the whole conversation.

The tracker the action server gets holds every message's parse, also of turns taken
while this server was down (the person was told that what they wrote is saved), so
what they said then is read from there and reaches the record.
"""
from typing import List, Text

from rasa_sdk import Tracker

from intake.ipt_wording import merge_unique


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
    return merge_unique(merge_unique(tracker.get_slot(slot), said_so_far(tracker, entity)),
                        entity_values(tracker, entity))
