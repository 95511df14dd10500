"""Training a mission's own triage model on its staff's labels, with a held-out evaluation.

Labels are the messages whose category (or urgency) staff set or corrected
(``LabelSource.STAFF``). Classes with fewer than :data:`MIN_CLASS_LABELS` examples are left out
(they cannot be both learnt and tested; the lexicon still handles them). A stratified quarter is
held out; the model is fitted on the rest and scored on it, per class (precision, recall, F1,
support), overall (macro-F1 over the classes present among the held-out messages, accuracy) and
as a confusion matrix, and so is the keyword lexicon **on the same held-out messages**. The
model is then refitted on every label and stored as a new version; it becomes the active one
only with enough labels (:data:`MIN_LABELS`, at least two classes) and a macro-F1 better than
the lexicon's. Everything is kept in ``Classifier.metrics`` for the evaluation page.

Training runs as a task behind a :class:`palava.core.models.Job` (:func:`classifier_train_start`)
so the page can show its progress; :func:`classifiers_retrain_due` retrains nightly, only where
the staff labels changed since the last version.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _
from sklearn.metrics import (  # type: ignore[import-untyped]
    accuracy_score,
    confusion_matrix,
    precision_recall_fscore_support,
)
from sklearn.model_selection import train_test_split  # type: ignore[import-untyped]

from palava.audit.services import audit_record
from palava.core.models import Job, JobStatus, acting_user
from palava.core.services import job_create, job_finish, job_progress
from palava.feedback.classify import pipeline_build, pipeline_fit, serialise
from palava.feedback.language import detect_languages
from palava.feedback.models import (
    Classifier,
    ClassifierStatus,
    ClassifierTarget,
    LabelSource,
    Message,
)
from palava.feedback.triage import categories_ensure, mission_lexicon
from palava.missions.models import Mission

logger = logging.getLogger(__name__)

JOB_KIND = "classifier.train"
MIN_LABELS = 50
MIN_CLASS_LABELS = 4
TEST_SIZE = 0.25
RANDOM_STATE = 20261
MAX_LABELS = 50_000
"""The most recent labels used (bounds training time and memory)."""


# --- Labels ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Labelled:
    ids: list[int]
    texts: list[str]
    labels: list[str]
    languages: list[str]

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def fingerprint(self) -> str:
        """Changes whenever a label is added, removed or changed."""
        digest = hashlib.sha256()
        for pk, label in sorted(zip(self.ids, self.labels, strict=True)):
            digest.update(f"{pk}:{label}\n".encode())
        return digest.hexdigest()


def _check_target(target: str) -> None:
    if target not in ClassifierTarget.values:
        raise ValidationError(_("Unknown model target."))


def staff_labels(*, mission: Mission, target: str) -> Labelled:
    """The mission's staff-labelled messages for ``target``, most recent first."""
    _check_target(target)
    rows = Message.objects.filter(mission=mission)
    if target == ClassifierTarget.CATEGORY:
        rows = rows.filter(category_source=LabelSource.STAFF, category__isnull=False)
        values = rows.values_list("id", "body", "category__code", "language")
    else:
        rows = rows.filter(urgency_source=LabelSource.STAFF).exclude(urgency="")
        values = rows.values_list("id", "body", "urgency", "language")
    found = list(values.order_by("-received_at", "-id")[:MAX_LABELS])
    return Labelled(
        ids=[r[0] for r in found],
        texts=[r[1] for r in found],
        labels=[str(r[2]) for r in found],
        languages=[r[3] or "" for r in found],
    )


# --- Evaluation ------------------------------------------------------------------------------


def _macro(values: Sequence[float]) -> float:
    return round(sum(values) / len(values), 4) if values else 0.0


def scores(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    """Per-class precision, recall, F1 and support, macro-F1, accuracy and the confusion
    matrix (rows: true label, columns: predicted label, in ``labels`` order)."""
    precision, recall, f1, support = precision_recall_fscore_support(
        list(y_true), list(y_pred), labels=list(labels), zero_division=0
    )
    return {
        "labels": list(labels),
        "per_class": [
            {
                "label": label,
                "precision": round(float(p), 4),
                "recall": round(float(r), 4),
                "f1": round(float(f), 4),
                "support": int(s),
            }
            for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
        ],
        "macro_f1": _macro([float(f) for f, s in zip(f1, support, strict=True) if s > 0]),
        "accuracy": round(float(accuracy_score(list(y_true), list(y_pred))), 4),
        "confusion": confusion_matrix(list(y_true), list(y_pred), labels=list(labels)).tolist(),
    }


def _lexicon_predictions(
    mission: Mission, target: str, texts: Sequence[str], languages: Sequence[str]
) -> list[str]:
    categories = list(categories_ensure(mission).values())
    lexicon = mission_lexicon(mission.pk, categories)
    missing = [i for i, lang in enumerate(languages) if not lang]
    detected = detect_languages([texts[i] for i in missing])
    langs = list(languages)
    for i, (code, _confidence) in zip(missing, detected, strict=True):
        langs[i] = code
    out = []
    for text, language in zip(texts, langs, strict=True):
        result = lexicon.classify(text, language)
        out.append(result.category if target == ClassifierTarget.CATEGORY else result.urgency)
    return out


# --- Training --------------------------------------------------------------------------------

Progress = Callable[[int, str], None]


def _no_progress(percent: int, message: str) -> None:
    """Training outside a job reports nowhere."""


def _new_version(*, mission: Mission, target: str, actor: Any, job: Job | None) -> Classifier:
    for _attempt in range(5):
        latest = Classifier.objects.filter(mission=mission, target=target).aggregate(
            v=Max("version")
        )["v"]
        classifier = Classifier(
            mission=mission,
            target=target,
            version=(latest or 0) + 1,
            status=ClassifierStatus.TRAINING,
            job=job,
            created_by=acting_user(actor),
        )
        try:
            with transaction.atomic():
                classifier.save()
            return classifier
        except IntegrityError:  # another training took this version number
            continue
    raise RuntimeError("could not reserve a classifier version")


def _fail(classifier: Classifier, *, actor: Any, error: str, metrics: dict[str, Any]) -> None:
    with transaction.atomic():
        classifier.status = ClassifierStatus.FAILED
        classifier.error = error[:300]
        classifier.metrics = metrics
        classifier.is_active = False
        classifier.save()
        audit_record(
            actor=actor,
            action="classifier.train_fail",
            mission=classifier.mission,
            obj=classifier,
            changes={"target": classifier.target, "version": classifier.version, "error": error},
        )


def classifier_train(
    *,
    mission: Mission,
    target: str,
    actor: Any,
    job: Job | None = None,
    progress: Progress = _no_progress,
) -> Classifier:
    """Train, evaluate and store a new version for ``target``; activate it when it beats the
    lexicon. Returns the new :class:`Classifier` (status ``failed`` with a reason when there
    are not enough labels)."""
    _check_target(target)
    progress(5, _("Reading the staff labels"))
    labelled = staff_labels(mission=mission, target=target)
    classifier = _new_version(mission=mission, target=target, actor=actor, job=job)
    counts = Counter(labelled.labels)
    kept = sorted(label for label, n in counts.items() if n >= MIN_CLASS_LABELS)
    base: dict[str, Any] = {
        "labels_available": len(labelled),
        "class_counts": dict(sorted(counts.items())),
        "dropped_classes": sorted(set(counts) - set(kept)),
        "fingerprint": labelled.fingerprint,
        "min_labels": MIN_LABELS,
    }
    use = [i for i, label in enumerate(labelled.labels) if label in kept]
    if len(use) < MIN_LABELS or len(kept) < 2:
        error = _(
            "Not enough staff labels: %(count)d in %(classes)d classes (at least %(min)d in two "
            "classes are needed)."
        ) % {"count": len(use), "classes": len(kept), "min": MIN_LABELS}
        _fail(classifier, actor=actor, error=error, metrics={**base, "decision": "not_enough"})
        return classifier
    try:
        return _train(mission, target, actor, classifier, labelled, use, kept, base, progress)
    except Exception as exc:
        logger.exception("training %s v%s failed", target, classifier.version)
        _fail(classifier, actor=actor, error=f"{type(exc).__name__}: {exc}", metrics=base)
        raise


def _train(
    mission: Mission,
    target: str,
    actor: Any,
    classifier: Classifier,
    labelled: Labelled,
    use: list[int],
    kept: list[str],
    base: dict[str, Any],
    progress: Progress,
) -> Classifier:
    texts = [labelled.texts[i] for i in use]
    labels = [labelled.labels[i] for i in use]
    languages = [labelled.languages[i] for i in use]
    train_idx, test_idx = train_test_split(
        list(range(len(texts))),
        test_size=TEST_SIZE,
        random_state=RANDOM_STATE,
        stratify=labels,
    )
    progress(20, _("Training on %(count)d messages") % {"count": len(train_idx)})
    pipeline = pipeline_fit(
        pipeline_build(), [texts[i] for i in train_idx], [labels[i] for i in train_idx]
    )
    progress(50, _("Evaluating on %(count)d held-out messages") % {"count": len(test_idx)})
    y_true = [labels[i] for i in test_idx]
    model_scores = scores(y_true, list(pipeline.predict([texts[i] for i in test_idx])), kept)
    lexicon_pred = _lexicon_predictions(
        mission, target, [texts[i] for i in test_idx], [languages[i] for i in test_idx]
    )
    lexicon_scores = scores(y_true, lexicon_pred, kept)
    better = model_scores["macro_f1"] > lexicon_scores["macro_f1"]
    progress(70, _("Fitting the final model on every label"))
    final = pipeline_fit(pipeline_build(), texts, labels)
    blob, mac = serialise(final)
    metrics = {
        **base,
        **model_scores,
        "lexicon": {
            "macro_f1": lexicon_scores["macro_f1"],
            "accuracy": lexicon_scores["accuracy"],
            "per_class": lexicon_scores["per_class"],
        },
        "train_size": len(train_idx),
        "test_size": len(test_idx),
        "decision": "better_than_lexicon" if better else "not_better_than_lexicon",
    }
    progress(90, _("Saving version %(version)d") % {"version": classifier.version})
    with transaction.atomic():
        if better:
            list(
                Classifier.objects.select_for_update()
                .filter(mission=mission, target=target)
                .values_list("id", flat=True)
            )
            Classifier.objects.filter(mission=mission, target=target, is_active=True).exclude(
                pk=classifier.pk
            ).update(is_active=False)
        classifier.status = ClassifierStatus.READY
        classifier.is_active = better
        classifier.trained_on = len(texts)
        classifier.evaluated_on = len(test_idx)
        classifier.metrics = metrics
        classifier.artifact = blob
        classifier.artifact_mac = mac
        classifier.error = ""
        classifier.full_clean(exclude=["artifact"])
        classifier.save()
        audit_record(
            actor=actor,
            action="classifier.train",
            mission=mission,
            obj=classifier,
            changes={
                "target": target,
                "version": classifier.version,
                "trained_on": classifier.trained_on,
                "macro_f1": metrics["macro_f1"],
                "lexicon_macro_f1": lexicon_scores["macro_f1"],
                "is_active": better,
            },
        )
    return classifier


# --- As a job --------------------------------------------------------------------------------


def classifier_train_start(*, mission: Mission, target: str, actor: Any) -> Job:
    """Record a training job and enqueue its task once the transaction commits."""
    _check_target(target)
    with transaction.atomic():
        job = job_create(actor=actor, mission=mission, kind=JOB_KIND, params={"target": target})

        def enqueue() -> None:
            from palava.feedback.tasks import feedback_classifier_train

            feedback_classifier_train.enqueue(str(job.public_id))

        transaction.on_commit(enqueue)
    return job


def classifier_train_job_run(*, job: Job, actor: Any) -> Job:
    """Run a training job: progress on the job, then its result."""
    target = str(job.params.get("target", ""))

    def report(percent: int, message: str) -> None:
        job_progress(job=job, done=percent, total=100, message=message)

    try:
        classifier = classifier_train(
            mission=job.mission, target=target, actor=actor, job=job, progress=report
        )
    except Exception as exc:
        return job_finish(job=job, succeeded=False, message=f"{type(exc).__name__}: {exc}")
    result = {
        "classifier": str(classifier.public_id),
        "target": target,
        "version": classifier.version,
        "status": classifier.status,
        "is_active": classifier.is_active,
        "macro_f1": classifier.metrics.get("macro_f1"),
        "lexicon_macro_f1": (classifier.metrics.get("lexicon") or {}).get("macro_f1"),
    }
    if classifier.status == ClassifierStatus.FAILED:
        return job_finish(job=job, succeeded=False, result=result, message=classifier.error)
    if classifier.is_active:
        message = _("Version %(version)d is now in use.") % {"version": classifier.version}
    else:
        message = _(
            "Version %(version)d is not better than the keyword lexicon; it is kept but not used."
        ) % {"version": classifier.version}
    return job_finish(job=job, succeeded=True, result=result, message=message)


def classifiers_retrain_due(*, actor: Any) -> int:
    """Retrain each mission's models whose staff labels changed since their last version
    (enough of them only); returns how many versions were trained."""
    mission_ids = (
        Message.objects.filter(
            Q(category_source=LabelSource.STAFF) | Q(urgency_source=LabelSource.STAFF)
        )
        .values_list("mission_id", flat=True)
        .distinct()
    )
    trained = 0
    for mission in Mission.objects.filter(pk__in=list(mission_ids)).order_by("pk"):
        for target in ClassifierTarget.values:
            labelled = staff_labels(mission=mission, target=target)
            if len(labelled) < MIN_LABELS:
                continue
            latest = (
                Classifier.objects.filter(mission=mission, target=target)
                .exclude(status=ClassifierStatus.TRAINING)
                .order_by("-version")
                .values_list("metrics", flat=True)
                .first()
            )
            if latest is not None and latest.get("fingerprint") == labelled.fingerprint:
                continue
            job = job_create(actor=actor, mission=mission, kind=JOB_KIND, params={"target": target})
            job = classifier_train_job_run(job=job, actor=actor)
            trained += int(job.status == JobStatus.SUCCEEDED)
    return trained
