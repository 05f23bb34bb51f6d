"""SentenceCountVectorsFeaturizer and SentenceLogisticRegressionClassifier
(intake_nlu/intent_classifier.py) understand every message exactly as Rasa's
CountVectorsFeaturizer and LogisticRegressionClassifier do with the same trained model."""

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse
import yaml
from rasa.core.channels import UserMessage
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import FEATURE_TYPE_SEQUENCE, TEXT

from intake_nlu.intent_classifier import SentenceCountVectorsFeaturizer, SentenceLogisticRegressionClassifier
from intake_rasa_patches.graph_runner import SequentialGraphRunner
from tests.conftest import MODEL_PATH, ROOT

RASAS = {
    SentenceCountVectorsFeaturizer: CountVectorsFeaturizer,
    SentenceLogisticRegressionClassifier: LogisticRegressionClassifier,
}


def examples(limit_per_file=40):
    texts = []
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text()).get("nlu", []):
            lines = [line[2:].strip() for line in str(block.get("examples", "")).splitlines() if line.startswith("- ")]
            texts += lines[: limit_per_file // 4]
    # (No empty text: the channels refuse it before any NLU, and Rasa's classifier cannot take it.)
    return texts + ["🙂🙂", "<b>hi</b>", "'; DROP TABLE events; --", "tues & thurs, after work " * 40]


def runner(storage_path: Path, rasas_classes: bool):
    storage, metadata = LocalModelStorage.from_model_archive(storage_path, MODEL_PATH)
    schema = metadata.predict_schema
    uses = {type(None)}
    for node in schema.nodes.values():
        uses.add(node.uses)
        if rasas_classes and node.uses in RASAS:
            node.uses = RASAS[node.uses]
    assert set(RASAS) <= uses  # the trained model uses ours
    context = ExecutionContext(graph_schema=schema, model_id=metadata.model_id)
    return metadata, SequentialGraphRunner.create(schema, storage, context)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """(metadata, graph runner) with this project's components, then with Rasa's."""
    return [runner(tmp_path_factory.mktemp(f"model{n}"), rasas) for n, rasas in enumerate((False, True))]


def classifier_node(metadata) -> str:
    classes = (SentenceLogisticRegressionClassifier, LogisticRegressionClassifier)
    return next(name for name, node in metadata.predict_schema.nodes.items() if node.uses in classes)


@pytest.fixture(scope="module")
def parse_both(loaded):
    """Each message as the classifier leaves it: the components after it (the crisis
    detector reads our per-sentence rankings, which Rasa's classifier does not make) are
    not what is compared."""

    def parse(text):
        messages = []
        for metadata, graph in loaded:
            tracker = DialogueStateTracker("classification", metadata.domain.slots)
            target = classifier_node(metadata)
            result = graph.run(inputs={"__message__": [UserMessage(text)], "__tracker__": tracker}, targets=[target])
            messages.append(result[target][0])
        return messages

    return parse


def test_every_message_gets_the_same_intent_ranking(parse_both):
    texts = examples()
    assert len(texts) > 100
    for text in texts:
        ours, rasas = parse_both(text)
        assert ours.get("intent") == rasas.get("intent"), text
        assert ours.get("intent_ranking") == rasas.get("intent_ranking"), text  # the same numbers
        assert ours.get("entities", []) == rasas.get("entities", []), text


def test_answering_a_message_computes_no_per_token_features(parse_both):
    ours, rasas = parse_both("I have been so stressed at work")
    sequence = [f for f in ours.features if f.attribute == TEXT and f.type == FEATURE_TYPE_SEQUENCE and f.is_sparse()]
    assert sequence == []  # Rasa's computes them (and nothing here reads them)
    assert any(f.type == FEATURE_TYPE_SEQUENCE for f in rasas.features)


def test_the_classifier_input_is_rasas_matrix_for_one_message_and_for_many(parse_both):
    texts = examples()[:60]
    messages = [parse_both(text)[1] for text in texts]  # featurized by Rasa's featurizer
    for batch in ([messages[0]], messages):
        ours = SentenceLogisticRegressionClassifier._create_X(None, batch)
        rasas = LogisticRegressionClassifier._create_X(None, batch)
        assert ours.shape == rasas.shape and ours.dtype == rasas.dtype
        assert (ours != rasas).nnz == 0


def test_the_probabilities_are_scikit_learns_for_one_message_many_and_one_without_features(loaded, parse_both):
    messages = [parse_both(text)[0] for text in examples()[:60]]
    _, graph = loaded[0]
    [classifier] = [
        node._component
        for node in graph._instantiated_nodes.values()
        if isinstance(getattr(node, "_component", None), SentenceLogisticRegressionClassifier)
    ]
    many = SentenceLogisticRegressionClassifier._create_X(None, messages)
    nothing = scipy.sparse.csr_matrix((1, many.shape[1]), dtype=np.float64)  # no known word
    for X in (many[:1], many, scipy.sparse.vstack([many[:3], nothing, many[3:5]], format="csr")):
        assert np.array_equal(classifier.probabilities(X), classifier.clf.predict_proba(X))  # bit for bit
