"""What a person meets when a store is down: never silence, and no turn lost unsaid.

Rasa 3.6, when the lock store (Redis) is down, logs the error and the REST channel
answers `200 []`; when the tracker store is down it falls back to memory, so each turn
starts a new conversation that is never stored. Here (on every channel; the patch
intake_rasa_patches/store_outage.py makes the tracker store's errors reach this point):

- the message is still understood (the NLU needs no store). A crisis message gets the
  crisis response, and its turn is kept in the local spool (intake_stores/spool.py)
  and appended to the conversation once the stores are back, with risk_flag set: the
  turn is accepted, stored exactly once, and the record it leads to is urgent;
- any other message gets a short apology with the crisis line saying that it was NOT
  saved and should be sent again; over REST the status is 503, so a load balancer may
  retry it on another server (nothing of it was stored) and a client knows;
- before a conversation's next message is handled, its kept turns are replayed first,
  so they stay in order; the server also replays them every few seconds.

Errors are logged with their type only (a database error can quote the SQL with the
message in it).
"""

import asyncio
import contextvars
import logging
import os
from typing import Any, Dict, List, Optional, Text

import redis.exceptions
import sqlalchemy.exc
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.lock_store import LockError
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Event,
    SlotSet,
    UserUttered,
)
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, Sanic

from intake.practice import practice_settings
from intake_channels.checks import OnNewMessage
from intake_stores.spool import OutageSpool

logger = logging.getLogger(__name__)

CRISIS_INTENT = "crisis"
CRISIS_RESPONSE = "utter_crisis"
RISK_SLOT = "risk_flag"
REPLAY_SECONDS = float(os.environ.get("INTAKE_SPOOL_REPLAY_SECONDS", "2"))

NOT_SAVED_REPLY = (
    "I'm sorry, I can't take in messages right now because of a problem on our side, so what "
    "you just wrote was not saved. Please send it again in a few minutes. If you're in danger "
    "right now, {crisis_line}, or call {emergency_number}."
)
# Used only if the domain's utter_crisis cannot be generated (it is the same words).
CRISIS_REPLY = (
    "I'm really glad you told me, and I'm concerned for your safety. I'm not an emergency "
    "service, so please reach out now: {crisis_line}, or call {emergency_number} if you are "
    "in immediate danger. Are you safe right now? If you'd like, I can also have a person "
    "from the practice contact you."
)


class StoreUnavailable(RasaException):
    """The tracker store or lock store did not answer (the message names the type only)."""


STORE_ERRORS = (
    StoreUnavailable,
    LockError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.DisconnectionError,
    sqlalchemy.exc.TimeoutError,
)


def is_store_outage(error: BaseException) -> bool:
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, STORE_ERRORS):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


class TurnOutcome:
    """Per REST request: whether the turn was refused (answered 503)."""

    def __init__(self) -> None:
        self.not_accepted = False


_outcome: "contextvars.ContextVar[Optional[TurnOutcome]]" = contextvars.ContextVar("intake_turn", default=None)


def answer_503_when_not_accepted(blueprint: Blueprint) -> None:
    """REST: a turn that was not accepted is answered with 503 (its replies in the body)."""

    @blueprint.middleware("request")
    async def track_outcome(request) -> None:
        _outcome.set(TurnOutcome())

    @blueprint.middleware("response")
    async def not_accepted_is_503(request, response) -> None:
        outcome = _outcome.get()
        if outcome is not None and outcome.not_accepted:
            response.status = 503
            response.headers["Retry-After"] = "5"


def _agent() -> Any:
    return Sanic.get_app().ctx.agent


def outage_safe(on_new_message: OnNewMessage, spool: Optional[OutageSpool] = None) -> OnNewMessage:
    spool = spool or OutageSpool()

    async def handle(message: UserMessage) -> None:
        try:
            if spool.pending(message.sender_id):
                await replay_conversation(_agent(), spool, message.sender_id)
            await on_new_message(message)
        except Exception as error:
            if not is_store_outage(error):
                raise
            await answer_during_outage(_agent(), spool, message, error)

    return handle


async def answer_during_outage(agent: Any, spool: OutageSpool, message: UserMessage, error: BaseException) -> None:
    channel = message.output_channel
    if isinstance(channel, CollectingOutputChannel):
        channel.messages.clear()  # replies of a turn that was not stored would mislead
    parse = await _parse(agent, message.text)
    if (parse.get("intent") or {}).get("name") == CRISIS_INTENT:
        reply = _crisis_reply(agent, channel.name())
        accepted = _keep_crisis_turn(spool, message, parse, reply)
        logger.error(
            "A store is unavailable (%s): a crisis message was answered and %s",
            type(error).__name__,
            "kept for when it is back" if accepted else "could NOT be kept",
        )
        await channel.send_response(message.sender_id, reply)
    else:
        accepted = False
        logger.error(
            "A store is unavailable (%s): a message was answered with the apology and not stored", type(error).__name__
        )
        await channel.send_text_message(message.sender_id, NOT_SAVED_REPLY.format(**practice_settings()))
    outcome = _outcome.get()
    if outcome is not None and not accepted:
        outcome.not_accepted = True


async def _parse(agent: Any, text: Any) -> Dict[Text, Any]:
    if not isinstance(text, str) or not text.strip():
        return {}
    try:
        return await agent.parse_message(text)
    except Exception as error:  # the apology (with the crisis line) goes out regardless
        logger.error("Understanding a message during a store outage failed (%s)", type(error).__name__)
        return {}


def _crisis_reply(agent: Any, channel_name: Text) -> Dict[Text, Any]:
    try:
        reply = agent.nlg.generate_from_slots(CRISIS_RESPONSE, {}, channel_name)
        if reply and reply.get("text"):
            return {key: value for key, value in reply.items() if value}
    except Exception as error:
        logger.error("The crisis response could not be generated (%s): using its fixed words", type(error).__name__)
    return {"text": CRISIS_REPLY.format(**practice_settings())}


def _keep_crisis_turn(spool: OutageSpool, message: UserMessage, parse: Dict[Text, Any], reply: Dict[Text, Any]) -> bool:
    events: List[Event] = [
        UserUttered(
            message.text,
            parse.get("intent"),
            parse.get("entities", []),
            parse,
            input_channel=message.input_channel,
            message_id=message.message_id,
            metadata=message.metadata,
        ),
        SlotSet(RISK_SLOT, True),
        ActionExecuted(CRISIS_RESPONSE),
        BotUttered(
            reply.get("text"),
            data={k: v for k, v in reply.items() if k != "text"},
            metadata={"utter_action": CRISIS_RESPONSE},
        ),
        ActionExecuted(ACTION_LISTEN_NAME),
    ]
    try:
        spool.keep(message.sender_id, message.message_id, [event.as_dict() for event in events])
        return True
    except OSError as error:
        logger.error("Keeping a crisis turn on disk failed (%s)", type(error).__name__)
        return False


async def replay_conversation(agent: Any, spool: OutageSpool, sender_id: Text) -> int:
    """Appends the conversation's kept turns to its tracker; returns how many. Store
    errors propagate (the turns stay kept)."""
    replayed = 0
    for path in spool.pending(sender_id):
        with spool.claimed(path) as mine:
            if not mine:
                continue
            entry = spool.read(path)
            async with agent.lock_store.lock(entry["sender_id"]):
                tracker = await agent.processor.fetch_tracker_and_update_session(
                    entry["sender_id"], CollectingOutputChannel()
                )
                stored = any(
                    isinstance(event, UserUttered) and event.message_id == entry["message_id"]
                    for event in tracker.events
                )
                if not stored:
                    if tracker.active_loop_name:  # as the crisis rules do inside a form
                        tracker.update(ActionExecuted("action_deactivate_loop"))
                        tracker.update(ActiveLoop(None))
                    for data in entry["events"]:
                        tracker.update(Event.from_parameters(data))
                    await agent.tracker_store.save(tracker)
                    replayed += 1
            spool.done(path)
    return replayed


async def replay_all(agent: Any, spool: OutageSpool) -> int:
    replayed = 0
    for sender_id in dict.fromkeys(spool.read(path)["sender_id"] for path in spool.pending()):
        replayed += await replay_conversation(agent, spool, sender_id)
    return replayed


async def keep_replaying(app: Sanic, spool: Optional[OutageSpool] = None) -> None:
    """Every REPLAY_SECONDS: kept turns to their conversations, once the stores answer."""
    spool = spool or OutageSpool()
    while True:
        await asyncio.sleep(REPLAY_SECONDS)
        agent = getattr(app.ctx, "agent", None)
        if agent is None or not agent.is_ready() or not spool.pending():
            continue
        try:
            replayed = await replay_all(agent, spool)
            if replayed:
                logger.info("%d crisis turn(s) kept during a store outage were stored", replayed)
        except Exception as error:
            if not is_store_outage(error):
                logger.error("Replaying kept turns failed (%s)", type(error).__name__)
