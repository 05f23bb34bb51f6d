"""The input checks and conversation ownership without a server (intake_channels/checks.py,
ownership.py); tests/e2e/test_hardening_input.py runs the same attacks against real servers."""

import pytest

from intake_channels import ownership
from intake_channels.checks import RateLimiter, clean_text, conversation_id_problem


@pytest.mark.parametrize("value", ["x\ud800", "a\x00b", "a" * 129, "", "a b", "é", 7, None, ["a"], {"a": 1}])
def test_ids_no_store_can_keep_are_refused(value):
    assert conversation_id_problem(value)


@pytest.mark.parametrize("value", ["rest:abc", "telegram:-100123", "U0123ABC", "a" * 128, "a.b_c-d"])
def test_ordinary_ids_pass(value):
    assert conversation_id_problem(value) is None


def test_text_keeps_what_was_typed_and_drops_what_no_store_can_keep():
    assert clean_text("I want to die \ud83d") == "I want to die \ufffd"
    assert clean_text("how\x00 much\x1b?\n\tok") == "how much?\n\tok"
    assert clean_text("😔 fine") == "😔 fine" and clean_text(None) == ""


def test_the_rate_limit_counts_each_conversation_in_its_window(monkeypatch):
    now = [100.0]
    monkeypatch.setattr("intake_channels.checks.time.monotonic", lambda: now[0])
    limiter = RateLimiter(3, 10)
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b")
    now[0] += 10.5
    assert limiter.allow("a")


def test_signed_ids_hold_only_for_their_channel_and_secret(monkeypatch):
    monkeypatch.setenv(ownership.SECRET_VARIABLE, "one")
    signed = ownership.sign("rest", "abc")
    assert ownership.verified("rest", signed) == "abc"
    assert ownership.verified("web", signed) is None
    assert ownership.verified("rest", "abc") is None and ownership.verified("rest", 42) is None
    assert ownership.verified("rest", signed[:-1] + ("A" if signed[-1] != "A" else "B")) is None
    monkeypatch.setenv(ownership.SECRET_VARIABLE, "two")
    assert ownership.verified("rest", signed) is None
