"""The safety slots fold each new value into the last (intake_dialogue/safety_slots.py),
while the domain keeps their contract types (`categorical`, `list`).

A slot mapping can only read the current message; `risk_level` must keep the highest
tier reached and raise a waiting check on a yes, `risk_categories` must accumulate, and
the rules read `safety_state`. Rasa 3.6 builds a domain's slots in `Domain.collect_slots`
from each slot's `type`; this replaces the three safety slots there with their folding
types (same name, mappings, values and featurization). Without the patches
(INTAKE_RASA_PATCHES=off) they are plain slots: the tiers still answer, but a later check
can lower `risk_level`, and a yes to the check leaves it at `check`.
"""

from typing import Any, Dict, List, Text

from rasa.shared.core.domain import Domain
from rasa.shared.core.slots import CategoricalSlot, ListSlot, Slot

from intake_dialogue.safety_slots import RiskCategoriesSlot, RiskLevelSlot, SafetyStateSlot

FOLDING = {"risk_level": RiskLevelSlot, "safety_state": SafetyStateSlot, "risk_categories": RiskCategoriesSlot}

_original_collect_slots = Domain.collect_slots


def _folding(slot: Slot) -> Slot:
    kind = FOLDING.get(slot.name)
    if kind is None or isinstance(slot, kind):
        return slot
    common = dict(
        mappings=slot.mappings, initial_value=slot.initial_value, influence_conversation=slot.influence_conversation
    )
    if isinstance(slot, CategoricalSlot) and issubclass(kind, CategoricalSlot):
        return kind(slot.name, values=[v for v in slot.values if v != "__other__"], **common)
    if isinstance(slot, ListSlot) and issubclass(kind, ListSlot):
        return kind(slot.name, **common)
    return slot  # a domain that gave the slot another type keeps it


def collect_slots(slot_dict: Dict[Text, Any]) -> List[Slot]:
    return [_folding(slot) for slot in _original_collect_slots(slot_dict)]


def install() -> None:
    Domain.collect_slots = staticmethod(collect_slots)
