"""Questions back, pausing, and changing an answer.

- action_answer_question: answers what the person asked, then asks the pending question
  again (inside a form the form asks it), so a question never loses the place.
- action_pause: "stop", "I have to go", "not today" end the current step kindly; what was
  said is kept, and a greeting later picks up the pending question (intake_flow.py).
Changing a day, time or format at the read-back or after booking is part of the intake's
own step (intake_flow.py `_change_schedule`), so the stored record follows there.
"""

import re
from dataclasses import replace
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.intake_flow import IntakeState, intake_state, next_step, pending_question, utter_all
from actions.phrasing import PRACTICAL_ANSWERS, is_question, practical_questions
from actions.stages import LISTENING, START_SCHEDULING

ANSWERS = {
    "ask_next_steps": "utter_answer_next_steps",
    "ask_medication": "utter_answer_medication",
    "ask_diagnosis": "utter_answer_diagnosis",
    "ask_language": "utter_answer_language",
    "ask_minor": "utter_answer_minor",
    "ask_couples": "utter_answer_couples",
    "ask_therapist_preference": "utter_answer_therapist_preference",
    # The older questions (data/rules/faq.yml answer them the same way through this action).
    "ask_ipt": "utter_explain_ipt",
    **PRACTICAL_ANSWERS,
    "ask_privacy": "utter_privacy",
    "bot_challenge": "utter_iamabot",
}


# Two questions in one message are both answered when the classifier is nearly as sure of
# the second as of the first.
SECOND_QUESTION_SHARE = 0.5


def second_question(message: Dict[Text, Any], first: Text) -> Optional[Text]:
    ranking = message.get("intent_ranking") or []
    top = next((r.get("confidence") or 0.0 for r in ranking if r.get("name") == first), 0.0)
    for candidate in ranking:
        name, confidence = candidate.get("name"), candidate.get("confidence") or 0.0
        if name != first and name in ANSWERS:
            return name if top and confidence >= SECOND_QUESTION_SHARE * top else None
    return None


# Asking what IPT is, as against one practical thing about it.
_WHAT_IT_IS = re.compile(
    r"\bwhat(?:'s| is| does| would| exactly)\b|\bwhats\b|\bexplain|\binvolve|\bwork on\b|\bdifferent\b|\bipt\b|"
    r"\binterpersonal\b"
)


def questions_asked(message: Dict[Text, Any], intent: Optional[Text]) -> List[Text]:
    """The questions to answer, in order: the classifier's, a second one it is nearly as
    sure of, and any practical question the words ask. A general "what is IPT" read from a
    practical question alone gives way to that question."""
    text = (message.get("text") or "").lower()
    in_words = practical_questions(text)
    if intent == "ask_ipt" and in_words and not _WHAT_IT_IS.search(text):
        return in_words
    asked = [intent or "", second_question(message, intent) or ""] + in_words
    return [name for name in dict.fromkeys(asked) if name]


# Stages where a disclosure is heard by the intake's listening step (elsewhere the
# question's answer does no harm).
_LISTENING_STAGES = (None, LISTENING)


def told_not_asked(state: IntakeState, active_loop: Optional[Dict[Text, Any]]) -> bool:
    """Read as a question, but said as a statement that tells us how they are: no question
    in its words, and a concern in it."""
    return (
        not (active_loop or {}).get("name")
        and state.stage in _LISTENING_STAGES
        and bool(state.mentioned)
        and not is_question(state.text)
    )


class ActionAnswerQuestion(Action):
    def name(self) -> Text:
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        state = intake_state(tracker)
        step = next_step(replace(state, intent="share_concern"))
        if told_not_asked(state, tracker.active_loop) and step.stage == LISTENING:
            # "I'm on sertraline, still feel flat": a disclosure, heard as one (and the
            # listening goes on; the step that suggests IPT is chained from the intake's own
            # action, so that one is left to the next message).
            utter_all(dispatcher, step.say)
            events = [SlotSet(slot, value) for slot, value in step.slots.items()]
            return events + [SlotSet("intake_stage", step.stage)]
        for asked in questions_asked(tracker.latest_message, intent):
            dispatcher.utter_message(response=ANSWERS.get(asked, "utter_default"))
        if tracker.active_loop.get("name"):
            return []  # the form asks its question again itself
        say, stage = pending_question(state)
        utter_all(dispatcher, say)
        return [SlotSet("intake_stage", stage)] if stage and stage != state.stage else []


class ActionPause(Action):
    def name(self) -> Text:
        return "action_pause"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        kept = tracker.get_slot("consent_given") is not False
        dispatcher.utter_message(response="utter_pause" if kept else "utter_pause_no_record")
        events: List[Dict[Text, Any]] = [SlotSet("paused", True)]
        if tracker.active_loop.get("name") == "scheduling_form":
            # Resumed with a greeting: the form asks only what is still missing.
            events += [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet("intake_stage", START_SCHEDULING)]
        elif tracker.active_loop.get("name"):
            events += [ActiveLoop(None), SlotSet("requested_slot", None)]
        return events
