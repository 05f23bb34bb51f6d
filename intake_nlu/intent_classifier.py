"""Rasa's count-vector features and logistic-regression intent classifier, with the
work this pipeline does not use left out when a message is answered.

- SentenceCountVectorsFeaturizer: CountVectorsFeaturizer gives a message sequence
  features (one row per token) and sentence features (one row for the message). The
  classifier here reads only the sentence features, and the sequence features cost as
  much again, so answering a message computes the sentence features only. Training is
  Rasa's, unchanged. (A pipeline with DIET or another sequence model needs Rasa's.)
- SentenceLogisticRegressionClassifier: Rasa's classifier builds its input by copying
  and stacking the featurizers' sentence features with scipy's general stacking, four
  calls per message; this builds the same matrix in one. Its probabilities are
  scikit-learn's predict_proba for a multinomial model (the features times the
  coefficients plus the intercepts, then scikit-learn's softmax) without re-validating
  the matrix just built, and without scipy copying the coefficient matrix for every
  message. Same model, same numbers.
- Sentence by sentence: a message of several sentences is also scored one sentence at a
  time (same featurizers, same model), and each sentence's ranking is kept on the
  message as `sentence_rankings` (not in the parse output) for the safety layer
  (crisis_detector.py): one risk sentence in a long message is not diluted by the rest.
"""

import re
from typing import List

import numpy as np
import scipy.sparse
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.utils.tensorflow.constants import RANKING_LENGTH
from sklearn.utils.extmath import softmax

# Per featurizer, the sentence features of each sentence of a message of several; and the
# classifier's ranking for each (read by the safety layer).
PART_FEATURES = "sentence_part_features"
SENTENCE_RANKINGS = "sentence_rankings"
SENTENCE_END_TOKEN = re.compile(r"^[.!?;…]+$|^-{1,2}$|^[–—]$")
CLAUSE_TOKENS = {",", "but"}
LONG_PART = 16  # tokens; a run-on sentence is split at its commas too (as text_folding.sentences)
MIN_PART = 3  # tokens; a fragment ("Tonight.", "ok") says too little to be scored alone
MAX_PARTS = 24


def sentence_parts(tokens: List[str]) -> List[List[str]]:
    """The sentences of a message's tokens; a long run-on one split at its commas."""
    parts, current = [], []
    for token in tokens + ["."]:
        if SENTENCE_END_TOKEN.match(token):
            if current:
                parts.append(current)
            current = []
        else:
            current.append(token)
    split = []
    for part in parts:
        if len(part) <= LONG_PART:
            split.append(part)
            continue
        clause = []
        for token in part + [","]:
            if token in CLAUSE_TOKENS:
                if clause:
                    split.append(clause)
                clause = []
            else:
                clause.append(token)
    return [part for part in split if len(part) >= MIN_PART][:MAX_PARTS]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class SentenceCountVectorsFeaturizer(CountVectorsFeaturizer):
    def process(self, messages: List[Message]) -> List[Message]:
        if self.vectorizers is None:
            return super().process(messages)
        for message in messages:
            for attribute in self._attributes:
                tokens = self._get_processed_message_tokens_by_attribute(message, attribute)
                vectorizer = self.vectorizers.get(attribute)
                if attribute in DENSE_FEATURIZABLE_ATTRIBUTES and tokens and vectorizer is not None:
                    sentence = vectorizer.transform([" ".join(tokens)])  # as in Rasa's _create_features
                    sentence.sort_indices()
                    self.add_features_to_message(None, sentence.tocoo(), attribute, message)
                    if attribute == TEXT:
                        self._add_part_features(message, tokens, vectorizer)
                else:  # Rasa's way (these have sequence features only, or none)
                    sequence, sentence = self._create_features(attribute, [tokens])
                    self.add_features_to_message(sequence[0], sentence[0], attribute, message)
        return messages

    @staticmethod
    def _add_part_features(message: Message, tokens: List[str], vectorizer) -> None:
        """Each sentence's features, when the message has more than one."""
        parts = sentence_parts(tokens)
        if len(parts) < 2:
            return
        features = vectorizer.transform([" ".join(part) for part in parts]).tocsr()
        features.sort_indices()
        message.set(PART_FEATURES, (message.get(PART_FEATURES) or []) + [features])


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class SentenceLogisticRegressionClassifier(LogisticRegressionClassifier):
    def process(self, messages: List[Message]) -> List[Message]:
        """Rasa's: the most likely intent and the ranking, with the probabilities below."""
        probabilities = self.probabilities(self._create_X(messages))
        for message, row in zip(messages, probabilities):
            # str(): the labels are numpy strings, which the story writer (GET
            # /conversations/ID/story) cannot represent (issue 15, L6).
            ranking = sorted(
                ({"name": str(name), "confidence": confidence} for name, confidence in zip(self.clf.classes_, row)),
                key=lambda entry: -entry["confidence"],
            )
            message.set(INTENT, ranking[0], add_to_output=True)
            if self.config[RANKING_LENGTH] > 0:
                ranking = ranking[: self.config[RANKING_LENGTH]]
            message.set("intent_ranking", ranking, add_to_output=True)
            self._rank_sentences(message)
        return messages

    def _rank_sentences(self, message: Message) -> None:
        """The ranking of each sentence of a message of several (PART_FEATURES)."""
        by_featurizer = message.get(PART_FEATURES)
        if not by_featurizer or len({block.shape[0] for block in by_featurizer}) != 1:
            return
        X = scipy.sparse.hstack(by_featurizer, format="csr").astype(np.float64)
        rankings = []
        for row in self.probabilities(X):
            best = np.argsort(-row)[:3]
            rankings.append([{"name": str(self.clf.classes_[i]), "confidence": float(row[i])} for i in best])
        message.set(SENTENCE_RANKINGS, rankings)

    def probabilities(self, X: scipy.sparse.csr_matrix) -> np.ndarray:
        """clf.predict_proba(X) (scikit-learn 1.1), the multinomial case computed directly."""
        clf = self.clf
        multinomial = clf.multi_class == "multinomial" or (
            clf.multi_class == "auto" and clf.classes_.size > 2 and clf.solver != "liblinear"
        )
        if not multinomial or not scipy.sparse.isspmatrix_csr(X) or X.shape[1] != clf.coef_.shape[1]:
            return clf.predict_proba(X)
        # X @ coef_.T, row by row: the coefficient rows of the row's features, each times its
        # count, added up in column order, as scipy does (the same numbers). scipy would copy
        # the whole transposed coefficient matrix (features x intents) on every call.
        by_feature = self._coefficients_by_feature()
        scores = np.vstack(
            [
                (X.data[start:end, None] * by_feature[X.indices[start:end]]).sum(axis=0)
                for start, end in zip(X.indptr[:-1], X.indptr[1:])
            ]
        )
        return softmax(scores + clf.intercept_, copy=False)

    def _coefficients_by_feature(self) -> np.ndarray:
        """coef_.T made contiguous (a row per feature), once per trained coefficient matrix."""
        coefficients = self.clf.coef_
        if getattr(self, "_by_feature_of", None) is not coefficients:
            self._by_feature = np.ascontiguousarray(coefficients.T)
            self._by_feature_of = coefficients
        return self._by_feature

    def _create_X(self, messages: List[Message]) -> scipy.sparse.csr_matrix:
        rows = []
        for message in messages:
            sentence = [
                feature.features
                for feature in message.features
                if feature.attribute == TEXT and feature.is_sparse() and feature.type == FEATURE_TYPE_SENTENCE
            ]
            if not sentence or message.get_dense_features(attribute=TEXT)[1] is not None:
                return super()._create_X(messages)  # Rasa's way for what this pipeline never has
            rows.append(_side_by_side(sentence))
        # Rasa stacks them with an empty dense block, which makes them float64.
        stacked = rows[0] if len(rows) == 1 else scipy.sparse.vstack(rows, format="csr")
        return stacked.astype(np.float64)


def _side_by_side(blocks: List[scipy.sparse.spmatrix]) -> scipy.sparse.csr_matrix:
    """scipy.sparse.hstack of one-row blocks, without its general machinery."""
    if any(block.shape[0] != 1 for block in blocks):
        return scipy.sparse.hstack(blocks, format="csr")
    blocks = [block.tocoo() for block in blocks]
    offsets = np.cumsum([0] + [block.shape[1] for block in blocks])
    columns = np.concatenate([block.col + offset for block, offset in zip(blocks, offsets)])
    data = np.concatenate([block.data for block in blocks])
    matrix = scipy.sparse.csr_matrix((data, columns, np.array([0, len(data)])), shape=(1, int(offsets[-1])))
    matrix.sum_duplicates()  # sorted, as the CSR scipy builds
    return matrix
