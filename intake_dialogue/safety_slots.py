"""Slot types for the safety tiers, so that they are kept Rasa-side with no custom action.

A slot mapping can only read the current message, never the slot's previous value. These
types fold each new value into the old one when the event is applied (and so again on
every replay of the conversation's events):
- RiskLevelSlot keeps the HIGHEST tier reached (a later check never lowers a crisis), and
  remembers whether a safety check is waiting for its answer: `answer_yes` to a waiting
  check raises the tier to crisis; `answer_no` closes the check.
- RiskCategoriesSlot accumulates categories without duplicates.
- SafetyStateSlot is where the conversation stands on safety: `asked` (a check waits for
  its answer), `active` (after a crisis, until the person says they are safe),
  `resolved`; the rules in data/rules/safety.yml read it.
The answer markers come from from_intent mappings on affirm / deny (domain/safety.yml).
The domain declares these slots with their contract types; intake_rasa_patches/
safety_slot_types.py gives them these types when Rasa builds the domain.
"""

from typing import Any, Dict, Optional

from rasa.shared.core.slots import CategoricalSlot, ListSlot

TIERS = ["check", "crisis", "imminent"]
ANSWER_YES, ANSWER_NO, SAID_SAFE = "answer_yes", "answer_no", "said_safe"
ASKED, ACTIVE, RESOLVED = "asked", "active", "resolved"


class _FoldingCategoricalSlot(CategoricalSlot):
    type_name = "intake_dialogue.safety_slots._FoldingCategoricalSlot"

    def persistence_info(self) -> Dict[str, Any]:
        # The contract's type; intake_rasa_patches/safety_slot_types.py folds it again on load.
        return {**super().persistence_info(), "type": "categorical"}

    def fold(self, incoming: Any) -> Optional[str]:
        raise NotImplementedError

    @property
    def value(self) -> Any:
        return self._value

    @value.setter
    def value(self, incoming: Any) -> None:
        self._value = None if incoming is None else self.fold(incoming)
        self._has_been_set = True

    def reset(self) -> None:
        self._pending = False
        super().reset()


class RiskLevelSlot(_FoldingCategoricalSlot):
    type_name = "intake_dialogue.safety_slots.RiskLevelSlot"
    _pending = False  # a safety check waits for its answer

    def fold(self, incoming: Any) -> Optional[str]:
        current = self._value if self._value in TIERS else None
        if incoming == ANSWER_YES:
            incoming = "crisis" if self._pending else None
            self._pending = False
        elif incoming == ANSWER_NO:
            self._pending = False
            return current
        if incoming not in TIERS:
            return current
        if incoming == "check":
            self._pending = current in (None, "check")
        else:
            self._pending = False
        if current is None or TIERS.index(incoming) > TIERS.index(current):
            return incoming
        return current


class SafetyStateSlot(_FoldingCategoricalSlot):
    type_name = "intake_dialogue.safety_slots.SafetyStateSlot"

    def fold(self, incoming: Any) -> Optional[str]:
        current = self._value
        if incoming == ACTIVE:
            return ACTIVE
        if incoming == ASKED:
            return current if current == ACTIVE else ASKED
        if incoming == ANSWER_YES:
            return {ASKED: ACTIVE, ACTIVE: RESOLVED}.get(current, current)
        if incoming == ANSWER_NO:
            return None if current == ASKED else current
        if incoming == SAID_SAFE:
            return RESOLVED if current in (ACTIVE, ASKED) else current
        return current


class RiskCategoriesSlot(ListSlot):
    type_name = "intake_dialogue.safety_slots.RiskCategoriesSlot"

    def persistence_info(self) -> Dict[str, Any]:
        return {**super().persistence_info(), "type": "list"}

    @property
    def value(self) -> Any:
        return self._value

    @value.setter
    def value(self, incoming: Any) -> None:
        if incoming is None:
            self._value = None
        else:
            incoming = incoming if isinstance(incoming, list) else [incoming]
            self._value = list(dict.fromkeys((self._value or []) + incoming))
        self._has_been_set = True
