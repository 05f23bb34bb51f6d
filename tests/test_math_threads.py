"""intake-rasa keeps numpy's BLAS to one thread per process (intake_rasa_patches/cli.py):
its idle threads otherwise spin between the small matrix products of each message and
take CPU that other conversations need."""

import json
import os
import subprocess

import pytest

from tests.servers import PYTHON, ROOT

# OpenBLAS never runs more threads than the machine has cores: on one core there is
# nothing to limit (CI's machines have two).
pytestmark = pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one CPU: OpenBLAS runs one thread anyway")

PROBE = (
    "from intake_rasa_patches.cli import single_threaded_math; single_threaded_math(); "
    "import json, numpy, threadpoolctl; "
    "print(json.dumps([p['num_threads'] for p in threadpoolctl.threadpool_info() if p['user_api'] == 'blas']))"
)


def blas_threads(environment: dict) -> list:
    done = subprocess.run(
        [PYTHON, "-c", PROBE], cwd=ROOT, env=environment, capture_output=True, text=True, check=True, timeout=60
    )
    return json.loads(done.stdout)


def test_the_entry_point_sets_the_limit_before_numpy_is_imported():
    done = subprocess.run(
        [PYTHON, "-c", "import sys, intake_rasa_patches.cli; print('numpy' in sys.modules)"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert done.stdout.strip() == "False"


def test_the_entry_point_runs_numpy_with_one_blas_thread():
    threads = blas_threads({"PATH": "/usr/bin:/bin"})
    assert threads and set(threads) == {1}


def test_an_operators_own_thread_setting_wins():
    threads = blas_threads({"PATH": "/usr/bin:/bin", "OPENBLAS_NUM_THREADS": "2", "OMP_NUM_THREADS": "2"})
    assert threads and set(threads) == {2}
