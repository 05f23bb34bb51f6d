"""Training time and webhook turn latency: this project against the stock `rasa init`
configuration trained on this project's data, in one run on this machine.

Usage: make bench-speed   (several minutes: the stock configuration trains DIET and TED)
Both models use the same domain, data, action server and SQLite tracker store; each
is trained from scratch with an empty cache. Latency is one whole conversation turn
(seed transcript plus scheduling) over the REST webhook, after one warm-up conversation.
"""

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.servers import (  # noqa: E402
    ACTION_SERVER,
    RASA,
    ROOT,
    STOCK_RASA,
    conversation,
    env,
    free_port,
    percentile,
    process,
    send,
    wait_for,
    write_endpoints,
)

STOCK_CONFIG = ROOT / ".venv/lib/python3.10/site-packages/rasa/cli/initial_project/config.yml"
CONVERSATIONS = 5


def rasa_command(name: str) -> str:
    """This project runs its own command (intake_rasa_patches/lean_imports.py), stock runs `rasa`."""
    return STOCK_RASA if name.startswith("stock") else RASA


def train(config: Path, out: Path, name: str) -> float:
    cache = out / f"cache-{name}"
    start = time.monotonic()
    subprocess.run(
        [
            rasa_command(name),
            "train",
            "--config",
            str(config),
            "--domain",
            "domain",
            "--data",
            "data",
            "--out",
            str(out),
            "--fixed-model-name",
            name,
        ],
        cwd=ROOT,
        env=dict(env(), RASA_CACHE_DIRECTORY=str(cache)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=True,
    )
    return time.monotonic() - start


def train_both(work: Path) -> tuple:
    """Trains this project's and the stock configuration into work/ours.tar.gz and
    work/stock.tar.gz; returns the two training times in seconds."""
    stock_config = work / "stock_config.yml"
    shutil.copy(STOCK_CONFIG, stock_config)
    print("training this project's configuration from scratch ...", flush=True)
    ours = train(ROOT / "config.yml", work, "ours")
    print("training the stock `rasa init` configuration from scratch ...", flush=True)
    return ours, train(stock_config, work, "stock")


def turn_latencies(model: Path, work: Path, actions_port: int) -> list:
    endpoints = write_endpoints(work / f"endpoints-{model.stem}.yml", actions_port, work / f"tracker-{model.stem}.db")
    port = free_port()
    args = [
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
    with process(args, work / f"rasa-{model.stem}.log"):
        wait_for(f"http://127.0.0.1:{port}/status")
        for line in conversation():  # warm-up
            send(port, f"warmup-{model.stem}", line)
        latencies = []
        for n in range(CONVERSATIONS):
            for line in conversation():
                start = time.perf_counter()
                send(port, f"bench-{model.stem}-{n}", line)
                latencies.append((time.perf_counter() - start) * 1000)
    return latencies


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="intake-speed-"))
    try:
        ours_train, stock_train = train_both(work)
        actions_port = free_port()
        actions = ACTION_SERVER + ["--port", str(actions_port)]
        with process(actions, work / "actions.log", extra_env={"INTAKE_DATABASE_URL": f"sqlite:///{work}/intake.db"}):
            wait_for(f"http://127.0.0.1:{actions_port}/health")
            ours = turn_latencies(work / "ours.tar.gz", work, actions_port)
            stock = turn_latencies(work / "stock.tar.gz", work, actions_port)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\n{'':28}{'this project':>14}{'stock rasa init':>17}{'ratio':>9}")
    print(f"{'rasa train from scratch (s)':28}{ours_train:14.1f}{stock_train:17.1f}{stock_train / ours_train:8.1f}x")
    print(
        f"{'turn latency median (ms)':28}{median(ours):14.1f}{median(stock):17.1f}{median(stock) / median(ours):8.1f}x"
    )
    print(f"{'turn latency p95 (ms)':28}{percentile(ours, 0.95):14.1f}{percentile(stock, 0.95):17.1f}")
    print(
        f"({len(ours)} turns each, {CONVERSATIONS} conversations, 1 Rasa process, 1 action server, sequential, 2 cores)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
