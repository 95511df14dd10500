"""JSON API: the mission's triage models (versions with their held-out evaluation) and
retraining as a background job."""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from palava.core.api_base import Pagination, error_responses, permission, require
from palava.feedback.models import Classifier, ClassifierTarget
from palava.feedback.training import classifier_train_start
from palava.missions.permissions import Perm

router = Router(tags=["triage"])


class ClassScoreOut(Schema):
    label: str
    precision: float
    recall: float
    f1: float
    support: int


class ClassifierOut(Schema):
    id: str = Field(..., description="The version's public id.")
    target: str = Field(..., description="What it predicts: category (code) or urgency.")
    version: int
    status: str = Field(..., description="training, ready or failed.")
    is_active: bool = Field(..., description="Whether triage uses this version now.")
    trained_on: int
    evaluated_on: int
    labels: list[str] = Field(default_factory=list, description="Classes, in matrix order.")
    macro_f1: float | None = Field(None, description="On the held-out staff labels.")
    accuracy: float | None = None
    lexicon_macro_f1: float | None = Field(
        None, description="The keyword lexicons' macro-F1 on the same held-out labels."
    )
    per_class: list[ClassScoreOut] = Field(default_factory=list)
    confusion: list[list[int]] = Field(
        default_factory=list, description="Rows: staff label; columns: predicted label."
    )
    decision: str = Field("", description="better_than_lexicon, not_better_than_lexicon, ...")
    error: str = ""
    created_at: datetime


class TrainingOut(Schema):
    job: str = Field(..., description="The training job's public id.")
    target: str
    status: str


def _classifier_out(c: Classifier) -> dict[str, Any]:
    metrics = c.metrics or {}
    return {
        "id": str(c.public_id),
        "target": c.target,
        "version": c.version,
        "status": c.status,
        "is_active": c.is_active,
        "trained_on": c.trained_on,
        "evaluated_on": c.evaluated_on,
        "labels": [str(label) for label in metrics.get("labels", [])],
        "macro_f1": metrics.get("macro_f1"),
        "accuracy": metrics.get("accuracy"),
        "lexicon_macro_f1": (metrics.get("lexicon") or {}).get("macro_f1"),
        "per_class": metrics.get("per_class", []),
        "confusion": metrics.get("confusion", []),
        "decision": str(metrics.get("decision", "")),
        "error": c.error,
        "created_at": c.created_at,
    }


@router.get(
    "/missions/{slug}/classifiers",
    response={200: list[ClassifierOut], **error_responses(401, 403, 404, 422)},
    operation_id="classifiers_list",
    summary="Triage model versions and their evaluation",
    description=(
        "Every trained version of the mission's category and urgency models, newest first, "
        "with its held-out evaluation (per class, macro-F1, confusion matrix) and the keyword "
        "lexicons' score on the same messages. Optional filter: target."
    ),
    openapi_extra=permission(Perm.CLASSIFIER_VIEW),
)
@paginate(Pagination)
def classifiers_list(
    request: HttpRequest, slug: str, target: ClassifierTarget | None = None
) -> list[dict[str, Any]]:
    membership = require(request, slug, Perm.CLASSIFIER_VIEW)
    rows = Classifier.objects.filter(mission_id=membership.mission_id).defer("artifact")
    if target is not None:
        rows = rows.filter(target=target)
    return [_classifier_out(c) for c in rows.order_by("target", "-version")]


@router.post(
    "/missions/{slug}/classifiers/{target}/train",
    response={202: TrainingOut, **error_responses(401, 403, 404, 422)},
    operation_id="classifiers_train",
    summary="Train a new model version",
    description=(
        "Starts training on the mission's staff labels as a background job (202). The new "
        "version appears in the list when the job ends; it is used only if it beats the "
        "keyword lexicons on held-out labels."
    ),
    openapi_extra=permission(Perm.CLASSIFIER_MANAGE),
)
def classifiers_train(
    request: HttpRequest, slug: str, target: ClassifierTarget
) -> Status[dict[str, Any]]:
    membership = require(request, slug, Perm.CLASSIFIER_MANAGE)
    try:
        job = classifier_train_start(
            mission=membership.mission, target=str(target), actor=membership.user
        )
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages)) from None
    return Status(202, {"job": str(job.public_id), "target": str(target), "status": job.status})
