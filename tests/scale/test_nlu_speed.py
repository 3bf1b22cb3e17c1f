"""lantern/nlu/classifier.py and featurizer.py: Rasa's numbers, computed faster; a lean load."""

from __future__ import annotations

import asyncio
import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

from tests.scale.speed.texts import TEXTS
from tests.servers import ROOT


def _classifier(agent: Any) -> Any:
    from lantern.nlu.classifier import LanternLogisticRegression

    nodes = agent.processor.graph_runner._instantiated_nodes
    found = [
        n._component for n in nodes.values() if isinstance(n._component, LanternLogisticRegression)
    ]
    assert len(found) == 1
    return found[0]


def test_the_classifier_saves_loads_and_predicts_like_rasas(tmp_path: Path) -> None:
    from rasa.core.agent import load_agent
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource

    agent = asyncio.run(load_agent(model_path=str(ROOT / "models" / "lantern.tar.gz")))
    loaded = _classifier(agent)
    clf = loaded.clf
    assert clf.coef_.flags.f_contiguous
    rows = np.random.default_rng(0).random((5, clf.coef_.shape[1]))
    # the same numbers as the row-major matrix scikit-learn trained
    row_major = copy.deepcopy(clf)
    row_major.coef_ = np.ascontiguousarray(clf.coef_)
    assert np.allclose(clf.predict_proba(rows), row_major.predict_proba(rows))
    # saved and loaded again: the same classifier
    storage, resource = LocalModelStorage(tmp_path), Resource("classifier")
    copy_ = type(loaded)(loaded.config, "classifier", storage, resource)
    copy_.clf = clf
    copy_.persist()
    context = ExecutionContext(GraphSchema({}), "test")
    again = type(loaded).load(loaded.config, storage, resource, context).clf
    assert list(again.classes_) == list(clf.classes_)
    assert np.array_equal(again.predict_proba(rows), clf.predict_proba(rows))
    # nothing saved (no intents to train): an untrained classifier, as Rasa's
    empty = type(loaded).load(loaded.config, storage, Resource("never_saved"), context)
    assert not hasattr(empty.clf, "coef_")


def test_the_classifier_ranks_intents_as_rasas_does() -> None:
    from rasa.core.agent import load_agent
    from rasa.nlu.classifiers.logistic_regression_classifier import (
        LogisticRegressionClassifier,
    )
    from rasa.shared.nlu.training_data.message import Message

    from lantern.nlu.featurizer import SentenceCountVectors
    from lantern.nlu.tokenizer import LanternTokenizer

    agent = asyncio.run(load_agent(model_path=str(ROOT / "models" / "lantern.tar.gz")))
    nodes = agent.processor.graph_runner._instantiated_nodes
    ordered = sorted(
        (
            (int("".join(c for c in name if c.isdigit()) or 0), n._component)
            for name, n in nodes.items()
            if name.startswith("run_")
        ),
        key=lambda pair: pair[0],
    )
    before = [c for _, c in ordered if isinstance(c, (LanternTokenizer, SentenceCountVectors))]
    assert len(before) == 3  # the tokenizer, then the word and character featurizers
    messages = [Message(data={"text": text}) for text in TEXTS]
    for component in before:
        messages = component.process(messages)
    classifier = _classifier(agent)
    # Rasa's way has no question part (lantern/nlu/question.py weighs it in on purpose)
    classifier.config["question_weight"] = 0.0
    ours = classifier.process(copy.deepcopy(messages))
    rasas = LogisticRegressionClassifier.process(classifier, copy.deepcopy(messages))
    for mine, theirs in zip(ours, rasas, strict=True):
        assert mine.get("intent")["name"] == theirs.get("intent")["name"]
        assert [r["name"] for r in mine.get("intent_ranking")] == [
            r["name"] for r in theirs.get("intent_ranking")
        ]
        assert np.allclose(
            [r["confidence"] for r in mine.get("intent_ranking")],
            [r["confidence"] for r in theirs.get("intent_ranking")],
            rtol=0,
            atol=1e-12,
        )


def test_loading_the_model_does_not_import_skops() -> None:
    code = (
        "import asyncio, sys\n"
        "from rasa.core.agent import load_agent\n"
        f"agent = asyncio.run(load_agent(model_path={str(ROOT / 'models' / 'lantern.tar.gz')!r}))\n"
        "print(agent.is_ready(), 'skops' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert out.stdout.split()[-2:] == ["True", "False"], out.stderr[-2000:]


def test_the_featurizers_make_rasas_sentence_features_and_no_sequence_features() -> None:
    from rasa.core.agent import load_agent
    from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
        CountVectorsFeaturizer,
    )

    from lantern.nlu.featurizer import SentenceCountVectors

    agent = asyncio.run(load_agent(model_path=str(ROOT / "models" / "lantern.tar.gz")))
    nodes = agent.processor.graph_runner._instantiated_nodes.values()
    featurizers = [n._component for n in nodes if isinstance(n._component, SentenceCountVectors)]
    assert len(featurizers) == 2  # words and character n-grams
    odd = ["Ketamine KETAMINE ketamine ket ket", "café naïve İstanbul", "🙂 🙂 ?!", "x" * 300]
    token_lists = [text.lower().split() for text in TEXTS] + [t.split() for t in odd] + [[]]
    for featurizer in featurizers:
        ours = featurizer._create_features("text", token_lists)
        rasas = CountVectorsFeaturizer._create_features(featurizer, "text", token_lists)
        assert ours[0] == [None] * len(token_lists)  # no sequence features
        assert any(m is not None for m in rasas[0])
        for mine, theirs in zip(ours[1], rasas[1], strict=True):
            if theirs is None:
                assert mine is None
                continue
            assert (mine != theirs).nnz == 0 and mine.shape == theirs.shape
            assert mine.dtype == theirs.dtype and mine.format == theirs.format == "coo"
