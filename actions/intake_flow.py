"""The listening part of the intake and the schedule read-back.

`next_step` is the intake clinician's judgement in one pure function: given what the
person just said and what has been asked, what to say and which stage comes next.
The rules in data/rules/intake.yml chain the next action from that stage.
"""
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from intake.ipt_wording import FOCUS_EXPLANATIONS, describe_concerns, ipt_focus_for
from actions.contact import ContactStep, ask_contact_response
from actions.contact_after_intake import update_stored_contact
from actions.said_so_far import accumulated, concerns_so_far, entity_values
from actions.slot_mappings import denied_concerns
from actions.stages import (
    ASK_CONTACT, CONFIRMING, CONFIRMING_CONTACT, CONSENT_TO_STORE, DECLINED, DONE, IPT_OFFERED, IPT_SUGGESTED, LISTENING, NO_CONSENT,
    SCREENING, SCREENING_OFFERED, START_SCHEDULING, SUBMIT, SUGGEST_IPT,
)
from intake.ipt_wording import FOCUS_EXPLANATIONS, describe_concerns, ipt_focus_for
from intake.vocabulary import COPING_WORDS, describe_schedule, join_words

Utterance = Tuple[Text, Dict[Text, Any]]

SCHEDULE_SLOTS = ["preferred_days", "preferred_time", "session_format"]


@dataclass
class IntakeState:
    stage: Optional[Text]
    intent: Optional[Text]
    mentioned: List[Text]  # concerns in this message
    coping_mentioned: List[Text]
    looking_weak: bool
    concerns: List[Text]  # all so far, this message included
    reflected: List[Text]  # concerns already reflected back
    coping: List[Text]
    asked: List[Text]
    consent: Optional[bool] = None
    corrected: List[Text] = field(default_factory=list)  # reflected back, now taken back


# Harm is not a way of coping to praise: it is noted for the clinician.
HARM_CONCERNS = ("substance_use", "self_harm")


@dataclass
class Step:
    say: List[Utterance] = field(default_factory=list)
    stage: Text = LISTENING
    slots: Dict[Text, Any] = field(default_factory=dict)


def _reflect(state: IntakeState, step: Step) -> None:
    new = [c for c in state.mentioned if c not in state.reflected]
    if not new:
        return
    response = "utter_reflect_more" if state.reflected else "utter_reflect_concerns"
    step.say.append((response, {"reflection": describe_concerns(new)}))
    step.slots["reflected_concerns"] = state.reflected + new


def _correct(state: IntakeState, step: Step) -> None:
    """What they took back is out of the notes, and can be reflected again if they
    bring it up later."""
    if not state.corrected:
        return
    step.say.append(("utter_correction_noted", {"corrected": describe_concerns(state.corrected)}))
    state.reflected = [c for c in state.reflected if c not in state.corrected]
    step.slots["reflected_concerns"] = state.reflected


def _acknowledge_coping(state: IntakeState, step: Step) -> None:
    harm = [c for c in state.mentioned if c in HARM_CONCERNS]
    if harm:
        step.say.append(("utter_acknowledge_harm", {}))
    if state.coping_mentioned or (state.intent == "report_coping" and state.coping and not harm):
        words = [COPING_WORDS.get(c, c) for c in (state.coping_mentioned or state.coping)]
        step.say.append(("utter_acknowledge_coping", {"coping": join_words(words)}))
    elif harm or state.asked[-1:] != ["coping"]:
        return
    elif state.intent == "deny" and not state.mentioned:
        step.say.append(("utter_acknowledge_no_coping", {}))
    elif state.intent in ("deny", "report_coping", "share_concern"):
        # They told us what they tried, in words we have no name for: never "many people
        # haven't found anything" after a list.
        step.say.append(("utter_acknowledge_what_tried", {}))


def _ask(step: Step, state: IntakeState, question: Text, response: Text) -> None:
    step.say.append((response, {}))
    step.slots["intake_asked"] = state.asked + [question]


def _answered_consent(state: IntakeState, step: Step) -> bool:
    """A yes or no right after the consent question records the answer."""
    if state.asked[-1:] != ["consent"] or state.intent not in ("affirm", "deny"):
        return False
    given = state.intent == "affirm"
    step.slots["consent_given"] = given
    step.say.append(("utter_consent_thanks" if given else "utter_consent_declined", {}))
    return True


def _listening(state: IntakeState) -> Step:
    step = Step()
    if state.intent == "greet":
        step.say.append(("utter_greet", {}))
        if state.consent is None and "consent" not in state.asked:
            _ask(step, state, "consent", "utter_ask_consent")
        return step
    if _answered_consent(state, step):
        if not step.slots["consent_given"]:
            step.stage = NO_CONSENT
            return step
    _correct(state, step)
    _reflect(state, step)
    if state.looking_weak:
        step.say.append(("utter_reassure_not_weak", {}))
    _acknowledge_coping(state, step)
    if state.corrected and not state.mentioned:
        _ask(step, state, "more", "utter_ask_more_after_correction")
    elif state.concerns and state.consent is None and "consent" not in state.asked:
        # Before the first question about their difficulties.
        _ask(step, state, "consent", "utter_ask_consent")
    elif not state.concerns:
        _ask(step, state, "presenting", "utter_ask_what_brings_you")
    elif "more" not in state.asked:
        _ask(step, state, "more", "utter_ask_more")
    elif "coping" not in state.asked and not state.coping:
        _ask(step, state, "coping", "utter_ask_coping")
    elif "work" in state.concerns and "raised_at_work" not in state.asked:
        _ask(step, state, "raised_at_work", "utter_ask_raised_at_work")
    else:
        if state.asked[-1:] == ["raised_at_work"] and not state.looking_weak and not state.mentioned:
            step.say.append(("utter_acknowledge_answer", {}))
        step.stage = SUGGEST_IPT
    return step


def _considering_ipt(state: IntakeState) -> Step:
    step = Step(stage=IPT_OFFERED)
    if state.intent == "affirm" and state.stage == IPT_OFFERED or state.intent == "inform_schedule":
        step.say.append(("utter_glad_to_start", {}))
        step.slots["therapy_accepted"] = True
        step.stage = START_SCHEDULING
        return step
    if state.intent == "deny" and state.stage == IPT_OFFERED:
        step.say.append(("utter_respect_decision", {}))
        step.slots["therapy_accepted"] = False
        step.stage = DECLINED
        return step
    if state.intent == "deny":  # has not heard of IPT
        step.say.append(("utter_explain_ipt", {}))
    elif state.intent == "affirm":  # has heard of IPT
        step.say.append(("utter_glad_you_know_ipt", {}))
    else:
        _correct(state, step)
        _reflect(state, step)
        _acknowledge_coping(state, step)
        focus = ipt_focus_for(state.concerns)
        if (state.mentioned or state.corrected) and focus:
            step.say.append(("utter_ipt_connects_focus", {"focus_explanation": FOCUS_EXPLANATIONS[focus]}))
        elif state.mentioned or state.corrected:
            step.say.append(("utter_noted_for_clinician", {}))
    step.say.append(("utter_ask_questions_or_start", {}))
    return step


def _confirming(state: IntakeState) -> Step:
    if state.intent == "affirm":  # then how to reach them (actions/contact.py)
        return Step(say=[(ask_contact_response(), {})], stage=ASK_CONTACT)
    if state.intent == "deny":
        slots: Dict[Text, Any] = {slot: None for slot in SCHEDULE_SLOTS}
        slots["answer_attempts"] = 0.0
        return Step(say=[("utter_lets_fix_schedule", {})], stage=START_SCHEDULING, slots=slots)
    step = Step(stage=CONFIRMING)
    _correct(state, step)
    _reflect(state, step)
    step.say.append(("utter_ask_schedule_right", {}))
    return step


def _consent_to_store(state: IntakeState) -> Step:
    if state.intent == "affirm":
        return Step(stage=SUBMIT, slots={"consent_given": True})
    if state.intent == "deny":
        return Step(say=[("utter_nothing_stored", {})], stage=DONE, slots={"consent_given": False})
    return Step(say=[("utter_ask_consent_to_store", {})], stage=CONSENT_TO_STORE)


def _screening_offered(state: IntakeState) -> Step:
    if state.intent in ("affirm", "accept_therapy", "answer_screening"):
        return Step(stage=SCREENING)
    if state.intent in ("deny", "skip_questionnaire", "decline_therapy", "refuse_to_talk"):
        return Step(
            say=[("utter_screening_declined", {})], stage=DONE,
            slots={"screening_status": "declined"},
        )
    step = Step(stage=SCREENING_OFFERED)
    _correct(state, step)
    _reflect(state, step)
    if state.mentioned:
        step.say.append(("utter_noted_for_clinician", {}))
    step.say.append(("utter_offer_screening", {}))
    return step


def _without_consent(state: IntakeState) -> Step:
    step = Step(stage=NO_CONSENT)
    _correct(state, step)
    _reflect(state, step)
    step.say.append(("utter_no_record_offer_help", {}))
    return step


def _after_intake(state: IntakeState) -> Step:
    step = Step(stage=state.stage or DONE)
    _correct(state, step)
    _reflect(state, step)
    if state.mentioned:
        step.say.append(("utter_noted_for_clinician", {}))
    step.say.append(("utter_anything_else", {}))
    return step


def next_step(state: IntakeState) -> Step:
    if state.stage == CONSENT_TO_STORE:
        return _consent_to_store(state)
    if state.stage == NO_CONSENT:
        return _without_consent(state)
    if state.stage in (IPT_SUGGESTED, IPT_OFFERED):
        return _considering_ipt(state)
    if state.stage == CONFIRMING:
        return _confirming(state)
    if state.stage == SCREENING_OFFERED:
        return _screening_offered(state)
    if state.stage in (DECLINED, DONE):
        return _after_intake(state)
    return _listening(state)


def intake_state(tracker: Tracker) -> IntakeState:
    return IntakeState(
        stage=tracker.get_slot("intake_stage"),
        intent=(tracker.latest_message.get("intent") or {}).get("name"),
        mentioned=list(dict.fromkeys(entity_values(tracker, "concern"))),
        coping_mentioned=list(dict.fromkeys(entity_values(tracker, "coping_strategy"))),
        looking_weak="looking_weak" in entity_values(tracker, "worry"),
        concerns=concerns_so_far(tracker),
        reflected=tracker.get_slot("reflected_concerns") or [],
        coping=accumulated(tracker, "coping_strategies", "coping_strategy"),
        asked=tracker.get_slot("intake_asked") or [],
        consent=tracker.get_slot("consent_given"),
        corrected=[c for c in denied_concerns(tracker) if c in (tracker.get_slot("reflected_concerns") or [])],
    )


def utter_all(dispatcher: CollectingDispatcher, utterances: List[Utterance]) -> None:
    for response, kwargs in utterances:
        dispatcher.utter_message(response=response, **kwargs)


class ActionContinueIntake(Action):
    def name(self) -> Text:
        return "action_continue_intake"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        if tracker.get_slot("intake_stage") in (ASK_CONTACT, CONFIRMING_CONTACT):
            return ContactStep(dispatcher, tracker).run(tracker.get_slot("intake_stage"))
        if (tracker.latest_message.get("intent") or {}).get("name") == "inform_contact":
            updated = update_stored_contact(dispatcher, tracker)
            if updated is not None:
                return updated
        step = next_step(intake_state(tracker))
        utter_all(dispatcher, step.say)
        events = [SlotSet(slot, value) for slot, value in step.slots.items()]
        return events + [SlotSet("intake_stage", step.stage)]


def schedule_summary(tracker: Tracker) -> Text:
    return describe_schedule(*(tracker.get_slot(slot) for slot in SCHEDULE_SLOTS))


class ActionConfirmSchedule(Action):
    def name(self) -> Text:
        return "action_confirm_schedule"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response="utter_confirm_schedule", summary=schedule_summary(tracker))
        return [SlotSet("intake_stage", CONFIRMING)]
