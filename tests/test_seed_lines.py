"""The tests' copy of the seed transcript's patient lines matches the seed."""
from tests.servers import SEED, SEED_PATIENT_LINES


def test_patient_lines_are_the_seed_verbatim():
    assert SEED.exists(), f"the seed transcript is expected beside the checkout: {SEED}"
    seed = [l[len("Patient: "):].strip() for l in SEED.read_text().splitlines() if l.startswith("Patient: ")]
    assert seed == SEED_PATIENT_LINES
