"""Load benchmark: complete intake conversations over the REST webhook at 1, 20 and 100
concurrent clients, for this project, the stock `rasa init` configuration trained on
this project's data, and a trivial echo server (the floor), all in one run.

Usage: make bench-load   (about 10 minutes: the stock configuration trains DIET and TED)
Prints per level p50/p95/p99 of a turn and turns per second; per server the start time
(process start to /status answering) and resident memory after the load; and the
median latency of the 1st and the 40th message of a 40-message conversation. Memory
is printed twice: resident (RSS, each process's own count, added up) and proportional
(PSS: pages the Sanic workers share with their parent counted once).
Each Rasa server: 1 Rasa process and the action server (1 process, shared), SQLite
tracker store; then this project again with 2 Sanic worker processes and a Redis lock
store. The load generator is 1 asyncio process on the same 2-core machine.
LOAD_SECONDS (default 20) sets the length of each level; LOAD_STOCK_MODEL=path uses a stock
model trained before (the same stock configuration and data) instead of training it again.
"""

import asyncio
import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path
from statistics import median

import aiohttp

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))
from speed import ROOT, rasa_command, train, train_both  # noqa: E402

from tests.servers import (  # noqa: E402
    ACTION_SERVER,
    PYTHON,
    conversation,
    free_port,
    percentile,
    process,
    pss_mb,
    rss_mb,
    signed,
    wait_for,
    write_endpoints,
)

# Load clients send 40 messages to one conversation faster than any person: no per-
# conversation rate limit here (intake_channels/checks.py), the servers inherit it.
os.environ["INTAKE_RATE_LIMIT"] = "100000/1"

LEVELS = [1, 20, 100]
SECONDS = float(os.environ.get("LOAD_SECONDS", "20"))
LONG_CONVERSATIONS = 5
LOCK_STORE = "lock_store:\n  type: intake_stores.lock_store.AtomicRedisLockStore\n  url: 127.0.0.1\n  port: 6379\n  db: 3\n  key_prefix: bench\n"
FAQ = [
    "how much does it cost?",
    "is this confidential?",
    "how long does the therapy take?",
    "am I talking to a bot?",
    "how often would we meet?",
]


async def play(session, url, deadline, latencies):
    """One client: complete conversations, one after another, until the deadline."""
    while time.monotonic() < deadline:
        sender = uuid.uuid4().hex
        for line in conversation():
            if time.monotonic() >= deadline:
                return
            start = time.perf_counter()
            async with session.post(url, json={"sender": signed(sender), "message": line}) as reply:
                await reply.read()
                if reply.status != 200:
                    raise RuntimeError(f"HTTP {reply.status}")
            latencies.append((time.perf_counter() - start) * 1000)


async def level(url, clients):
    latencies = []
    timeout = aiohttp.ClientTimeout(total=300)
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=clients)) as session:
        start = time.monotonic()
        await asyncio.gather(*(play(session, url, start + SECONDS, latencies) for _ in range(clients)))
        elapsed = time.monotonic() - start
    return {
        "p50": percentile(latencies, 0.5),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
        "tps": len(latencies) / elapsed,
        "turns": len(latencies),
    }


async def long_conversations(url):
    """Median latency of message 1 and message 40 of 40-message conversations."""
    first, fortieth = [], []
    async with aiohttp.ClientSession() as session:
        for _ in range(LONG_CONVERSATIONS):
            sender = uuid.uuid4().hex
            for n in range(40):
                start = time.perf_counter()
                async with session.post(url, json={"sender": signed(sender), "message": FAQ[n % len(FAQ)]}) as reply:
                    await reply.read()
                elapsed = (time.perf_counter() - start) * 1000
                if n == 0:
                    first.append(elapsed)
                elif n == 39:
                    fortieth.append(elapsed)
    return median(first), median(fortieth)


def measure(name, args, log, port, extra_env=None):
    started = time.monotonic()
    with process(args, log, extra_env=extra_env) as server:
        wait_for(f"http://127.0.0.1:{port}/status", seconds=600)
        start_seconds = time.monotonic() - started
        url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
        asyncio.run(level(url, 1))  # warm-up, not counted
        results = {"start": start_seconds, "levels": {}}
        for clients in LEVELS:
            print(f"  {name}: {clients} clients for {SECONDS:.0f} s ...", flush=True)
            results["levels"][clients] = asyncio.run(level(url, clients))
        pids = [server.pid] + child_pids(server.pid)
        results["rss"] = sum(rss_mb(pid) or 0 for pid in pids)
        results["pss"] = sum(pss_mb(pid) or 0 for pid in pids)
        results["long"] = asyncio.run(long_conversations(url))
    return results


def child_pids(pid):
    """Worker processes of a server started with several Sanic workers."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in children.read_text().split()] if children.exists() else []


def rasa_args(model, endpoints, port):
    return [
        rasa_command(model.stem),
        "run",
        "--enable-api",
        "-m",
        str(model),
        "-p",
        str(port),
        "-i",
        "127.0.0.1",
        "--endpoints",
        str(endpoints),
    ]


def report(results):
    names = list(results)
    print(f"\n{'':34}" + "".join(f"{n:>24}" for n in names))
    for clients in LEVELS:
        for key, unit in (("p50", "ms"), ("p95", "ms"), ("p99", "ms"), ("tps", "turns/s")):
            label = f"{clients:>3} clients, {key} ({unit})"
            print(f"{label:34}" + "".join(f"{results[n]['levels'][clients][key]:24.1f}" for n in names))
    print(f"{'server start (s)':34}" + "".join(f"{results[n]['start']:24.1f}" for n in names))
    print(f"{'resident memory after load (MB)':34}" + "".join(f"{results[n]['rss'] or 0:24.0f}" for n in names))
    print(f"{'  proportional (PSS, MB)':34}" + "".join(f"{results[n]['pss'] or 0:24.0f}" for n in names))
    for index, label in ((0, "message 1 of 40, median (ms)"), (1, "message 40 of 40, median (ms)")):
        print(f"{label:34}" + "".join(f"{results[n]['long'][index]:24.1f}" for n in names))
    ours, stock = results["this project"], results["stock rasa init"]
    print("\nratios, this project against stock rasa init:")
    print(
        f"  throughput at 20 clients: {ours['levels'][20]['tps'] / stock['levels'][20]['tps']:.1f}x "
        f"(target 10x), p95 {ours['levels'][20]['p95']:.0f} ms (target < 250 ms)"
    )
    print(
        f"  server start: {ours['start']:.1f} s (target < 15 s); memory: "
        f"{ours['rss'] / stock['rss']:.2f} of stock (target <= 0.5)"
    )
    print(
        f"  40th message / 1st: {ours['long'][1] / ours['long'][0]:.2f} (target <= 2), "
        f"stock {stock['long'][1] / stock['long'][0]:.2f}"
    )
    workers = results["this project, 2 workers"]
    print(
        f"  with 2 worker processes: {workers['levels'][20]['tps'] / stock['levels'][20]['tps']:.1f}x the "
        f"stock throughput at 20 clients, p95 {workers['levels'][20]['p95']:.0f} ms, memory "
        f"{workers['pss'] / stock['pss']:.2f} of stock by PSS (the workers share their parent's pages; "
        f"{workers['rss'] / stock['rss']:.2f} adding up each process's resident memory)"
    )
    print(
        "Rasa servers: 1 Rasa process each (2 worker processes where named) + 1 shared action server "
        "process; echo: 1 process; "
        f"load generator: 1 process; {os.cpu_count()} cores, all on this machine."
    )


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="intake-load-"))
    try:
        stock_model = os.environ.get("LOAD_STOCK_MODEL")
        if stock_model:  # a stock model trained by an earlier run (training it takes minutes)
            print(f"stock `rasa init` model from {stock_model}, not trained again", flush=True)
            shutil.copy(stock_model, work / "stock.tar.gz")
            train(ROOT / "config.yml", work, "ours")
        else:
            train_both(work)
        actions_port = free_port()
        results = {}
        with process(
            ACTION_SERVER + ["--port", str(actions_port)],
            work / "actions.log",
            extra_env={"INTAKE_DATABASE_URL": f"sqlite:///{work}/intake.db"},
        ):
            wait_for(f"http://127.0.0.1:{actions_port}/health")
            for name, model in (("this project", "ours"), ("stock rasa init", "stock")):
                port = free_port()
                endpoints = write_endpoints(work / f"endpoints-{model}.yml", actions_port, work / f"tracker-{model}.db")
                results[name] = measure(
                    name, rasa_args(work / f"{model}.tar.gz", endpoints, port), work / f"rasa-{model}.log", port
                )
            # The same server with two Sanic worker processes (one per core here), which
            # Rasa allows only with a lock store shared between processes (Redis).
            port = free_port()
            endpoints = write_endpoints(work / "endpoints-workers.yml", actions_port, work / "tracker-workers.db")
            endpoints.write_text(endpoints.read_text() + LOCK_STORE)
            results["this project, 2 workers"] = measure(
                "this project, 2 workers",
                rasa_args(work / "ours.tar.gz", endpoints, port),
                work / "rasa-workers.log",
                port,
                extra_env={"SANIC_WORKERS": "2"},
            )
        port = free_port()
        results["echo server"] = measure(
            "echo server", [PYTHON, str(BENCH / "echo_server.py"), str(port)], work / "echo.log", port
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
