"""The deployment descriptions name the same settings as the local production profile
(endpoints.prod.yml). Images cannot be pulled here, so the files are checked by parsing."""

import re

import yaml

from tests.conftest import ROOT

VARIABLE = re.compile(r"\$\{(\w+)")
SECRET_NAME = re.compile(r"PASSWORD|TOKEN|SECRET")


def load(name):
    return yaml.safe_load((ROOT / name).read_text())


def profile_variables():
    return set(VARIABLE.findall(yaml.safe_dump(load("endpoints.prod.yml"))))


def test_the_production_profile_uses_postgresql_redis_and_only_environment_values():
    profile = load("endpoints.prod.yml")
    assert profile["tracker_store"]["type"] == "intake_stores.tracker_store.CachedSQLTrackerStore"
    assert profile["tracker_store"]["dialect"] == "postgresql"
    assert profile["lock_store"]["type"] == "intake_stores.lock_store.AtomicRedisLockStore"
    for section in ("action_endpoint", "tracker_store", "lock_store"):
        for key, value in profile[section].items():
            if key == "headers":  # the action server's shared secret
                assert all("${" in str(header) for header in value.values()), (section, value)
            elif key not in ("type", "dialect", "key_prefix", "enable_selective_domain"):
                assert str(value).startswith("${"), (section, key, value)
    makefile = (ROOT / "Makefile").read_text()
    assert profile_variables() <= set(re.findall(r"^export (INTAKE_\w+) \?=", makefile, re.M))


def test_docker_compose_runs_two_rasa_servers_on_the_shared_stores():
    compose = load("docker-compose.yml")
    services = compose["services"]
    assert {"rasa-1", "rasa-2", "actions", "postgres", "redis", "proxy"} <= set(services)
    for name in ("rasa-1", "rasa-2"):
        rasa = services[name]
        command = " ".join(rasa["command"])
        assert "endpoints.prod.yml" in command and "credentials.yml" in command and "--enable-api" in command
        assert "exec intake-rasa run" in command  # the project's command: no TensorFlow in the server
        assert "--auth-token" in command and "$$RASA_AUTH_TOKEN" in command
        assert profile_variables() <= set(rasa["environment"])
        assert rasa["environment"]["INTAKE_ACTIONS_URL"] == "http://actions:5055/webhook"
        assert "ports" not in rasa
    assert services["actions"]["command"][:3] == ["python", "-m", "actions"]
    assert "INTAKE_DATABASE_URL" in services["actions"]["environment"]
    published = [name for name, service in services.items() if "ports" in service]
    assert published == ["proxy"]  # only the reverse proxy faces the network
    proxy = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "server rasa-1:5005" in proxy and "server rasa-2:5005" in proxy
    assert "location /socket.io/" in proxy and "Upgrade $http_upgrade" in proxy


def test_no_secret_is_written_in_the_deployment_files():
    compose = load("docker-compose.yml")
    for name, service in compose["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if SECRET_NAME.search(key):
                assert str(value).startswith("${"), (name, key, value)
    helm = load("deploy/helm-values.yml")
    for variable in helm["extraEnv"]:
        if SECRET_NAME.search(variable["name"]):
            assert "secretKeyRef" in variable.get("valueFrom", {}), variable["name"]
    assert helm["applicationSettings"]["token"] == ""


def test_helm_values_match_the_local_profile():
    helm = load("deploy/helm-values.yml")
    profile = load("endpoints.prod.yml")
    settings = helm["applicationSettings"]
    endpoints = settings["endpoints"]
    tracker, lock = endpoints["trackerStore"], endpoints["lockStore"]
    assert tracker["enabled"] and tracker["type"] == profile["tracker_store"]["type"]
    assert tracker["dialect"] == profile["tracker_store"]["dialect"]
    assert lock["enabled"] and lock["type"] == profile["lock_store"]["type"]
    assert lock["key_prefix"] == profile["lock_store"]["key_prefix"]
    assert endpoints["additionalEndpoints"]["nlg"] == profile["nlg"]
    used = set(VARIABLE.findall(yaml.safe_dump(endpoints)))
    provided = {variable["name"] for variable in helm["extraEnv"]}
    assert used <= provided and profile_variables() <= provided
    assert helm["replicaCount"] >= 2
    assert settings["telemetry"]["enabled"] is False and settings["cors"] != "*"
    assert set(settings["credentials"]["additionalChannelCredentials"]) == set(load("credentials.yml"))
    assert helm["extraArgs"] == ["--auth-token", "$(RASA_AUTH_TOKEN)"]


def test_every_way_of_starting_rasa_goes_through_the_one_entry_point():
    """intake-rasa installs and checks the runtime changes; plain `rasa` would skip them."""
    helm = load("deploy/helm-values.yml")
    assert helm["command"] == ["intake-rasa"] and "args" not in helm  # the chart's args follow it
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.findall(r"\b(?:intake-)?rasa (?:train|run)", dockerfile) == ["intake-rasa train"]
    assert 'CMD ["intake-rasa", "run"' in dockerfile
    for name, service in load("docker-compose.yml")["services"].items():
        command = " ".join(service.get("command") or [])
        assert not re.search(r"(?<![-\w])rasa (run|train|shell)", command), name
    makefile = (ROOT / "Makefile").read_text()
    assert "RASA        := $(BIN)/intake-rasa" in makefile
    assert not re.search(r"\$\(BIN\)/rasa\b", makefile)


def test_the_image_builds_the_model_and_serves_the_production_profile():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "python -m intake_nlu.spacy_pipeline" in dockerfile and "intake-rasa train --domain domain" in dockerfile
    assert 'CMD ["intake-rasa", "run"' in dockerfile
    assert "endpoints.prod.yml" in dockerfile and "RASA_TELEMETRY_ENABLED=false" in dockerfile
    assert "USER intake" in dockerfile
