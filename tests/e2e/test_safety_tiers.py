"""The safety tiers over the REST channel: real Rasa and action servers on loopback ports.

Each tier, the safety state that holds after a crisis, domestic violence, someone else at
risk, a yes to the check (typed, or an unclear answer taken as yes) with its flag and
urgent safety record, and the check and the crisis response with the action server
stopped (last)."""

import time

import pytest

import intake_rasa_patches
from intake_stores.intake_records import IntakeStore
from tests.conftest import MODEL_PATH
from tests.servers import assistant, get_json, rest_id, send

CHECK_QUESTION = "are you having thoughts of ending your life or of hurting yourself, or are you in danger right now?"
CRISIS_LINE = "988"
EMERGENCY = "911"
DV_LINE = "1-800-799-7233"


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    if not MODEL_PATH.exists():
        pytest.fail("no trained model: run `make model` first")
    work = tmp_path_factory.mktemp("tiers")
    # Both servers share the intake database (tests/servers.assistant): the Rasa server
    # writes the safety records.
    with assistant(work) as running:
        yield {"port": running.port, "actions": running.actions, "store": IntakeStore(f"sqlite:///{work}/intake.db")}


def say(servers, sender, text):
    return " ".join(r.get("text", "") for r in send(servers["port"], sender, text))


# risk_level keeps the highest tier and a yes to the check raises it, safety_state reads
# the answers: intake_rasa_patches/safety_slot_types.py. Under INTAKE_RASA_PATCHES=off the
# replies are the same and these slots keep each mapping's raw value, so only the replies
# are checked then.
FOLDED = intake_rasa_patches.enabled()


def slots(servers, sender):
    return get_json(servers["port"], f"/conversations/{sender}/tracker")["slots"]


def test_a_possible_risk_gets_the_check_and_a_no_carries_on(servers):
    say(servers, "check-no", "hi")
    reply = say(servers, "check-no", "lately there is no future ahead of me that I can picture")
    assert CHECK_QUESTION in reply and CRISIS_LINE not in reply
    if FOLDED:
        assert slots(servers, "check-no")["risk_level"] == "check"
    reply = say(servers, "check-no", "no")
    assert "carry on" in reply and EMERGENCY not in reply
    reply = say(servers, "check-no", "work has been really stressful")
    assert "stress" in reply and CHECK_QUESTION not in reply  # the intake goes on
    if FOLDED:
        state = slots(servers, "check-no")
        assert state["risk_level"] == "check" and state["risk_flag"] is False


def test_a_reply_to_the_check_that_opens_with_no_never_gets_the_crisis_response(servers):
    """Its other words may lean to a yes (intake_nlu/answer_polarity.py): it is a no, or at
    worst unclear and asked again, never the crisis response."""
    say(servers, "check-no-more", "hi")
    assert CHECK_QUESTION in say(servers, "check-no-more", "lately there is no future ahead of me that I can picture")
    reply = say(servers, "check-no-more", "no, work's ok, if anything it's the one thing going fine")
    assert "Are you safe right now?" not in reply and EMERGENCY not in reply
    assert "carry on" in reply


def test_yes_to_the_check_is_a_crisis_and_the_tier_never_goes_down(servers):
    say(servers, "check-yes", "hi")
    assert CHECK_QUESTION in say(servers, "check-yes", "honestly I feel like a weight on everyone around me")
    reply = say(servers, "check-yes", "yes")
    assert CRISIS_LINE in reply and "Are you safe right now?" in reply
    if FOLDED:
        assert slots(servers, "check-yes")["risk_level"] == "crisis"
    say(servers, "check-yes", "what's the point of anything")  # a later possible risk
    if FOLDED:
        assert slots(servers, "check-yes")["risk_level"] == "crisis"


def safety_records(servers, sender):
    return [r for r in servers["store"].safety_records() if r.conversation_id == rest_id(sender)]


def assert_in_the_crisis_state(servers, sender):
    """The tier, the flag and the safety state a crisis response stands for, and one
    urgent safety record for the practice."""
    state = slots(servers, sender)
    assert (state["risk_level"], state["risk_flag"], state["safety_state"]) == ("crisis", True, "active")
    assert [r.tier for r in safety_records(servers, sender)] == ["crisis"]


def test_a_typed_yes_to_the_check_is_a_crisis_with_its_flag_and_an_urgent_record(servers):
    say(servers, "typed-yes", "hi")
    assert CHECK_QUESTION in say(servers, "typed-yes", "some days I honestly wonder why I keep bothering")
    assert not safety_records(servers, "typed-yes")  # the check alone alerts nobody
    reply = say(servers, "typed-yes", "yes, I have")
    assert CRISIS_LINE in reply and "Are you safe right now?" in reply
    assert_in_the_crisis_state(servers, "typed-yes")
    reply = say(servers, "typed-yes", "can we talk about the fees instead")
    assert EMERGENCY in reply and "What brings you in" not in reply  # the safety state holds


def test_an_unclear_answer_is_asked_once_more_then_taken_as_yes(servers):
    say(servers, "check-unclear", "hi")
    say(servers, "check-unclear", "I feel like there's no hope left for me")
    assert "ask again" in say(servers, "check-unclear", "it's complicated")
    assert slots(servers, "check-unclear")["risk_level"] == "check"
    assert "concerned for your safety" in say(servers, "check-unclear", "hard to say really")
    # Taken as yes: the same tier, flag, safety state and record as a yes.
    assert_in_the_crisis_state(servers, "check-unclear")


def test_imminent_risk_gets_the_emergency_number_first(servers):
    say(servers, "imminent", "hi")
    reply = say(servers, "imminent", "I swallowed a whole box of my sleeping tablets half an hour ago")
    assert reply.index(EMERGENCY) < reply.index(CRISIS_LINE)
    state = slots(servers, "imminent")
    assert state["risk_level"] == "imminent" and "suicide" in state["risk_categories"] and state["risk_flag"]


def test_after_a_crisis_every_reply_stays_with_safety_until_they_are_safe(servers):
    say(servers, "hold", "hi")
    assert CRISIS_LINE in say(servers, "hold", "I want to end my life")
    for text in ("what does therapy cost?", "I can't call anyone. I don't have anyone", "no I'm not safe"):
        reply = say(servers, "hold", text)
        assert reply.startswith("If you are in danger") or reply.startswith("Please call"), (text, reply)
        assert EMERGENCY in reply and "practice" in reply and "What brings you in" not in reply
    assert "glad you're safe" in say(servers, "hold", "I'm safe now, my sister is with me")
    if FOLDED:
        assert slots(servers, "hold")["safety_state"] == "resolved"


def test_a_crisis_inside_the_scheduling_form_stops_it_and_it_does_not_resume(servers):
    say(servers, "form", "hi")
    assert "days" in say(servers, "form", "I'd like to start therapy")
    say(servers, "form", "I'm going to kill myself")
    reply = say(servers, "form", "tuesdays")
    assert "days" not in reply and EMERGENCY in reply


def test_the_check_inside_the_form_then_no_resumes_the_form(servers):
    say(servers, "form-check", "hi")
    say(servers, "form-check", "I'd like to start therapy")
    assert CHECK_QUESTION in say(servers, "form-check", "I feel like there's no hope left for me")
    assert "Which days" in say(servers, "form-check", "no")


def test_violence_at_home_names_the_domestic_violence_line(servers):
    say(servers, "dv", "hi")
    reply = say(servers, "dv", "my partner shoved me into the door and I'm scared to go back tonight")
    assert DV_LINE in reply and EMERGENCY in reply
    assert "abuse" in slots(servers, "dv")["risk_categories"]


def test_someone_else_at_risk_gets_how_to_help_them(servers):
    say(servers, "friend", "hi")
    reply = say(servers, "friend", "my roommate told me last night that she wants to kill herself")
    assert "stay with them" in reply and CRISIS_LINE in reply
    assert slots(servers, "friend")["risk_categories"] == ["third_party"]


def test_false_alarms_do_not_get_the_emergency_message(servers):
    for n, text in enumerate(
        [
            "I'm not suicidal, I'm just worn out",
            "these early shifts are killing me",
            "my grandfather died last winter and I miss him",
        ]
    ):
        say(servers, f"neg{n}", "hi")
        reply = say(servers, f"neg{n}", text)
        assert CHECK_QUESTION not in reply and "concerned for your safety" not in reply, text
        assert slots(servers, f"neg{n}")["risk_level"] is None


def test_check_and_crisis_with_the_action_server_stopped(servers):
    """Runs last: stops the action server."""
    servers["actions"].terminate()
    servers["actions"].wait(timeout=20)
    start = time.monotonic()
    assert CHECK_QUESTION in say(servers, "down", "I can't see any point in anything anymore")
    assert CRISIS_LINE in say(servers, "down", "yes")
    assert time.monotonic() - start < 4.0
    if FOLDED:
        assert slots(servers, "down")["risk_level"] == "crisis"
    reply = say(servers, "down2", "I'm standing on the ledge of the car park roof right now")
    assert reply.index(EMERGENCY) < reply.index(CRISIS_LINE)
    assert slots(servers, "down2")["risk_level"] == "imminent"
