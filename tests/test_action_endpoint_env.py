"""The action endpoint Rasa reads: endpoints.yml's contract URL works for a plain `rasa run`,
and the project's processes send their own URL and shared secret
(intake_rasa_patches/action_endpoint_env.py)."""

import pytest
import rasa.core.utils

pytestmark = pytest.mark.patched


def endpoints(tmp_path, url):
    path = tmp_path / "endpoints.yml"
    path.write_text(f'action_endpoint:\n  url: "{url}"\n')
    return str(path)


def test_the_contract_url_gives_way_to_the_environment_and_the_secret_is_sent(tmp_path, monkeypatch):
    monkeypatch.setenv("INTAKE_ACTIONS_URL", "http://127.0.0.1:6123/webhook")
    monkeypatch.setenv("INTAKE_ACTIONS_TOKEN", "s3cret")
    config = rasa.core.utils.read_endpoint_config(
        endpoints(tmp_path, "http://localhost:5055/webhook"), "action_endpoint"
    )
    assert config.url == "http://127.0.0.1:6123/webhook"
    assert config.headers["Authorization"] == "Bearer s3cret"


def test_an_endpoints_file_naming_another_action_server_keeps_it(tmp_path, monkeypatch):
    monkeypatch.setenv("INTAKE_ACTIONS_URL", "http://127.0.0.1:6123/webhook")
    monkeypatch.delenv("INTAKE_ACTIONS_TOKEN", raising=False)
    config = rasa.core.utils.read_endpoint_config(endpoints(tmp_path, "http://actions:5055/webhook"), "action_endpoint")
    assert config.url == "http://actions:5055/webhook"
    assert "Authorization" not in (config.headers or {})
