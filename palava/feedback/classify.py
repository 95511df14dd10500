"""The trained triage model: a scikit-learn pipeline, its storage and its use.

TF-IDF over folded word unigrams and bigrams plus character 2-5-grams inside word boundaries
(robust to spelling variants, SMS abbreviations and the five languages at once), then a
class-balanced logistic regression fitted by stochastic gradient descent (as accurate as the
batch solvers here, and ten times faster on 20,000 texts), whose probabilities decide whether
triage trusts it.

A fitted pipeline is pickled into ``Classifier.artifact`` with an HMAC-SHA256 tag
(``artifact_mac``) under a key derived from ``SECRET_KEY`` with a fixed label. The tag is
checked, in constant time, before anything is unpickled: a row written or altered by anyone
without the server secret is refused and logged, never loaded. Loaded models are cached per
process by classifier id (a classifier's artifact never changes once stored).
"""

from __future__ import annotations

import hashlib
import hmac
import io
import logging
import pickle
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
from sklearn.linear_model import SGDClassifier  # type: ignore[import-untyped]
from sklearn.pipeline import FeatureUnion, Pipeline  # type: ignore[import-untyped]

from palava.feedback.models import Classifier, ClassifierStatus
from palava.places.text import fold

logger = logging.getLogger(__name__)

MAC_LABEL = b"palava.feedback.classifier.artifact.v1"
MAX_ARTIFACT_BYTES = 64 * 1024 * 1024
MAX_TEXT_CHARS = 2000


class ModelRefused(Exception):
    """A stored model failed its integrity check (or is not a model at all)."""


def preprocess(text: str) -> str:
    """What the model reads: the folded start of the text (module-level so it pickles)."""
    return fold(text[:MAX_TEXT_CHARS])


def pipeline_build(*, max_features: int = 50_000, alpha: float = 5e-5) -> Pipeline:
    """A fresh, unfitted pipeline (the same for missions and for the CrisisLex evaluation)."""
    features = FeatureUnion(
        [
            (
                "words",
                TfidfVectorizer(
                    preprocessor=preprocess,
                    ngram_range=(1, 2),
                    min_df=1,
                    sublinear_tf=True,
                    max_features=max_features,
                ),
            ),
            (
                "chars",
                TfidfVectorizer(
                    preprocessor=preprocess,
                    analyzer="char_wb",
                    ngram_range=(2, 5),
                    min_df=1,
                    sublinear_tf=True,
                    max_features=max_features,
                ),
            ),
        ]
    )
    model = SGDClassifier(
        loss="log_loss",
        alpha=alpha,
        class_weight="balanced",
        max_iter=100,
        tol=1e-3,
        random_state=0,
    )
    return Pipeline([("features", features), ("model", model)])


def pipeline_fit(pipeline: Pipeline, texts: Sequence[str], labels: Sequence[str]) -> Pipeline:
    pipeline.fit(list(texts), list(labels))
    return pipeline


@dataclass(frozen=True)
class Prediction:
    label: str
    probability: float


def predict(pipeline: Pipeline, texts: Sequence[str]) -> list[Prediction]:
    """The most probable label of each text, with its probability."""
    if not texts:
        return []
    probabilities = pipeline.predict_proba(list(texts))
    classes = [str(c) for c in pipeline.classes_]
    best = probabilities.argmax(axis=1)
    return [
        Prediction(classes[int(i)], round(float(row[int(i)]), 4))
        for i, row in zip(best, probabilities, strict=True)
    ]


# --- Storage ---------------------------------------------------------------------------------


def _mac_key() -> bytes:
    secret = settings.SECRET_KEY
    material = secret.encode() if isinstance(secret, str) else bytes(secret)
    return hmac.new(material, MAC_LABEL, hashlib.sha256).digest()


def artifact_mac(blob: bytes) -> str:
    return hmac.new(_mac_key(), blob, hashlib.sha256).hexdigest()


def serialise(pipeline: Pipeline) -> tuple[bytes, str]:
    """``(pickled bytes, hex HMAC tag)`` for ``Classifier.artifact`` and ``artifact_mac``."""
    blob = pickle.dumps(pipeline, protocol=pickle.HIGHEST_PROTOCOL)
    if len(blob) > MAX_ARTIFACT_BYTES:
        raise ModelRefused(f"model is {len(blob)} bytes, over the {MAX_ARTIFACT_BYTES} limit")
    return blob, artifact_mac(blob)


def deserialise(blob: bytes | memoryview | None, mac: str) -> Pipeline:
    """The pipeline, only if ``mac`` is the tag of ``blob`` under the server key."""
    if blob is None or not mac:
        raise ModelRefused("no model stored")
    data = bytes(blob)
    if len(data) > MAX_ARTIFACT_BYTES:
        raise ModelRefused("model too large")
    if not hmac.compare_digest(artifact_mac(data), mac):
        raise ModelRefused("model signature does not match")
    loaded = pickle.load(io.BytesIO(data))  # noqa: S301 - authenticated above
    if not isinstance(loaded, Pipeline):
        raise ModelRefused("stored object is not a pipeline")
    return loaded


_cache: dict[int, Pipeline] = {}
_refused: set[int] = set()
_lock = threading.Lock()


def model_load(classifier: Classifier) -> Pipeline | None:
    """The classifier's fitted pipeline (cached per process), or None (logged) when its
    artifact is missing or fails the integrity check."""
    with _lock:
        cached = _cache.get(classifier.pk)
        if cached is not None or classifier.pk in _refused:
            return cached
    try:
        artifact = Classifier.objects.filter(pk=classifier.pk).values_list(
            "artifact", "artifact_mac"
        )
        row = artifact.first()
        if row is None:
            raise ModelRefused("classifier row is gone")
        pipeline = deserialise(row[0], row[1])
    except ModelRefused as exc:
        logger.error(
            "refusing to load classifier %s (%s v%s) of mission %s: %s",
            classifier.public_id,
            classifier.target,
            classifier.version,
            classifier.mission_id,
            exc,
        )
        with _lock:
            _refused.add(classifier.pk)
        return None
    with _lock:
        _cache[classifier.pk] = pipeline
    return pipeline


def model_cache_clear() -> None:
    with _lock:
        _cache.clear()
        _refused.clear()


def active_classifiers(mission_ids: Sequence[int]) -> dict[tuple[int, str], Classifier]:
    """The active, ready classifier of each (mission, target), without their artifacts."""
    rows = Classifier.objects.filter(
        mission_id__in=set(mission_ids), is_active=True, status=ClassifierStatus.READY
    ).defer("artifact")
    return {(c.mission_id, c.target): c for c in rows}


def describe(pipeline: Pipeline) -> dict[str, Any]:
    """Facts about a fitted pipeline for the evaluation page."""
    return {"classes": [str(c) for c in getattr(pipeline, "classes_", [])]}
