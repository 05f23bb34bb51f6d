# The image for the Rasa servers and the action server (docker-compose.yml, Helm values).
# Everything is built from the registries at build time: the spaCy pipeline and the model
# are built into the image, so nothing is downloaded when a container starts.
FROM python:3.10-slim
ENV RASA_TELEMETRY_ENABLED=false PYTHONHASHSEED=0 SQLALCHEMY_SILENCE_UBER_WARNING=1 TQDM_DISABLE=1
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends build-essential && rm -rf /var/lib/apt/lists/*
COPY requirements.txt pyproject.toml ./
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN pip install --no-cache-dir --no-deps -e . \
    && python -m intake_nlu.spacy_pipeline models/spacy/en_intake_rules \
    && intake-rasa train --domain domain --fixed-model-name intake --out models
RUN useradd --create-home intake && chown -R intake /app
USER intake
EXPOSE 5005 5055
# intake-rasa refuses to serve the HTTP API on 0.0.0.0 without RASA_AUTH_TOKEN (or
# --auth-token): `docker run -e RASA_AUTH_TOKEN=...`. The action server's shared secret
# comes from INTAKE_ACTIONS_TOKEN (endpoints.prod.yml); nothing secret is in the image.
CMD ["intake-rasa", "run", "--enable-api", "-m", "models/intake.tar.gz", "--endpoints", "endpoints.prod.yml", "--credentials", "credentials.yml"]
