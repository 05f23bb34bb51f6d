"""SequentialGraphRunner (intake_rasa_patches/graph_runner.py) gives what Rasa's dask runner
gives, for understanding a message and for predicting the next action."""

from pathlib import Path

import pytest
from rasa.core.channels import UserMessage
from rasa.engine import loader
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import TEXT

from intake_rasa_patches.graph_runner import SequentialGraphRunner
from tests.conftest import MODEL_PATH

pytestmark = pytest.mark.patched

MESSAGES = [
    "hi",
    "I've been so stressed at work and I can't sleep, and I feel alone since my divorce",
    "what is IPT?",
    "Tuesday and Thursday evenings",
    "I want to end my life",
]


@pytest.fixture(scope="module")
def runners(tmp_path_factory):
    loaded = {}
    for runner_class in (DaskGraphRunner, SequentialGraphRunner):
        storage = tmp_path_factory.mktemp(runner_class.__name__)
        loaded[runner_class] = loader.load_predict_graph_runner(
            Path(storage), MODEL_PATH, LocalModelStorage, runner_class
        )
    return loaded


def parsed(runner, metadata, text):
    tracker = DialogueStateTracker("graph-runner", metadata.domain.slots)
    message = runner.run(
        inputs={"__message__": [UserMessage(text)], "__tracker__": tracker}, targets=[metadata.nlu_target]
    )[metadata.nlu_target][0]
    return {key: value for key, value in message.as_dict().items() if key != TEXT}, message


@pytest.mark.parametrize("text", MESSAGES)
def test_a_message_is_understood_the_same(runners, text):
    (dask_metadata, dask_runner), (metadata, sequential) = runners[DaskGraphRunner], runners[SequentialGraphRunner]
    expected, _ = parsed(dask_runner, dask_metadata, text)
    result, _ = parsed(sequential, metadata, text)
    assert result["intent"] == expected["intent"] and result.get("entities") == expected.get("entities")
    assert result["intent_ranking"] == expected["intent_ranking"]


@pytest.mark.parametrize("text", MESSAGES)
def test_the_next_action_is_predicted_the_same(runners, text):
    predictions = []
    for runner_class in (DaskGraphRunner, SequentialGraphRunner):
        metadata, runner = runners[runner_class]
        _, message = parsed(runner, metadata, text)
        tracker = DialogueStateTracker.from_events(
            "graph-runner",
            [
                ActionExecuted(ACTION_LISTEN_NAME),
                UserUttered(text, message.data["intent"], message.data.get("entities", [])),
            ],
            metadata.domain.slots,
        )
        result = runner.run(inputs={"__tracker__": tracker}, targets=[metadata.core_target])
        prediction = result[metadata.core_target]
        predictions.append((prediction.max_confidence_index, prediction.policy_name, prediction.probabilities))
    assert predictions[0] == predictions[1]


def test_a_missing_input_is_a_clear_error(runners):
    metadata, runner = runners[SequentialGraphRunner]
    with pytest.raises(GraphRunError, match="__tracker__"):
        runner.run(inputs={}, targets=[metadata.core_target])
