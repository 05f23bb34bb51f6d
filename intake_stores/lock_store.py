"""A Redis lock store whose tickets are issued, checked and returned atomically, one
round trip each.

Rasa's RedisLockStore keeps a conversation's queue of tickets as one JSON value that
each step reads, changes in Python and writes back: seven round trips a message, and
two servers issuing tickets for one conversation at the same moment can both read the
same queue and one ticket is lost (then two messages of one conversation run at
once). Here each step is a Lua script, which Redis runs atomically:

- issue: the next ticket number of the conversation, added to its queue with the
  time it expires (as Rasa: the lock lifetime, TICKET_LOCK_LIFETIME), and checked in
  the same script (a message that need not wait takes two round trips in all);
- check: drops expired tickets; the ticket is served when it is the first one left
  (the same order as Rasa's TicketLock: by number); gone when it expired. Each check
  renews the ticket, so a message waiting behind a server that died is served when
  that server's ticket expires, however long it waited;
- return: removes the ticket, and the queue when it is empty.

Endpoints: `type: intake_stores.lock_store.AtomicRedisLockStore` with Rasa's Redis settings
(url, port, db, password, use_ssl, key_prefix, ...).
"""

import asyncio
import logging
import time
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, Optional, Text, Tuple

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

# check(queue, now, ticket, new expiry, queue lifetime in ms) -> 1: the ticket is first
# in the queue; 0: wait; -1: it expired (no longer queued). A waiting ticket is renewed
# at each check, so that it expires only when its holder stops checking, not while it
# waits behind a ticket of a server that died.
CHECK_FUNCTION = """
local function check(queue, now, ticket, expires, lifetime)
  local first = nil
  local mine = nil
  for _, member in ipairs(redis.call('ZRANGE', queue, 0, -1)) do
    local separator = string.find(member, ':', 1, true)
    local number = tonumber(string.sub(member, 1, separator - 1))
    if tonumber(string.sub(member, separator + 1)) < now then
      redis.call('ZREM', queue, member)
    else
      if first == nil then first = number end
      if number == ticket then mine = member end
    end
  end
  if mine == nil then return -1 end
  redis.call('ZREM', queue, mine)
  redis.call('ZADD', queue, ticket, ticket .. ':' .. expires)
  redis.call('PEXPIRE', queue, lifetime)
  if first == ticket then return 1 end
  return 0
end
"""
# Issues the conversation's next ticket and checks it at once: {ticket, check}.
ISSUE = (
    CHECK_FUNCTION
    + """
local number = redis.call('INCR', KEYS[1])
redis.call('ZADD', KEYS[2], number, number .. ':' .. ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {number, check(KEYS[2], tonumber(ARGV[1]), number, ARGV[2], ARGV[3])}
"""
)
CHECK = (
    CHECK_FUNCTION
    + """
return check(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], ARGV[4])
"""
)
RETURN = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1])
if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('DEL', KEYS[1]) end
return 1
"""


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        if endpoint_config is not None:  # created from endpoints.yml
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)
        self._issue = self.red.register_script(ISSUE)
        self._check = self.red.register_script(CHECK)
        self._return = self.red.register_script(RETURN)

    def _keys(self, conversation_id: Text) -> tuple:
        base = self.key_prefix + conversation_id
        return base + ":next", base + ":queue"

    def issue(self, conversation_id: Text, lock_lifetime: float) -> Tuple[int, int]:
        """(the new ticket, its first check)."""
        now = time.time()
        ticket, state = self._issue(
            keys=list(self._keys(conversation_id)),
            args=[repr(now), repr(now + lock_lifetime), max(1, int(lock_lifetime * 1000))],
        )
        return int(ticket), int(state)

    def check(self, conversation_id: Text, ticket: int, lock_lifetime: float) -> int:
        now = time.time()
        return int(
            self._check(
                keys=[self._keys(conversation_id)[1]],
                args=[repr(now), ticket, repr(now + lock_lifetime), max(1, int(lock_lifetime * 1000))],
            )
        )

    def give_back(self, conversation_id: Text, ticket: int) -> None:
        self._return(keys=[self._keys(conversation_id)[1]], args=[ticket])

    @asynccontextmanager
    async def lock(
        self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = 1
    ) -> AsyncGenerator[TicketLock, None]:
        try:
            ticket, state = self.issue(conversation_id, lock_lifetime)
        except Exception as error:
            raise LockError(f"Error while acquiring lock ({type(error).__name__})") from error
        try:
            while state != 1:
                if state == -1:
                    raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
                await asyncio.sleep(wait_time_in_seconds)
                try:
                    state = self.check(conversation_id, ticket, lock_lifetime)
                except Exception as error:
                    raise LockError(f"Error while waiting for the lock ({type(error).__name__})") from None
            yield TicketLock(conversation_id)
        finally:
            try:
                self.give_back(conversation_id, ticket)
            except Exception as error:
                # Redis went away after the turn: the ticket expires by itself, and the
                # turn, already stored, must not be reported as failed.
                logger.warning("Returning a lock ticket failed (%s); it expires by itself", type(error).__name__)
