"""The action server's URL and shared secret from the environment, over endpoints.yml's.

endpoints.yml names the action server as the contract does (http://localhost:5055/webhook),
so a plain `rasa run` with `rasa run actions` works from a fresh clone. The project's own
processes (intake-rasa, make, make serve) set INTAKE_ACTIONS_URL and INTAKE_ACTIONS_TOKEN
(intake_rasa_patches/cli.py); Rasa 3.6 has no defaults for `${VARIABLES}` in endpoint files,
so here the action endpoint it reads takes the URL (in place of that contract default only:
an endpoints file naming another action server keeps it) and sends the token when set.
"""

import os
from typing import Optional, Text

import rasa.core.utils
from rasa.utils.endpoints import EndpointConfig

URL_VARIABLE = "INTAKE_ACTIONS_URL"
TOKEN_VARIABLE = "INTAKE_ACTIONS_TOKEN"
CONTRACT_URL = "http://localhost:5055/webhook"  # endpoints.yml's

_read_endpoint_config = rasa.core.utils.read_endpoint_config


def read_endpoint_config(filename: Text, endpoint_type: Text) -> Optional[EndpointConfig]:
    config = _read_endpoint_config(filename, endpoint_type)
    if config is None or endpoint_type != "action_endpoint":
        return config
    if os.environ.get(URL_VARIABLE) and config.url == CONTRACT_URL:
        config.url = os.environ[URL_VARIABLE]
    if os.environ.get(TOKEN_VARIABLE) and "Authorization" not in (config.headers or {}):
        config.headers = {**(config.headers or {}), "Authorization": f"Bearer {os.environ[TOKEN_VARIABLE]}"}
    return config


def install() -> None:
    if rasa.core.utils.read_endpoint_config is not read_endpoint_config:
        rasa.core.utils.read_endpoint_config = read_endpoint_config
