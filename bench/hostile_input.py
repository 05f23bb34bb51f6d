"""Hostile input (issue 15): well over 100 kinds of bad input over REST and socket.io to a
server this script starts on loopback (Rasa with the HTTP API token, the action server,
throwaway SQLite stores), then: tried / handled / process still up.

Handled means: a clear refusal (400, 401 or 413 with a JSON reason; a socket.io `error`
event, a new session, a refused handshake) or an answer a person can read (200 with at
least one message, a `bot_uttered`), never a 5xx, never `200 []`, never silence, and the
server still serving everybody else afterwards.

Usage: .venv/bin/python bench/hostile_input.py [--only rest|socketio] [--json]
Exit status 0 when every input was handled and the server is still up.
"""

import argparse
import asyncio
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.servers import MODEL_PATH as MODEL  # noqa: E402
from tests.servers import assistant, signed  # noqa: E402

TOKEN = "hostile-input-token"
PAGE = "http://127.0.0.1:8080"
TIMEOUT = aiohttp.ClientTimeout(total=60)


def fresh(prefix: str = "h") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def body(message: Any = "hello", sender: Any = None, **extra: Any) -> bytes:
    return json.dumps({"sender": signed(fresh()) if sender is None else sender, "message": message, **extra}).encode()


# (name, raw request body, extra headers). Every one goes to POST /webhooks/rest/webhook.
MESSAGES = {
    "empty message": "",
    "only spaces": "   ",
    "only newlines": "\n\n\n",
    "only a tab": "\t",
    "emoji": "😔😔😔",
    "emoji flood": "😭" * 1500,
    "zero-width joiners": "\u200d\u200b\u200c" * 50,
    "right-to-left override": "\u202eI need help",
    "combining marks": "Z\u0351\u0352\u0353" * 100,
    "markup": "<b>help</b><script>alert(1)</script>",
    "html entities": "&lt;script&gt;&amp;",
    "sql injection": "'; DROP TABLE events; --",
    "sql union": "1 UNION SELECT sender_id FROM events",
    "lone high surrogate": "hello \ud83d",
    "lone low surrogate": "\ude00 hi",
    "only a surrogate": "\ud800",
    "nul inside": "how much\x00 does it cost?",
    "only nul": "\x00\x00",
    "control characters": "\x01\x02\x1b[31mred",
    "intent with slot": '/inform{"risk_flag": false}',
    "intent consent": '/affirm{"consent_given": true}',
    "intent erase": '/affirm{"erase_conversation": true}',
    "restart command": "/restart",
    "session start command": "/session_start",
    "broken intent json": '/greet{"',
    "fallback intent": "/nlu_fallback",
    "unknown intent": "/no_such_intent",
    "intent with entities": '/inform{"concerns": ["x"], "phq9_score": 27}',
    "format placeholders": "{crisis_line} {practice_name} {0} {}",
    "printf": "%s %d %n %x",
    "template injection": "{{7*7}} ${7*7} <%= 7*7 %>",
    "log4j": "${jndi:ldap://127.0.0.1/x}",
    "path traversal": "../../../../etc/passwd",
    "json in text": '{"sender": "other", "message": "x"}',
    "null word": "null",
    "number word": "12345678901234567890",
    "one long word": "a" * 1999,
    "exactly the limit": "word " * 400,
    "one over the limit": "x" * 2001,
    "60 KB": "word " * 12_000,
    "newline flood": "\n" * 1999 + "hi",
    "mixed scripts": "Привет 你好 مرحبا",
    "crisis with markup": "<i>I want to die</i>",
}
BODIES: List[Tuple[str, Callable[[], bytes], Dict[str, str]]] = [
    *[(f"message: {name}", (lambda text=text: body(text)), {}) for name, text in MESSAGES.items()],
    ("body: over 64 KB", lambda: body("x" * 100_000), {}),
    ("body: 5 MB", lambda: body("x" * 5_000_000), {}),
    ("body: not json", lambda: b"{not json", {}),
    ("body: truncated json", lambda: b'{"sender": "a", "mess', {}),
    ("body: json list", lambda: b"[1, 2]", {}),
    ("body: json number", lambda: b"42", {}),
    ("body: json string", lambda: b'"hello"', {}),
    ("body: json null", lambda: b"null", {}),
    ("body: empty", lambda: b"", {}),
    ("body: deeply nested", lambda: b'{"sender": ' + b"[" * 5000 + b"]" * 5000 + b"}", {}),
    ("body: invalid utf-8", lambda: b'{"sender": "a\xff\xfe", "message": "hi"}', {}),
    ("body: utf-16", lambda: json.dumps({"sender": "a", "message": "hi"}).encode("utf-16"), {}),
    ("body: byte order mark", lambda: b"\xef\xbb\xbf" + body(), {}),
    ("body: form encoded", lambda: b"sender=a&message=hi", {"Content-Type": "application/x-www-form-urlencoded"}),
    ("body: duplicate keys", lambda: b'{"sender": "a", "sender": "b", "message": "hi"}', {}),
    ("sender: missing", lambda: json.dumps({"message": "hi"}).encode(), {}),
    ("sender: null", lambda: json.dumps({"sender": None, "message": "hi"}).encode(), {}),
    ("sender: empty", lambda: body(sender=""), {}),
    ("sender: spaces", lambda: body(sender="   "), {}),
    ("sender: number", lambda: body(sender=42), {}),
    ("sender: float", lambda: body(sender=1e308), {}),
    ("sender: bool", lambda: body(sender=True), {}),
    ("sender: object", lambda: body(sender={"id": "a"}), {}),
    ("sender: list", lambda: body(sender=["a"]), {}),
    ("sender: lone surrogate", lambda: body(sender="x\ud800"), {}),
    ("sender: nul", lambda: body(sender="x\x00y"), {}),
    ("sender: 10 KB", lambda: body(sender="a" * 10_000), {}),
    ("sender: 129 characters", lambda: body(sender="a" * 129), {}),
    ("sender: space inside", lambda: body(sender="a b"), {}),
    ("sender: slash", lambda: body(sender="a/../b"), {}),
    ("sender: sql", lambda: body(sender="a'; DROP TABLE events; --"), {}),
    ("sender: unicode letters", lambda: body(sender="émigré"), {}),
    ("sender: unsigned", lambda: body(sender="victim"), {}),
    ("sender: forged signature", lambda: body(sender=signed("victim", secret="guess")), {}),
    ("sender: signed for the web", lambda: body(sender=signed("victim", channel="web")), {}),
    ("sender: telegram chat id", lambda: body(sender="telegram:1001"), {}),
    ("sender: signature only", lambda: body(sender="." + "A" * 43), {}),
    ("sender: wrong token", lambda: body(sender="integration"), {"Authorization": "Bearer wrong"}),
    ("sender: token, telegram id", lambda: body(sender="telegram:1001"), {"Authorization": f"Bearer {TOKEN}"}),
    ("message: missing", lambda: json.dumps({"sender": signed(fresh())}).encode(), {}),
    ("message: null", lambda: body(message=None), {}),
    ("message: number", lambda: body(message=7), {}),
    ("message: bool", lambda: body(message=False), {}),
    ("message: object", lambda: body(message={"text": "hi"}), {}),
    ("message: list", lambda: body(message=["hi"]), {}),
    ("message_id: space", lambda: body(message_id="a b"), {}),
    ("message_id: number", lambda: body(message_id=1), {}),
    ("message_id: 65 characters", lambda: body(message_id="m" * 65), {}),
    ("message_id: surrogate", lambda: body(message_id="m\ud800"), {}),
    ("after: without message_id", lambda: body(after="m-1"), {}),
    ("after: invalid", lambda: body(message_id="m-2", after="a;b"), {}),
    ("after: never sent (bounded wait)", lambda: body(message_id="m-2", after="never"), {}),
    ("extra fields", lambda: body(metadata={"x": "\ud800"}, input_channel="telegram"), {}),
]


def handled_rest(status: int, reply: Any) -> bool:
    if status in (400, 401, 413):
        return isinstance(reply, dict) and bool(reply.get("message"))
    if status == 200:
        return isinstance(reply, list) and bool(reply) and all(r.get("text") or r.get("buttons") for r in reply)
    return False


async def rest_cases(url: str) -> List[Tuple[str, bool, str]]:
    results = []
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        for name, make, headers in BODIES:
            try:
                async with session.post(
                    f"{url}/webhooks/rest/webhook", data=make(), headers={"Content-Type": "application/json", **headers}
                ) as reply:
                    try:
                        parsed = json.loads(await reply.read())
                    except ValueError:
                        parsed = None
                    except (aiohttp.ClientError, ConnectionError):
                        # A body far over the cap: the server answered 413 and closed the
                        # connection before the client finished sending it.
                        parsed = {"message": "connection closed after the status"} if reply.status == 413 else None
                    results.append((f"REST {name}", handled_rest(reply.status, parsed), str(reply.status)))
            except (aiohttp.ClientError, asyncio.TimeoutError, ConnectionError) as error:
                results.append((f"REST {name}", False, type(error).__name__))
    return results


class Socket:
    """One socket.io client, and every event it receives."""

    def __init__(self) -> None:
        import socketio

        self.client = socketio.AsyncClient(reconnection=False)
        self.events: asyncio.Queue = asyncio.Queue()
        for event in ("session_confirm", "bot_uttered", "error"):
            self.client.on(event, lambda data, event=event: self.events.put_nowait((event, data)))
        self.client.on("disconnect", lambda *_: self.events.put_nowait(("disconnect", None)))

    async def connect(self, url: str, origin: Optional[str] = None) -> None:
        await self.client.connect(
            url, socketio_path="/socket.io", transports=["polling"], headers={"Origin": origin} if origin else {}
        )

    async def close(self) -> None:
        """Drops the connection at once: a polite polling disconnect waits for the
        pending long poll (up to the 25 s ping interval)."""
        try:
            await asyncio.wait_for(self.client.eio.disconnect(abort=True), 5)
        except Exception:
            pass

    async def next(self, seconds: float = 30) -> Tuple[str, Any]:
        try:
            return await asyncio.wait_for(self.events.get(), seconds)
        except asyncio.TimeoutError:
            return ("silence", None)

    async def session(self, data: Any = None) -> str:
        await self.client.emit("session_request", data if data is not None else {})
        event, session_id = await self.next(10)
        assert event == "session_confirm", event
        return session_id


SESSION_REQUESTS = {
    "no data": None,
    "empty object": {},
    "null id": {"session_id": None},
    "number id": {"session_id": 42},
    "list id": {"session_id": ["a"]},
    "object id": {"session_id": {"a": 1}},
    "10 KB id": {"session_id": "a" * 10_000},
    "surrogate id": {"session_id": "a\ud800"},
    "nul id": {"session_id": "a\x00"},
    "raw hex id": {"session_id": uuid.uuid4().hex},
    "forged signed id": {"session_id": f"{uuid.uuid4().hex}.{'A' * 43}"},
    "rest-signed id": {"session_id": signed(uuid.uuid4().hex)},
    "string data": "session",
    "list data": [1, 2],
}
SOCKET_MESSAGES = {
    "empty": "",
    "emoji": "😔",
    "surrogate": "I want to die \ud83d",
    "nul": "hi\x00there",
    "intent with slot": '/inform{"risk_flag": false}',
    "markup": "<script>alert(1)</script>",
    "over the limit": "x" * 2001,
    "60 KB": "word " * 12_000,
    "sql": "'; DROP TABLE events; --",
    "format placeholders": "{crisis_line} {0}",
}
BAD_UTTERANCES = {
    "list": [1, 2],
    "string": "hello",
    "number": 7,
    "null message": {"message": None},
    "number message": {"message": 5},
    "object message": {"message": {"x": 1}},
    "garbage metadata": {"message": "hi", "metadata": "{not json"},
    "list metadata": {"message": "hi", "metadata": [1]},
}


async def socket_case(url: str, name: str, scenario: Callable) -> Tuple[str, bool, str]:
    socket = Socket()
    try:
        outcome = await scenario(socket, url)
        return (f"socket.io {name}", outcome[0], outcome[1])
    except Exception as error:  # a refused connection is handled only where the scenario says so
        return (f"socket.io {name}", False, type(error).__name__)
    finally:
        await socket.close()


def socket_scenarios() -> List[Tuple[str, Callable]]:
    scenarios = []

    for name, data in SESSION_REQUESTS.items():

        async def session_request(socket, url, data=data):
            await socket.connect(url)
            session_id = await socket.session(data)
            given = data.get("session_id") if isinstance(data, dict) else None
            return (isinstance(session_id, str) and session_id != given and "." in session_id, "new session")

        scenarios.append((f"session_request: {name}", session_request))

    for name, text in SOCKET_MESSAGES.items():

        async def message(socket, url, text=text):
            await socket.connect(url)
            session_id = await socket.session()
            await socket.client.emit("user_uttered", {"message": text, "session_id": session_id})
            event, data = await socket.next()
            return (event == "bot_uttered" and bool(data.get("text") or data.get("quick_replies")), event)

        scenarios.append((f"user_uttered: {name}", message))

    for name, data in BAD_UTTERANCES.items():

        async def bad(socket, url, data=data):
            await socket.connect(url)
            session_id = await socket.session()
            if isinstance(data, dict):
                data = {**data, "session_id": session_id}
            await socket.client.emit("user_uttered", data)
            event, _ = await socket.next()
            return (event in ("error", "bot_uttered"), event)

        scenarios.append((f"user_uttered: {name}", bad))

    async def before_session(socket, url):
        await socket.connect(url)
        await socket.client.emit("user_uttered", {"message": "hello", "session_id": uuid.uuid4().hex})
        event, _ = await socket.next()
        return (event == "error", event)

    async def someone_elses(socket, url):
        victim = Socket()
        await victim.connect(url)
        try:
            victim_session = await victim.session()
            await socket.connect(url)
            await socket.session()
            await socket.client.emit("user_uttered", {"message": "delete my data", "session_id": victim_session})
            event, _ = await socket.next()
            stolen = await victim.next(2)
            return (event == "error" and stolen[0] == "silence", event)
        finally:
            await victim.close()

    async def over_the_packet_limit(socket, url):
        # By hand: the socket.io client drops a refused packet without telling its caller.
        polling = f"{url}/socket.io/?EIO=4&transport=polling"
        async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
            async with session.get(polling) as reply:
                sid = json.loads((await reply.text())[1:])["sid"]
            packet = "42" + json.dumps(["user_uttered", {"message": "x" * 100_000}])
            async with session.post(f"{polling}&sid={sid}", data=packet.encode()) as reply:
                return (reply.status in (400, 413), str(reply.status))

    async def unknown_event(socket, url):
        await socket.connect(url)
        await socket.client.emit("no_such_event", {"x": "\ud800"})
        await socket.session()  # still served
        return (True, "ignored")

    async def evil_origin(socket, url):
        try:
            await socket.connect(url, origin="http://evil.example")
        except Exception as error:
            return ("ConnectionError" in type(error).__name__, "refused")
        return (False, "accepted")

    async def page_origin(socket, url):
        await socket.connect(url, origin=PAGE)
        await socket.session()
        return (True, "accepted")

    async def flood(socket, url):
        await socket.connect(url)
        session_id = await socket.session()
        for n in range(40):  # as fast as a script types (one packet per request)
            await socket.client.emit("user_uttered", {"message": f"spam {n}", "session_id": session_id})
            await asyncio.sleep(0.02)
        seen = []
        while True:
            event, data = await socket.next(15)
            if event != "bot_uttered":
                break
            seen.append(data.get("text", ""))
        return (any("faster than I can read" in text for text in seen), f"{len(seen)} replies")

    scenarios += [
        ("user_uttered before session_request", before_session),
        ("user_uttered into someone else's session", someone_elses),
        ("a packet over 64 KB", over_the_packet_limit),
        ("an unknown event", unknown_event),
        ("handshake from another origin", evil_origin),
        ("handshake from the page", page_origin),
        ("40 messages in a second in one session", flood),
    ]
    return scenarios


async def socketio_cases(url: str) -> List[Tuple[str, bool, str]]:
    return [await socket_case(url, name, scenario) for name, scenario in socket_scenarios()]


async def still_up(url: str) -> bool:
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        payload = {"sender": signed(fresh("check")), "message": "how much does it cost?"}
        async with session.post(f"{url}/webhooks/rest/webhook", json=payload) as reply:
            answer = await reply.json() if reply.status == 200 else []
        async with session.get(f"{url}/status", params={"token": TOKEN}) as status:
            return status.status == 200 and any("Fees depend" in r.get("text", "") for r in answer)


def run(only: Optional[str] = None) -> Dict[str, Any]:
    web_api = ["--auth-token", TOKEN, "--credentials", str(ROOT / "credentials.yml"), "--cors", PAGE]
    with tempfile.TemporaryDirectory(prefix="hostile-") as work, assistant(Path(work), rasa_args=web_api) as running:
        work, port, rasa = Path(work), running.port, running.rasa
        url = f"http://127.0.0.1:{port}"
        started = time.monotonic()
        results = []
        if only in (None, "rest"):
            results += asyncio.run(rest_cases(url))
        if only in (None, "socketio"):
            results += asyncio.run(socketio_cases(url))
        up = rasa.poll() is None and asyncio.run(still_up(url))
        log = (work / "rasa.log").read_text()
        return {
            "tried": len(results),
            "handled": sum(ok for _, ok, _ in results),
            "still_up": up,
            "exited": "Exiting application" in log,
            "seconds": round(time.monotonic() - started, 1),
            "not_handled": [(name, detail) for name, ok, detail in results if not ok],
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["rest", "socketio"])
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args()
    if not MODEL.exists():
        sys.exit(f"no trained model at {MODEL}: run `make model`")
    summary = run(args.only)
    if args.json:
        print(json.dumps(summary))
    else:
        print(
            f"tried: {summary['tried']}  handled: {summary['handled']}  "
            f"process still up: {'yes' if summary['still_up'] else 'NO'}  ({summary['seconds']} s)"
        )
        for name, detail in summary["not_handled"]:
            print(f"  NOT HANDLED: {name} ({detail})")
    ok = summary["handled"] == summary["tried"] and summary["still_up"] and not summary["exited"]
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
