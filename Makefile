# The verbs a maintainer uses. `make run` and `make test` do everything on a fresh machine.
PYTHON_VERSION ?= 3.10.13
VENV        := .venv
BIN         := $(VENV)/bin
PY          := $(BIN)/python
# `rasa` without TensorFlow in the process when the model uses none (intake_rasa_patches/lean_imports.py).
RASA        := $(BIN)/intake-rasa
SPACY_MODEL := models/spacy/en_intake_rules
MODEL       := models/intake.tar.gz
ACTIONS_PORT ?= 5055

# Privacy and noise: no telemetry from any command the project runs.
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONHASHSEED := 0
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TQDM_DISABLE := 1

TRAINING_INPUTS := config.yml $(shell find domain data intake_nlu intake_dialogue -type f \( -name '*.yml' -o -name '*.py' \) 2>/dev/null)

.PHONY: setup model run serve serve-prod actions web browser test lint validate unit e2e bench bench-speed bench-safety bench-crisis bench-load bench-understanding clean

# The production profile's local defaults (endpoints.prod.yml): the PostgreSQL and Redis
# on 127.0.0.1. A deployment sets its own; passwords only ever come from the environment.
export INTAKE_ACTIONS_URL ?= http://127.0.0.1:$(ACTIONS_PORT)/webhook
export INTAKE_ACTIONS_PORT ?= $(ACTIONS_PORT)
# The action server's shared secret (endpoints*.yml send it, python -m actions checks it):
# generated once into var/actions_token (0600), which intake-rasa and the action server
# also read when the variable is unset.
export INTAKE_ACTIONS_TOKEN ?= $(shell umask 077; mkdir -p var; test -s var/actions_token || \
	head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > var/actions_token; cat var/actions_token)
export INTAKE_POSTGRES_HOST ?= 127.0.0.1
export INTAKE_POSTGRES_PORT ?= 5432
export INTAKE_POSTGRES_DB ?= test
export INTAKE_POSTGRES_USER ?= postgres
export INTAKE_POSTGRES_PASSWORD ?=
export INTAKE_REDIS_HOST ?= 127.0.0.1
export INTAKE_REDIS_PORT ?= 6379
export INTAKE_REDIS_DB ?= 1
export INTAKE_REDIS_PASSWORD ?=
PROD_DATABASE_URL = postgresql://$(INTAKE_POSTGRES_USER)@$(INTAKE_POSTGRES_HOST):$(INTAKE_POSTGRES_PORT)/$(INTAKE_POSTGRES_DB)

setup: $(VENV)/.installed $(SPACY_MODEL)/meta.json

# Python 3.10 from pyenv when present, else whatever python3.10 is on PATH.
$(VENV)/.installed: requirements.txt pyproject.toml
	@test -x $(PY) || (PYENV_VERSION=$(PYTHON_VERSION) python3.10 -m venv $(VENV) 2>/dev/null || python3.10 -m venv $(VENV))
	$(BIN)/pip install --quiet --upgrade "pip<24.1"
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@

$(SPACY_MODEL)/meta.json: $(VENV)/.installed intake_nlu/spacy_pipeline.py
	$(PY) -m intake_nlu.spacy_pipeline $(SPACY_MODEL)

# Retrains only when the data, config, domain or NLU components changed.
model: $(MODEL)
$(MODEL): $(SPACY_MODEL)/meta.json $(TRAINING_INPUTS)
	$(RASA) train --domain domain --fixed-model-name intake --out models
	@touch $@

# The conversation on the terminal; Rasa's and the libraries' warnings and logs (standard
# error) in var/rasa-shell.log, so the first thing on screen is the shell's prompt.
run: $(MODEL)
	@umask 077; mkdir -p var
	@$(PY) -m actions --port $(ACTIONS_PORT) > var/actions.log 2>&1 & echo $$! > var/actions.pid
	@if [ -t 0 ]; then \
		echo "Loading the model; library warnings and logs go to var/rasa-shell.log ..."; \
		$(RASA) shell --model $(MODEL) -i 127.0.0.1 2> var/rasa-shell.log \
		|| { echo "make run: the shell stopped with an error; the end of var/rasa-shell.log:"; tail -n 20 var/rasa-shell.log; }; \
	else \
		echo "make run: standard input is not a terminal, so no shell is opened."; \
		echo "Trained model: $(MODEL). Talk to it from a terminal with 'make run'."; \
	fi; \
	kill $$(cat var/actions.pid) 2>/dev/null; rm -f var/actions.pid

# Action server, Rasa server (HTTP API with an auth token, REST, socket.io) and the chat
# page, all on 127.0.0.1; prints the URLs (intake/serve.py).
serve: $(MODEL) web
	$(PY) -m intake.serve --profile dev

serve-prod: $(MODEL) web
	INTAKE_DATABASE_URL="$${INTAKE_DATABASE_URL:-$(PROD_DATABASE_URL)}" $(PY) -m intake.serve --profile prod

# The chat widget from the npm registry (web/package-lock.json), served locally.
web: web/node_modules/rasa-webchat/lib/index.js
web/node_modules/rasa-webchat/lib/index.js: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@

# Debian's Chromium for the browser test, installed when missing.
browser:
	@command -v chromium >/dev/null || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium chromium-driver \
		|| { $$SUDO apt-get update && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium chromium-driver; }; }

actions: $(VENV)/.installed
	$(PY) -m actions --port $(ACTIONS_PORT)

# Rasa's `data validate --fail-on-warnings`, failing on any warning; responses uttered by
# the Python code, forms and Rasa's default actions count as used (intake_dialogue/validate_data.py).
validate: $(SPACY_MODEL)/meta.json
	$(PY) -m intake_dialogue.validate_data --domain domain

unit: $(SPACY_MODEL)/meta.json web browser
	$(BIN)/pytest -q

e2e: $(MODEL)
	$(RASA) test core --model $(MODEL) --stories tests/test_stories.yml --fail-on-prediction-errors --out results

# ruff: lint (pyproject.toml [tool.ruff]) and the format check; FORMAT_CHECK=0 skips the latter.
FORMAT_CHECK ?= 1
lint: $(VENV)/.installed
	$(BIN)/ruff check .
ifeq ($(FORMAT_CHECK),1)
	$(BIN)/ruff format --check .
endif

test: lint validate $(MODEL) web browser
	$(BIN)/pytest -q
	$(RASA) test core --model $(MODEL) --stories tests/test_stories.yml --fail-on-prediction-errors --out results

bench: $(MODEL)
	$(PY) bench/nlu_crossval.py

bench-speed: $(MODEL)
	$(PY) bench/speed.py

bench-safety: $(MODEL)
	$(PY) bench/safety.py

bench-crisis: $(MODEL)
	$(PY) bench/crisis_eval.py

bench-load: $(MODEL)
	$(PY) bench/load.py

# Intents, concerns, scheduling answers and scripted clients on ../shared/dev (prints every miss).
bench-understanding: $(MODEL)
	$(PY) bench/understanding.py

clean:
	rm -rf models/*.tar.gz results var
