"""The triage models' evaluation page: versions, the model in use, per-class precision / recall
/ F1, a confusion matrix, the keyword lexicon's score on the same held-out messages, and a
retrain button with the job's progress (htmx; works without JavaScript through a full page).

Everything here is about the mission's models, not about individual messages: no message text
is shown, so the page needs ``classifier.view`` only (analysts and staff who handle messages).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from palava.core.models import Job
from palava.feedback.models import (
    Category,
    Classifier,
    ClassifierStatus,
    ClassifierTarget,
    LabelSource,
    Message,
    Urgency,
)
from palava.feedback.taxonomy import category_label
from palava.feedback.training import JOB_KIND, MIN_LABELS, classifier_train_start
from palava.missions.models import Mission
from palava.missions.permissions import Perm, mission_view, role_has

MAX_VERSIONS = 20
SHADES = 5  # confusion-matrix cells are shaded cm-0 .. cm-5 by their share of the row


@dataclass
class Cell:
    count: int
    shade: int
    diagonal: bool


@dataclass
class Row:
    label: str
    cells: list[Cell]
    total: int


@dataclass
class Evaluation:
    """One version's metrics, shaped for the template."""

    classifier: Classifier
    labels: list[str]
    per_class: list[dict[str, Any]]
    rows: list[Row]
    lexicon_f1: dict[str, float]


@dataclass
class TargetView:
    target: str
    title: str
    labels_available: int
    active: Classifier | None
    versions: list[Classifier]
    selected: Evaluation | None
    job: Job | None
    names: dict[str, str] = field(default_factory=dict)

    @property
    def enough(self) -> bool:
        return self.labels_available >= MIN_LABELS


def _names(mission: Mission, target: str) -> dict[str, str]:
    if target == ClassifierTarget.URGENCY:
        return {str(value): str(label) for value, label in Urgency.choices}
    return {
        code: category_label(code, name)
        for code, name in Category.objects.filter(mission=mission).values_list("code", "name")
    }


def _labels_available(mission: Mission, target: str) -> int:
    rows = Message.objects.filter(mission=mission)
    if target == ClassifierTarget.CATEGORY:
        return rows.filter(category_source=LabelSource.STAFF, category__isnull=False).count()
    return rows.filter(urgency_source=LabelSource.STAFF).exclude(urgency="").count()


def evaluation_of(classifier: Classifier, names: dict[str, str]) -> Evaluation | None:
    metrics = classifier.metrics or {}
    labels = [str(label) for label in metrics.get("labels", [])]
    confusion = metrics.get("confusion") or []
    if not labels or len(confusion) != len(labels):
        return None
    rows = []
    for i, (label, counts) in enumerate(zip(labels, confusion, strict=True)):
        total = sum(int(c) for c in counts)
        rows.append(
            Row(
                label=names.get(label, label),
                cells=[
                    Cell(
                        count=int(c),
                        shade=round(SHADES * int(c) / total) if total else 0,
                        diagonal=i == j,
                    )
                    for j, c in enumerate(counts)
                ],
                total=total,
            )
        )
    per_class = [
        {**entry, "name": names.get(str(entry.get("label")), str(entry.get("label")))}
        for entry in metrics.get("per_class", [])
    ]
    lexicon = metrics.get("lexicon") or {}
    lexicon_f1 = {str(e.get("label")): float(e.get("f1", 0)) for e in lexicon.get("per_class", [])}
    return Evaluation(
        classifier=classifier,
        labels=[names.get(label, label) for label in labels],
        per_class=per_class,
        rows=rows,
        lexicon_f1=lexicon_f1,
    )


def _latest_job(mission: Mission, target: str) -> Job | None:
    return (
        Job.objects.filter(mission=mission, kind=JOB_KIND, params__target=target)
        .order_by("-created_at", "-id")
        .first()
    )


def _target_view(mission: Mission, target: str, wanted: str | None) -> TargetView:
    names = _names(mission, target)
    versions = list(
        Classifier.objects.filter(mission=mission, target=target)
        .defer("artifact")
        .order_by("-version")[:MAX_VERSIONS]
    )
    active = next((c for c in versions if c.is_active), None)
    selected: Classifier | None = None
    if wanted and wanted.isdigit():
        selected = next((c for c in versions if c.version == int(wanted)), None)
    if selected is None:
        selected = active or next((c for c in versions if c.status == ClassifierStatus.READY), None)
    title = _("Category") if target == ClassifierTarget.CATEGORY else _("Urgency")
    return TargetView(
        target=target,
        title=title,
        labels_available=_labels_available(mission, target),
        active=active,
        versions=versions,
        selected=evaluation_of(selected, names) if selected is not None else None,
        job=_latest_job(mission, target),
        names=names,
    )


@mission_view(Perm.CLASSIFIER_VIEW)
def overview(request: HttpRequest, mission_slug: str) -> HttpResponse:
    mission = request.mission  # type: ignore[attr-defined]
    membership = request.membership  # type: ignore[attr-defined]
    targets = [
        _target_view(mission, target, request.GET.get(target))
        for target in (ClassifierTarget.CATEGORY, ClassifierTarget.URGENCY)
    ]
    return render(
        request,
        "feedback/classifiers/overview.html",
        {
            "mission": mission,
            "targets": targets,
            "can_manage": role_has(membership.role, Perm.CLASSIFIER_MANAGE),
            "min_labels": MIN_LABELS,
            "no_labels": all(t.labels_available == 0 and not t.versions for t in targets),
        },
    )


@require_POST
@mission_view(Perm.CLASSIFIER_MANAGE)
def train(request: HttpRequest, mission_slug: str) -> HttpResponse:
    target = request.POST.get("target", "")
    try:
        job = classifier_train_start(
            mission=request.mission,  # type: ignore[attr-defined]
            target=target,
            actor=request.user,
        )
    except ValidationError:
        return HttpResponseBadRequest(_("Choose a model to train."))
    return redirect("triage:progress", mission_slug=mission_slug, training_id=job.public_id)


@vary_on_headers("HX-Request")
@mission_view(Perm.CLASSIFIER_VIEW)
def progress(request: HttpRequest, mission_slug: str, training_id: str) -> HttpResponse:
    mission = request.mission  # type: ignore[attr-defined]
    job = Job.objects.filter(mission=mission, kind=JOB_KIND, public_id=training_id).first()
    if job is None:
        raise Http404(_("No such training."))
    context = {
        "mission": mission,
        "job": job,
        "finished": job.finished_at is not None,
        "target_title": _("Category")
        if job.params.get("target") == ClassifierTarget.CATEGORY
        else _("Urgency"),
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, "feedback/classifiers/_partials/progress.html", context)
    return render(request, "feedback/classifiers/progress.html", context)
