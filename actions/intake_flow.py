"""The listening part of the intake and the schedule read-back.

`next_step` is the intake clinician's judgement in one pure function: given what the
person just said and what has been asked, what to say and which stage comes next.
The rules in data/rules/intake.yml chain the next action from that stage.
"""

import logging
import re
from dataclasses import dataclass, field, replace
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.contact import ContactStep, ask_contact_response
from actions.contact_after_intake import update_stored_contact
from actions.intake_storage import _UsesIntakeStore, record_from_tracker
from actions.phrasing import PRACTICAL_ANSWERS, is_question, practical_questions
from actions.said_so_far import accumulated, concerns_so_far, entity_values
from actions.slot_mappings import denied_concerns
from actions.stages import (
    ASK_CONTACT,
    CONFIRMING,
    CONFIRMING_CONTACT,
    CONSENT_TO_STORE,
    DECLINED,
    DONE,
    IPT_OFFERED,
    IPT_SUGGESTED,
    LISTENING,
    NO_CONSENT,
    SCREENING,
    SCREENING_OFFERED,
    START_SCHEDULING,
    SUBMIT,
    SUGGEST_IPT,
)
from intake import scheduling_normalizer as normalize
from intake.ipt_wording import FOCUS_EXPLANATIONS, describe_concerns, ipt_focus_for
from intake.vocabulary import COPING_WORDS, describe_schedule, join_words
from intake_stores.intake_records import IntakeStoreError

logger = logging.getLogger(__name__)

Utterance = Tuple[Text, Dict[Text, Any]]

SCHEDULE_SLOTS = ["preferred_days", "preferred_time", "session_format"]
RECORD_UPDATED = "utter_changed_record"


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
    denied: List[Text] = field(default_factory=list)  # taken back in this message ("work's fine")
    paused: bool = False
    unsure: bool = False  # "idk", "not sure": the whole message says they don't know
    text: Text = ""
    schedule: Dict[Text, Any] = field(default_factory=dict)  # the schedule slots as they are
    schedule_note: Optional[Text] = None  # the alternatives of ranked answers
    stored: bool = False  # an intake record exists (intake_id)
    therapy_declined: bool = False  # therapy_accepted is False: nothing about it is pending


# Harm is not a way of coping to praise: it is noted for the clinician.
HARM_CONCERNS = ("substance_use", "self_harm")


@dataclass
class Step:
    say: List[Utterance] = field(default_factory=list)
    stage: Text = LISTENING
    slots: Dict[Text, Any] = field(default_factory=dict)
    update_record: bool = False  # the stored intake record must follow the new slots


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
    elif harm or state.asked[-1:] != ["coping"] or state.stage not in (None, LISTENING):
        return  # only right after "have you tried anything?"
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


_ABOUT_THEIR_WEEK = re.compile(r"\b(work|working|job|shifts?|boss|class|classes|school|uni|college)\b")


def _schedule_as_yes(state: IntakeState) -> bool:
    """A schedule given after "questions, or get started?" ("mondays, evenings") is a yes
    with its answers. Not after "have you heard of IPT?", and not when the days are part of
    telling their story ("I work at the café on weekends"): stored fields change only on an
    answer to the question that sets them."""
    return (
        state.intent == "inform_schedule"
        and state.stage == IPT_OFFERED
        and not state.mentioned
        and not state.coping_mentioned
        and not _ABOUT_THEIR_WEEK.search(state.text.lower())
    )


# A yes that says what it agrees to: "yes, let's do it" at "have you heard of IPT?" is a yes
# to starting, not to having heard of it.
_STARTING = re.compile(
    r"\b(let'?s (?:do|try|go|start)|i'?ll (?:do|try|give)|sign me up|count me in|go for it|i'?m in|"
    r"i'?d like to (?:try|start|do)|i want to (?:try|start|do)|give it a (?:go|try|shot)|book me)\b"
)


def _considering_ipt(state: IntakeState) -> Step:
    step = Step(stage=IPT_OFFERED)
    text = state.text.lower().replace("’", "'")
    starting = state.intent == "affirm" and (state.stage == IPT_OFFERED or bool(_STARTING.search(text)))
    if starting or _schedule_as_yes(state):
        step.say.append(("utter_glad_to_start", {}))
        step.slots["therapy_accepted"] = True
        # "Mondays, evenings": what the answer already says is kept; the form asks the rest.
        step.slots.update(
            schedule_changes(state.text, state.schedule_note) if state.intent == "inform_schedule" else {}
        )
        step.stage = START_SCHEDULING
        return step
    if state.intent == "deny" and state.stage == IPT_OFFERED and not state.denied:
        step.say.append(("utter_respect_decision", {}))
        step.slots["therapy_accepted"] = False
        step.stage = DECLINED
        return step
    if state.intent == "deny" and not state.denied:  # has not heard of IPT
        step.say.append(("utter_explain_ipt", {}))
    elif state.intent == "affirm" and not state.denied and not _ABOUT_THEIR_WEEK.search(text):
        step.say.append(("utter_glad_you_know_ipt", {}))  # has heard of IPT
    else:
        _correct(state, step)
        _reflect(state, step)
        _acknowledge_coping(state, step)
        if not step.say and not state.mentioned:  # "no, work's fine", "I do shifts at weekends"
            step.say.append(("utter_acknowledge_answer", {}))
        focus = ipt_focus_for(state.concerns)
        if (state.mentioned or state.corrected) and focus:
            step.say.append(("utter_ipt_connects_focus", {"focus_explanation": FOCUS_EXPLANATIONS[focus]}))
        elif state.mentioned or state.corrected:
            step.say.append(("utter_noted_for_clinician", {}))
    step.say.append(("utter_ask_questions_or_start", {}))
    return step


def schedule_changes(text: Text, note: Optional[Text] = None) -> Dict[Text, Any]:
    """The schedule values a message sets ("make that Thursday" -> preferred_days), and
    the note of alternatives when it changes ("phone, video at a push")."""
    found = {
        "preferred_days": normalize.normalize_days(text),
        "preferred_time": normalize.normalize_time(text),
        "session_format": normalize.normalize_format(text),
    }
    changes = {slot: value for slot, value in found.items() if value}
    new_note = normalize.merge_notes(note, normalize.alternatives(text), tuple(changes))
    if changes and new_note != note:
        changes["schedule_note"] = new_note
    return changes


_CHANGING = ("change_answer", "inform_schedule")


def _change_schedule(state: IntakeState) -> Optional[Step]:
    """A day, time or format changed at the read-back or after booking: applied and read
    back; after booking the stored record follows. None when this is not such a change."""
    if state.intent not in _CHANGING + ("deny",) or not any(state.schedule.values()):
        return None
    changes = schedule_changes(state.text, state.schedule_note)
    if not changes:
        if state.intent == "deny":
            return None
        return Step(say=[("utter_change_schedule_how", {})], stage=state.stage or DONE)
    summary = describe_schedule(*({**state.schedule, **changes}.get(slot) for slot in SCHEDULE_SLOTS))
    if state.stage == CONFIRMING or not state.stored:
        return Step(say=[("utter_confirm_schedule", {"summary": summary})], stage=CONFIRMING, slots=changes)
    step = Step(
        # The record line is replaced by the failure message if the update cannot be saved.
        say=[("utter_changed_schedule", {"summary": summary}), (RECORD_UPDATED, {})],
        stage=state.stage or DONE,
        slots=changes,
        update_record=True,
    )
    say, stage = pending_question(state)
    step.say += say
    step.stage = stage or step.stage
    return step


def _confirming(state: IntakeState) -> Step:
    if state.intent == "affirm":  # then how to reach them (actions/contact.py)
        return Step(say=[(ask_contact_response(), {})], stage=ASK_CONTACT)
    changed = _change_schedule(state)  # "no, make that Thursday"
    if changed:
        return changed
    if state.intent == "deny":
        slots: Dict[Text, Any] = {slot: None for slot in SCHEDULE_SLOTS + ["schedule_note"]}
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
            say=[("utter_screening_declined", {})],
            stage=DONE,
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
    if "no_record_help" not in state.asked:
        _ask(step, state, "no_record_help", "utter_no_record_offer_help")
        return step
    # Said once is enough: after that, what they tell is heard, never the same paragraph.
    if state.coping_mentioned:
        words = [COPING_WORDS.get(c, c) for c in state.coping_mentioned]
        step.say.append(("utter_acknowledge_coping", {"coping": join_words(words)}))
    step.say.append(("utter_anything_else", {}))
    return step


def _after_intake(state: IntakeState) -> Step:
    step = Step(stage=state.stage or DONE)
    _correct(state, step)
    _reflect(state, step)
    if state.mentioned:
        step.say.append(("utter_noted_for_clinician", {}))
    step.say.append(("utter_anything_else", {}))
    return step


# The question each stage waits on, asked again after a question back, an "I'm not sure"
# or a pause. In the listening stage it is the last question asked.
_LISTENING_QUESTIONS = {
    "consent": "utter_ask_consent",
    "presenting": "utter_ask_what_brings_you",
    "more": "utter_ask_more",
    "coping": "utter_ask_coping",
    "raised_at_work": "utter_ask_raised_at_work",
}
_STAGE_QUESTIONS = {
    # After "what is it?" at "have you heard of IPT?", the next question is the offer itself.
    IPT_SUGGESTED: ("utter_ask_questions_or_start", IPT_OFFERED),
    IPT_OFFERED: ("utter_ask_questions_or_start", IPT_OFFERED),
    CONFIRMING: ("utter_ask_schedule_right", CONFIRMING),
    SCREENING_OFFERED: ("utter_offer_screening", SCREENING_OFFERED),
    CONSENT_TO_STORE: ("utter_ask_consent_to_store", CONSENT_TO_STORE),
}
_UNSURE = re.compile(
    r"^\W*(?:um+|hm+|erm|uh+|well|honestly|tbh|i mean)?\W*(?:idk|idek|dunno|i dunno|not sure|i'?m not sure|unsure|"
    r"no idea|i have no idea|i don'?t know|i do not know|don'?t know|i can'?t say|hard to say|no clue|"
    r"what do you mean|what do u mean|not really sure|i'?m not really sure|i guess i don'?t know)"
    r"(?:\W+(?:really|tbh|honestly|to be honest|sorry|lol|what to say|how to answer|what you mean))*\W*$"
)


def is_unsure(text: Text) -> bool:
    return bool(_UNSURE.match((text or "").lower().replace("’", "'")))


def pending_question(state: IntakeState) -> Tuple[List[Utterance], Optional[Text]]:
    """What to ask again, and the stage to be in afterwards (None: leave it)."""
    if state.therapy_declined and state.stage in (None, LISTENING, IPT_SUGGESTED, IPT_OFFERED):
        return [], None  # "not for me": the intake's questions are not pressed on them
    if state.stage in _STAGE_QUESTIONS:
        response, stage = _STAGE_QUESTIONS[state.stage]
        return [(response, {})], stage
    if state.stage == START_SCHEDULING:
        return [], START_SCHEDULING  # the scheduling form resumes and asks what is missing
    if state.stage in (None, LISTENING):
        if state.asked:
            return [(_LISTENING_QUESTIONS.get(state.asked[-1], "utter_ask_what_brings_you"), {})], LISTENING
        return [("utter_ask_what_brings_you", {})], LISTENING
    return [], None


def _welcome_back(state: IntakeState) -> Step:
    say, stage = pending_question(state)
    return Step(
        say=[("utter_welcome_back", {})] + say, stage=stage or state.stage or LISTENING, slots={"paused": False}
    )


_GIVE_CONSENT = re.compile(
    r"\b(you can|you may|it'?s (?:ok|okay|fine) to|ok to|okay to|go ahead and|please|happy for you to)\s+"
    r"(?:keep|store|save|record)\b|\bchanged my mind\b.*\b(record|keep|store|save)\b"
)
_WITHDRAW_CONSENT = re.compile(
    r"\b(don'?t|do not|please don'?t|stop|no longer want you to|i'?d rather you didn'?t)\s+(?:keep|store|save|record)"
    r"(?:ing)?\b"
)


_WHAT_IS_KEPT = re.compile(
    r"\b(record|records|data|details|info|information|notes|conversation|chat|messages|what i "
    r"(?:said|say|wrote|write|told you))\b"
)


def _consent_change(state: IntakeState) -> Optional[Step]:
    """Consent given or withdrawn in words at any point before the record is stored."""
    if state.stored or state.intent not in (
        "affirm",
        "deny",
        "share_concern",
        "greet",
        "change_answer",
        "decline_therapy",
    ):
        return None
    text = state.text.lower().replace("’", "'")
    if not _WHAT_IS_KEPT.search(text):  # "please keep in mind...": not about the record
        return None
    if _WITHDRAW_CONSENT.search(text) and state.consent is not False:
        return Step(say=[("utter_consent_now_withdrawn", {})], stage=NO_CONSENT, slots={"consent_given": False})
    if _GIVE_CONSENT.search(text) and state.consent is not True:
        if state.stage not in (NO_CONSENT, LISTENING, None):
            return Step(say=[("utter_consent_now_given", {})], stage=state.stage, slots={"consent_given": True})
        # Back in the intake: the next question it would ask, now that a record may be kept.
        resumed = _listening(
            IntakeState(
                **{
                    **state.__dict__,
                    "intent": "share_concern",
                    "mentioned": [],
                    "coping_mentioned": [],
                    "looking_weak": False,
                    "consent": True,
                }
            )
        )
        resumed.say.insert(0, ("utter_consent_now_given", {}))
        resumed.slots["consent_given"] = True
        return resumed
    return None


def _yes_or_no_asked_as_a_question(state: IntakeState) -> Optional[Step]:
    """ "ok ok, how does it work" read as a yes, "ok so is it every week?" read as one: a
    question is answered, never taken as the answer to ours."""
    if state.intent not in ("affirm", "deny") or not is_question(state.text):
        return None
    practical = practical_questions(state.text)
    if practical:
        say = [(PRACTICAL_ANSWERS[name], {}) for name in practical]
    elif state.stage in (IPT_SUGGESTED, IPT_OFFERED):
        say = [("utter_explain_ipt", {})]
    else:
        return None
    pending, stage = pending_question(state)
    return Step(say=say + pending, stage=stage or state.stage or LISTENING)


def _declined(state: IntakeState) -> Optional[Step]:
    """ "Not for me" read as declining therapy: a no to the question pending, if that is the
    record or the questionnaire (their own steps answer it); otherwise therapy is declined."""
    if state.intent != "decline_therapy":
        return None
    if state.stage in (CONSENT_TO_STORE, SCREENING_OFFERED):
        return None
    if state.stage in (None, LISTENING) and state.asked[-1:] == ["consent"] and state.consent is None:
        return _listening(replace(state, intent="deny"))  # the record declined, not therapy
    # Without a record they stay where nothing is kept.
    stage = NO_CONSENT if state.stage == NO_CONSENT else DECLINED
    return Step(say=[("utter_respect_decision", {})], stage=stage, slots={"therapy_accepted": False})


def next_step(state: IntakeState) -> Step:
    if state.paused and state.intent == "greet":
        return _welcome_back(state)
    asked_back = _yes_or_no_asked_as_a_question(state)
    if asked_back:
        return asked_back
    if state.intent == "decline_therapy" and state.stage in (CONSENT_TO_STORE,):
        return _consent_to_store(replace(state, intent="deny"))
    consent_change = _consent_change(state)
    if consent_change:
        return consent_change
    declined = _declined(state)
    if declined:
        return declined
    if state.unsure:
        say, stage = pending_question(state)
        if say:
            return Step(say=[("utter_explain_pending_question", {})] + say, stage=stage or LISTENING)
    if state.stage == CONSENT_TO_STORE:
        return _consent_to_store(state)
    if state.stage == NO_CONSENT:
        return _without_consent(state)
    if state.stage in (IPT_SUGGESTED, IPT_OFFERED):
        return _considering_ipt(state)
    if state.stage == CONFIRMING:
        return _confirming(state)
    if state.stage in (DONE, SCREENING_OFFERED, DECLINED) and state.intent in _CHANGING:
        changed = _change_schedule(state)
        if changed:
            return changed
    if state.stage == SCREENING_OFFERED:
        return _screening_offered(state)
    if state.stage in (DECLINED, DONE):
        return _after_intake(state)
    return _listening(state)


# Intents the classifier gives a disclosure it is unsure of; with a concern in the
# message it is their story (data/rules/intake.yml).
UNSURE_INTENTS = ("nlu_fallback", "out_of_scope")


def intake_state(tracker: Tracker) -> IntakeState:
    mentioned = list(dict.fromkeys(entity_values(tracker, "concern")))
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    return IntakeState(
        stage=tracker.get_slot("intake_stage"),
        intent="share_concern" if intent in UNSURE_INTENTS and mentioned else intent,
        mentioned=mentioned,
        coping_mentioned=list(dict.fromkeys(entity_values(tracker, "coping_strategy"))),
        looking_weak="looking_weak" in entity_values(tracker, "worry"),
        concerns=concerns_so_far(tracker),
        reflected=tracker.get_slot("reflected_concerns") or [],
        coping=accumulated(tracker, "coping_strategies", "coping_strategy"),
        asked=tracker.get_slot("intake_asked") or [],
        consent=tracker.get_slot("consent_given"),
        corrected=[c for c in denied_concerns(tracker) if c in (tracker.get_slot("reflected_concerns") or [])],
        denied=denied_concerns(tracker),
        paused=bool(tracker.get_slot("paused")),
        unsure=is_unsure(tracker.latest_message.get("text") or ""),
        text=tracker.latest_message.get("text") or "",
        schedule={slot: tracker.get_slot(slot) for slot in SCHEDULE_SLOTS},
        schedule_note=tracker.get_slot("schedule_note"),
        stored=bool(tracker.get_slot("intake_id")),
        therapy_declined=tracker.get_slot("therapy_accepted") is False,
    )


def utter_all(dispatcher: CollectingDispatcher, utterances: List[Utterance]) -> None:
    for response, kwargs in utterances:
        dispatcher.utter_message(response=response, **kwargs)


class ActionContinueIntake(_UsesIntakeStore, Action):
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
        saved = False
        if step.update_record and tracker.get_slot("consent_given"):
            try:
                self.store.save(record_from_tracker(tracker, **step.slots))
                saved = True
            except IntakeStoreError as error:
                logger.error("Updating an intake failed: %s", error)
                step.say = [("utter_intake_store_failed", {}) if r == RECORD_UPDATED else (r, k) for r, k in step.say]
        utter_all(dispatcher, [(r, k) for r, k in step.say if r != RECORD_UPDATED or saved])
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
