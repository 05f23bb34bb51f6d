"""The assistant over its REST channel: real Rasa and action servers on loopback ports,
a throwaway SQLite tracker store and intake store."""

import json
import time
from contextlib import ExitStack

import pytest
import sqlalchemy as sa

from intake_stores.intake_records import IntakeStore
from tests.conftest import MODEL_PATH
from tests.servers import (
    ACTION_SERVER,
    RASA,
    conversation,
    free_port,
    get_json,
    post_raw,
    process,
    rasa_run,
    rest_id,
    signed,
    wait_for,
    write_endpoints,
)
from tests.servers import send as send_to_server

SENT = []  # every user text of this module, for the log scan at the end


def send(port, sender, text):
    SENT.append(text)
    return send_to_server(port, sender, text)


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    if not MODEL_PATH.exists():
        pytest.fail("no trained model: run `make test`, which trains it first")
    work = tmp_path_factory.mktemp("rest")
    actions_port, rasa_port = free_port(), free_port()
    intake_url = f"sqlite:///{work}/intake.db"
    endpoints = write_endpoints(work / "endpoints.yml", actions_port, work / "tracker.db")
    with ExitStack() as stack:
        actions = stack.enter_context(
            process(
                ACTION_SERVER + ["--port", str(actions_port)],
                work / "actions.log",
                extra_env={"INTAKE_DATABASE_URL": intake_url},
            )
        )
        stack.enter_context(
            process(
                rasa_run(rasa_port, endpoints),
                work / "rasa.log",
                extra_env={"INTAKE_DATABASE_URL": intake_url},  # the safety records
            )
        )
        wait_for(f"http://127.0.0.1:{actions_port}/health")
        wait_for(f"http://127.0.0.1:{rasa_port}/status")
        yield {
            "port": rasa_port,
            "actions": actions,
            "store": IntakeStore(intake_url),
            "work": work,
            "endpoints": endpoints,
        }


def texts(replies):
    return " ".join(r.get("text", "") for r in replies)


def tracker(servers, sender):
    return get_json(servers["port"], f"/conversations/{rest_id(sender)}/tracker")


def test_the_seed_conversation_fills_the_contract_slots_and_stores_one_record(servers):
    lines = conversation()
    for line in lines:
        assert send(servers["port"], "seed", line), f"no reply to: {line}"
    state = tracker(servers, "seed")
    slots = state["slots"]
    assert set(slots["concerns"]) >= {"stress", "work", "anxiety", "sleep", "isolation"}
    assert len(slots["concerns"]) == len(set(slots["concerns"]))
    assert slots["coping_strategies"] == ["breathing", "meditation"]
    assert slots["ipt_focus"] == "interpersonal_deficits"
    assert slots["therapy_accepted"] is True
    assert (slots["preferred_days"], slots["preferred_time"], slots["session_format"]) == (
        ["tuesday", "thursday"],
        "evening",
        "video",
    )
    assert slots["risk_flag"] is False
    actions = [e["name"] for e in state["events"] if e["event"] == "action"]
    assert {"action_suggest_ipt", "scheduling_form", "action_submit_intake"} <= set(actions)
    user_turns = [e["text"] for e in state["events"] if e["event"] == "user"]
    assert user_turns == lines  # every accepted turn is stored, in order
    record = servers["store"].get(rest_id("seed"))
    assert record and record.session_format == "video" and not record.urgent
    assert [r.conversation_id for r in servers["store"].all()].count(rest_id("seed")) == 1


def test_the_questionnaire_after_the_intake_with_item_9_positive(servers):
    port = servers["port"]
    for line in conversation():
        send(port, "phq", line)
    offer = send(port, "phq", "yes")  # to the questionnaire offer (re-offered after the thanks)
    assert "Over the last 2 weeks, how often have you been bothered by little interest" in texts(offer)
    assert [b["title"] for b in offer[-1]["buttons"]] == [
        "Not at all",
        "Several days",
        "More than half the days",
        "Nearly every day",
    ]
    # PHQ-2 = 5, GAD-2 = 1: the rest of the PHQ-9 is asked, the rest of the GAD-7 is not.
    answers = ["nearly every day", "more than half the days", "not at all", "a few days"]
    answers += ["2", "3", "several days", "most days", "0", "not at all"]
    asked = []
    for answer in answers:
        asked.append(texts(send(port, "phq", answer)))
    assert "thoughts that you would be better off dead" in asked[-1]
    assert not any("worrying too much about different things" in a for a in asked)
    reply = texts(send(port, "phq", "several days"))  # item 9
    assert "concerned for your safety" in reply and "988" in reply
    slots = tracker(servers, "phq")["slots"]
    assert slots["risk_flag"] is True and slots["phq9_score"] == 14 and slots["phq9_band"] == "moderate"
    assert slots["gad2_score"] == 1 and slots["gad7_score"] is None
    # The safety state, its tier and an urgent safety record, as for a crisis message.
    assert (slots["risk_level"], slots["safety_state"]) == ("crisis", "active")
    assert "suicide" in slots["risk_categories"]
    assert [r.tier for r in servers["store"].safety_records() if r.conversation_id == rest_id("phq")] == ["crisis"]
    record = servers["store"].get(rest_id("phq"))
    assert record.urgent and record.phq9_score == 14 and record.gad2_score == 1
    assert record.screening_answers["phq_9"] == 1
    held = texts(send(port, "phq", "so when is my first appointment?"))
    assert "911" in held and "safe right now" in held  # the safety state holds


def test_the_short_questionnaire_and_a_question_inside_it(servers):
    port = servers["port"]
    for line in conversation():
        send(port, "phq-short", line)
    send(port, "phq-short", "sure")
    assert "bothered by feeling down" in texts(send(port, "phq-short", "0"))
    inside = texts(send(port, "phq-short", "how long does the therapy take?"))
    assert "12 to 16" in inside and "bothered by feeling down" in inside  # answered, then asked again
    send(port, "phq-short", "1")
    assert "Sorry, I didn't catch that" in texts(send(port, "phq-short", "purple"))
    send(port, "phq-short", "several days")
    done = texts(send(port, "phq-short", "not at all"))
    assert "Thank you for answering those" in done and "not a diagnosis" in done
    record = servers["store"].get(rest_id("phq-short"))
    assert (record.phq2_score, record.gad2_score, record.phq9_score) == (1, 1, None)
    assert record.screening_status == "complete" and not record.urgent


def test_the_questionnaire_can_be_skipped_part_way(servers):
    port = servers["port"]
    for line in conversation():
        send(port, "phq-skip", line)
    send(port, "phq-skip", "ok")
    send(port, "phq-skip", "nearly every day")
    reply = texts(send(port, "phq-skip", "skip"))
    assert "we'll stop the questions here" in reply
    record = servers["store"].get(rest_id("phq-skip"))
    assert record.screening_status == "skipped" and record.screening_answers == {"phq_1": 3}
    assert not tracker(servers, "phq-skip")["active_loop"].get("name")


def test_conversations_survive_a_restart(servers):
    port = servers["port"]
    send(port, "restart", "I've been so lonely since my divorce")
    restarted_port = free_port()
    with process(
        [
            RASA,
            "run",
            "--enable-api",
            "-m",
            str(MODEL_PATH),
            "-p",
            str(restarted_port),
            "-i",
            "127.0.0.1",
            "--endpoints",
            str(servers["endpoints"]),
        ],
        servers["work"] / "restarted.log",
    ):
        wait_for(f"http://127.0.0.1:{restarted_port}/status")
        send(restarted_port, "restart", "and I can't sleep")
        state = get_json(restarted_port, f"/conversations/{rest_id('restart')}/tracker")
    assert [e["text"] for e in state["events"] if e["event"] == "user"] == [
        "I've been so lonely since my divorce",
        "and I can't sleep",
    ]
    assert set(state["slots"]["concerns"]) == {"isolation", "life_change", "sleep"}
    assert "InMemoryTrackerStore" not in (servers["work"] / "restarted.log").read_text()


def test_every_conversation_opens_with_the_not_an_emergency_notice(servers):
    first = texts(send(servers["port"], "notice", "how much does it cost?"))
    assert first.startswith("Before we start: I'm not an emergency service") and "988" in first
    assert "Fees depend" in first
    second = texts(send(servers["port"], "notice", "is this confidential?"))
    assert "not an emergency service" not in second
    # Contact details people type must not reach the logs either (checked at the end).
    send(servers["port"], "notice", "you can reach me at jane.doe@example.com or 555-867-5309")


def test_a_crisis_message_mid_form_stops_the_form(servers):
    send(servers["port"], "midform", "I'd like to book therapy")
    assert tracker(servers, "midform")["active_loop"].get("name") == "scheduling_form"
    reply = texts(send(servers["port"], "midform", "honestly I just want to die"))
    assert "988" in reply and "911" in reply and "Are you safe right now?" in reply
    state = tracker(servers, "midform")
    assert state["slots"]["risk_flag"] is True
    assert not state["active_loop"].get("name")


def test_spanish_is_answered_in_spanish_even_inside_the_form_and_goes_into_the_record(servers):
    port = servers["port"]
    first = texts(send(port, "spanish", "hola"))
    assert first.startswith("Hola") and "No soy un servicio de emergencias" in first
    assert "not an emergency service" not in first  # the notice once, in their language
    send(port, "spanish", "I'd like to book therapy")
    inside = texts(send(port, "spanish", "los martes por la tarde si se puede"))
    assert "solo puedo conversar en inglés" in inside and "Which days of the week" in inside
    state = tracker(servers, "spanish")
    assert state["active_loop"].get("name") == "scheduling_form" and state["slots"]["preferred_days"] is None
    for line in ["tuesdays", "afternoons ideally, mornings at a push", "video", "yes", "no thanks"]:
        replies = texts(send(port, "spanish", line))
    assert "may I keep a record" in replies
    send(port, "spanish", "yes")
    record = servers["store"].get(rest_id("spanish"))
    assert (record.language, record.preferred_time, record.schedule_note) == ("es", "afternoon", "time also: morning")


def test_crisis_then_a_completed_intake_is_stored_urgent(servers):
    port = servers["port"]
    send(port, "urgent", "sometimes I think about ending it all")
    send(port, "urgent", "yes I'm safe")
    for line in ["I'd like to start therapy", "weekdays", "mornings", "by phone", "yes", "no thanks"]:
        replies = texts(send(port, "urgent", line))
    assert "may I keep a record" in replies  # consent was never given: asked before storing
    assert servers["store"].get(rest_id("urgent")) is None
    send(port, "urgent", "yes")
    record = servers["store"].get(rest_id("urgent"))
    assert record is not None and record.urgent and record.risk_flag


@pytest.mark.patched  # intake_rasa_patches/command_guard.py
def test_a_typed_slash_command_is_understood_as_text(servers):
    send(servers["port"], "slash", "/crisis")
    latest = tracker(servers, "slash")["latest_message"]
    assert latest["text"] == "/crisis"
    # Not forced: Rasa's forced intent has a one-entry ranking; the classifier ranks many.
    assert len(latest["intent_ranking"]) > 1, latest


def test_the_bots_own_button_payload_is_a_command(servers):
    send(servers["port"], "button", "/affirm")
    assert tracker(servers, "button")["latest_message"]["intent"] == {"name": "affirm", "confidence": 1.0}


@pytest.mark.parametrize(
    "body, reason",
    [
        (b"{not json", "JSON object"),
        (b"[1, 2]", "JSON object"),
        (b"42", "JSON object"),
        (b'{"sender": "bad", "message": null}', "'message'"),
        (b'{"sender": "bad", "message": 7}', "'message'"),
        (b'{"message": "hi"}', "'sender'"),
        (b'{"sender": "  ", "message": "hi"}', "'sender'"),
        (b'{"sender": "bad", "message": "hi", "message_id": "a b"}', "'message_id'"),
        (b'{"sender": "bad", "message": "hi", "after": "m-1"}', "'after'"),
    ],
)
def test_malformed_requests_get_a_clear_400(servers, body, reason):
    status, reply = post_raw(servers["port"], body)
    assert status == 400 and reason in reply["message"]
    assert "Traceback" not in json.dumps(reply)


def test_a_huge_message_gets_a_kind_reply_at_once_and_is_not_processed(servers):
    start = time.monotonic()  # 60 KB: under the 64 KB body cap (a bigger body gets 413)
    status, reply = post_raw(
        servers["port"], json.dumps({"sender": signed("huge"), "message": "word " * 12_000}).encode()
    )
    assert status == 200 and time.monotonic() - start < 2.0
    assert "shorter parts" in reply[0]["text"] and "988" in reply[0]["text"]
    assert not [e for e in tracker(servers, "huge")["events"] if e["event"] == "user"]


def test_a_retried_message_id_is_answered_from_the_stored_turn(servers):
    port = servers["port"]
    body = {"sender": signed("retry"), "message": "how much does it cost?", "message_id": "m-1"}
    first = post_raw(port, json.dumps(body).encode())
    again = post_raw(port, json.dumps(body).encode())
    assert first == again and "Fees depend" in texts(first[1])
    after = {"sender": signed("retry"), "message": "is this confidential?", "message_id": "m-2", "after": "m-1"}
    assert "confidential" in texts(post_raw(port, json.dumps(after).encode())[1])
    turns = [e["text"] for e in tracker(servers, "retry")["events"] if e["event"] == "user"]
    assert turns == ["how much does it cost?", "is this confidential?"]


def test_huge_messages_do_not_stall_other_people(servers):
    import threading

    huge = json.dumps({"sender": signed("huge-2"), "message": "x" * 60_000}).encode()  # near the body cap
    senders = [threading.Thread(target=post_raw, args=(servers["port"], huge)) for _ in range(3)]
    for thread in senders:
        thread.start()
    start = time.monotonic()
    reply = texts(send(servers["port"], "neighbour", "how much does it cost?"))
    elapsed = time.monotonic() - start
    for thread in senders:
        thread.join()
    assert "Fees depend" in reply and elapsed < 3.0, f"{elapsed:.1f}s"


def test_odd_but_valid_messages_get_an_answer_and_are_kept_in_order(servers):
    lines = ["😔😔😔", "<b>help</b><script>alert(1)</script>", "'; DROP TABLE events; --", "/greet"]
    for line in lines:
        assert texts(send(servers["port"], "odd", line))
    status, reply = post_raw(servers["port"], json.dumps({"sender": signed("odd"), "message": ""}).encode())
    assert status == 200 and "didn't receive any text" in reply[0]["text"]
    assert [e["text"] for e in tracker(servers, "odd")["events"] if e["event"] == "user"] == lines


def test_delete_my_data_in_the_chat_removes_everything(servers):
    port, sender, secret = servers["port"], "conv-erase-7731", "my sister Qwertz and I keep fighting"
    for line in [
        "hi",
        "yes, that's okay",
        secret,
        "I'd like to start therapy",
        "weekdays",
        "mornings",
        "by phone",
        "yes",
        "no thanks",
    ]:
        replies = texts(send(port, sender, line))
    assert "passed your intake" in replies, replies
    assert servers["store"].get(rest_id(sender)) is not None
    assert "delete" in texts(send(port, sender, "delete my data")).lower()
    assert "deleted" in texts(send(port, sender, "yes"))
    work = servers["work"]
    for db in ("tracker.db", "intake.db"):
        engine = sa.create_engine(f"sqlite:///{work / db}")
        with engine.connect() as connection:
            for table in sa.inspect(connection).get_table_names():
                for row in connection.execute(sa.text(f"SELECT * FROM {table}")):
                    assert sender not in str(row) and "Qwertz" not in str(row), (db, table)


@pytest.mark.patched  # intake_rasa_patches/action_server_guard.py: the short circuit
def test_crisis_is_answered_within_two_seconds_with_the_action_server_down(servers):
    servers["actions"].terminate()
    servers["actions"].wait(timeout=20)
    start = time.monotonic()
    reply = texts(send(servers["port"], "down", "I have been cutting myself again"))
    elapsed = time.monotonic() - start
    assert "988" in reply and elapsed < 2.0, f"{elapsed:.2f}s: {reply}"
    assert tracker(servers, "down")["slots"]["risk_flag"] is True


@pytest.mark.patched  # intake_rasa_patches/log_redaction.py
def test_no_user_text_in_either_servers_log(servers):
    """Runs last: the conversations above include an error path (action server down)."""
    logs = (servers["work"] / "rasa.log").read_text() + (servers["work"] / "actions.log").read_text()
    assert "Failed to execute custom action" in logs or "action server" in logs.lower()  # the error path ran
    leaked = [text for text in set(SENT) if len(text) > 6 and text in logs]
    assert leaked == []
    for value in ("interpersonal_deficits", "tuesday", "Qwertz", "jane.doe@example.com", "867-5309"):
        assert value not in logs
