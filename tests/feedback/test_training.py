"""Training the mission's own model: held-out evaluation, versions, activation against the
lexicon, tamper-proof storage, the training job and the nightly retrain."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.test import override_settings

from palava.audit.models import AuditEvent
from palava.core.models import JobStatus
from palava.feedback.classify import (
    ModelRefused,
    deserialise,
    model_cache_clear,
    model_load,
    pipeline_build,
    pipeline_fit,
    predict,
    serialise,
)
from palava.feedback.models import Classifier, ClassifierStatus, ClassifierTarget, Urgency
from palava.feedback.training import (
    MIN_LABELS,
    classifier_train,
    classifier_train_start,
    classifiers_retrain_due,
    staff_labels,
)
from tests.feedback.helpers_triage import lingala_messages, sample_rows, staff_labelled

pytestmark = pytest.mark.django_db


def test_a_model_that_beats_the_lexicon_is_stored_evaluated_and_activated(mission: Any) -> None:
    # given 100 staff labels in a language the lexicons do not know
    staff_labelled(mission, lingala_messages(25))
    # when a model is trained
    classifier = classifier_train(mission=mission, target=ClassifierTarget.CATEGORY, actor=None)
    # then it is stored as version 1, evaluated on held-out messages, and in use
    assert (classifier.version, classifier.status) == (1, ClassifierStatus.READY)
    assert classifier.is_active
    metrics = classifier.metrics
    assert metrics["labels"] == ["need_food", "need_water", "positive_feedback", "security_threat"]
    assert (metrics["train_size"], metrics["test_size"]) == (75, 25)
    assert classifier.trained_on == 100
    assert classifier.evaluated_on == 25
    assert {c["label"] for c in metrics["per_class"]} == set(metrics["labels"])
    assert sum(c["support"] for c in metrics["per_class"]) == 25
    assert len(metrics["confusion"]) == 4
    assert all(len(row) == 4 for row in metrics["confusion"])
    assert sum(map(sum, metrics["confusion"])) == 25
    assert metrics["macro_f1"] > metrics["lexicon"]["macro_f1"]
    assert metrics["macro_f1"] >= 0.8
    assert metrics["decision"] == "better_than_lexicon"
    assert metrics["labels_available"] == 100
    # and its training is audited
    event = AuditEvent.objects.filter(action="classifier.train").latest("id")
    assert event.changes["is_active"] is True
    # and the stored model loads and predicts
    model_cache_clear()
    pipeline = model_load(classifier)
    assert pipeline is not None
    assert predict(pipeline, ["nzala makasi na Mbandaka"])[0].label == "need_food"


def test_a_model_no_better_than_the_lexicon_is_kept_but_not_used(mission: Any) -> None:
    # given staff labels the lexicon already gets right (its own tuning sample)
    rows = [r for r in sample_rows() if r["language"] in ("en", "fr")]
    staff_labelled(mission, [(r["text"], r["category"]) for r in rows])
    classifier = classifier_train(mission=mission, target=ClassifierTarget.CATEGORY, actor=None)
    assert classifier.status == ClassifierStatus.READY
    assert not classifier.is_active
    assert classifier.metrics["decision"] == "not_better_than_lexicon"
    assert classifier.metrics["lexicon"]["macro_f1"] >= classifier.metrics["macro_f1"]


def test_a_better_version_replaces_the_active_one(mission: Any) -> None:
    staff_labelled(mission, lingala_messages(20))
    first = classifier_train(mission=mission, target=ClassifierTarget.CATEGORY, actor=None)
    second = classifier_train(mission=mission, target=ClassifierTarget.CATEGORY, actor=None)
    first.refresh_from_db()
    assert (first.version, second.version) == (1, 2)
    assert second.is_active
    assert not first.is_active
    assert Classifier.objects.filter(mission=mission, is_active=True).count() == 1


def test_urgency_is_trained_on_urgency_labels(mission: Any) -> None:
    staff_labelled(mission, lingala_messages(15)[:30], urgency=Urgency.URGENT)
    staff_labelled(mission, lingala_messages(15)[30:], urgency=Urgency.ROUTINE)
    labelled = staff_labels(mission=mission, target=ClassifierTarget.URGENCY)
    assert sorted(set(labelled.labels)) == ["routine", "urgent"]
    classifier = classifier_train(mission=mission, target=ClassifierTarget.URGENCY, actor=None)
    assert classifier.status == ClassifierStatus.READY
    assert classifier.metrics["labels"] == ["routine", "urgent"]


def test_too_few_labels_fail_with_a_reason(mission: Any) -> None:
    staff_labelled(mission, lingala_messages(5))  # 20 labels
    classifier = classifier_train(mission=mission, target=ClassifierTarget.CATEGORY, actor=None)
    assert classifier.status == ClassifierStatus.FAILED
    assert not classifier.is_active
    assert "Not enough staff labels: 20" in classifier.error
    assert classifier.metrics["decision"] == "not_enough"
    assert classifier.artifact is None
    assert AuditEvent.objects.filter(action="classifier.train_fail").exists()


def test_classes_with_a_single_label_are_left_out(mission: Any) -> None:
    pairs = [*lingala_messages(15), ("un seul message de rumeur", "rumour")]
    staff_labelled(mission, pairs)
    classifier = classifier_train(mission=mission, target=ClassifierTarget.CATEGORY, actor=None)
    assert classifier.metrics["dropped_classes"] == ["rumour"]
    assert "rumour" not in classifier.metrics["labels"]


def test_only_staff_labels_are_training_data(mission: Any) -> None:
    from tests.feedback.helpers_triage import make_channel, receive

    receive(make_channel(mission), "machine-labelled only")
    staff_labelled(mission, lingala_messages(2))
    assert len(staff_labels(mission=mission, target=ClassifierTarget.CATEGORY)) == 8
    assert len(staff_labels(mission=mission, target=ClassifierTarget.URGENCY)) == 0


# --- Storage ---------------------------------------------------------------------------------


def _small_pipeline() -> Any:
    return pipeline_fit(
        pipeline_build(), ["water", "food", "water pump", "food ration"], list("abab")
    )


def test_a_model_round_trips_through_its_signed_bytes() -> None:
    blob, mac = serialise(_small_pipeline())
    assert len(mac) == 64
    loaded = deserialise(blob, mac)
    assert predict(loaded, ["water"])[0].label == "a"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda blob, mac: (blob[:-1] + bytes([blob[-1] ^ 1]), mac),  # one bit of the model
        lambda blob, mac: (blob, mac[:-1] + ("0" if mac[-1] != "0" else "1")),  # the tag
        lambda blob, mac: (blob, ""),
        lambda blob, mac: (None, mac),
        lambda blob, mac: (b"\x80\x04not a pickle", mac),
    ],
)
def test_a_tampered_model_is_refused_before_unpickling(tamper: Any) -> None:
    blob, mac = serialise(_small_pipeline())
    bad_blob, bad_mac = tamper(blob, mac)
    with pytest.raises(ModelRefused):
        deserialise(bad_blob, bad_mac)


def test_a_model_signed_under_another_secret_is_refused() -> None:
    with override_settings(SECRET_KEY="another-server-" + "y" * 40):
        blob, mac = serialise(_small_pipeline())
    with pytest.raises(ModelRefused, match="signature"):
        deserialise(blob, mac)


def test_a_signed_object_that_is_not_a_pipeline_is_refused() -> None:
    import pickle

    from palava.feedback.classify import artifact_mac

    blob = pickle.dumps({"not": "a pipeline"})
    with pytest.raises(ModelRefused, match="not a pipeline"):
        deserialise(blob, artifact_mac(blob))


def test_loading_a_tampered_stored_model_refuses_and_logs(
    mission: Any, caplog: pytest.LogCaptureFixture
) -> None:
    staff_labelled(mission, lingala_messages(15))
    classifier = classifier_train(mission=mission, target=ClassifierTarget.CATEGORY, actor=None)
    assert classifier.artifact is not None
    blob = bytes(classifier.artifact)
    middle = len(blob) // 2
    altered = blob[:middle] + bytes([blob[middle] ^ 0x01]) + blob[middle + 1 :]
    Classifier.objects.filter(pk=classifier.pk).update(artifact=altered)
    model_cache_clear()
    with caplog.at_level(logging.ERROR, logger="palava.feedback.classify"):
        assert model_load(classifier) is None
    assert "refusing to load classifier" in caplog.text
    assert "signature does not match" in caplog.text


# --- As a job, and nightly -------------------------------------------------------------------


def test_a_training_job_reports_progress_and_its_result(
    mission: Any, django_capture_on_commit_callbacks: Any
) -> None:
    staff_labelled(mission, lingala_messages(15))
    with django_capture_on_commit_callbacks(execute=True):
        job = classifier_train_start(mission=mission, target=ClassifierTarget.CATEGORY, actor=None)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert (job.progress_done, job.progress_total, job.percent) == (100, 100, 100)
    assert job.started_at is not None
    assert job.finished_at is not None
    assert job.result["version"] == 1
    assert job.result["is_active"] is True
    assert "Version 1 is now in use" in job.message
    assert Classifier.objects.get(mission=mission).job_id == job.pk


def test_a_training_job_without_enough_labels_fails_visibly(
    mission: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = classifier_train_start(mission=mission, target=ClassifierTarget.URGENCY, actor=None)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "Not enough staff labels: 0" in job.message


def test_an_unknown_target_is_refused(mission: Any) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        classifier_train_start(mission=mission, target="colour", actor=None)


def test_the_nightly_retrain_trains_only_when_labels_changed(mission: Any) -> None:
    # given enough category labels (and no urgency labels)
    messages = staff_labelled(mission, lingala_messages(15))
    assert len(messages) >= MIN_LABELS
    # when the nightly job runs twice
    assert classifiers_retrain_due(actor="system:worker") == 1
    assert classifiers_retrain_due(actor="system:worker") == 0
    assert Classifier.objects.filter(mission=mission).count() == 1
    # and after a staff correction it trains again
    staff_labelled(mission, [("mai ezali te na Gemena lelo", "need_water")])
    assert classifiers_retrain_due(actor="system:worker") == 1
    assert Classifier.objects.filter(mission=mission).count() == 2


def test_the_nightly_task_runs_with_nothing_to_do(db: Any) -> None:
    from palava.feedback.tasks import feedback_classifiers_retrain

    assert feedback_classifiers_retrain.call() == {"trained": 0}
