"""The tests' copy of the seed transcript's patient lines matches the seed (its copy in tests/data/)."""

from tests.servers import SEED, SEED_PATIENT_LINES


def test_patient_lines_are_the_seed_verbatim():
    seed = [line[len("Patient: ") :].strip() for line in SEED.read_text().splitlines() if line.startswith("Patient: ")]
    assert len(seed) == len(SEED_PATIENT_LINES)
    assert seed == SEED_PATIENT_LINES
