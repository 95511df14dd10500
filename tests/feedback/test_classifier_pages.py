"""The triage models' evaluation page, retraining with progress, and the classifiers API."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from palava.accounts.tokens import token_create
from palava.core.models import Job, JobStatus
from palava.feedback.models import Classifier, ClassifierTarget
from palava.feedback.training import JOB_KIND, classifier_train
from palava.missions.models import Role
from palava.missions.permissions import Perm, role_has
from tests.factories import MembershipFactory, MissionFactory
from tests.feedback.helpers_triage import lingala_messages, staff_labelled

pytestmark = pytest.mark.django_db

VIEWERS = [r for r in Role if role_has(r, Perm.CLASSIFIER_VIEW)]
MANAGERS = [r for r in Role if role_has(r, Perm.CLASSIFIER_MANAGE)]


def _url(mission: Any) -> str:
    return f"/m/{mission.slug}/triage/"


@pytest.fixture
def trained(mission: Any) -> Classifier:
    staff_labelled(mission, lingala_messages(15))
    return classifier_train(mission=mission, target=ClassifierTarget.CATEGORY, actor=None)


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_who_sees_the_page_and_who_may_retrain(
    mission: Any, member_of: Any, client_for: Any, role: str
) -> None:
    response = client_for(member_of(role).user).get(_url(mission))
    if not role_has(role, Perm.CLASSIFIER_VIEW):
        assert response.status_code == 403
        return
    assert response.status_code == 200
    html = response.content.decode()
    assert ("Train a new version" in html) == role_has(role, Perm.CLASSIFIER_MANAGE)


def test_the_empty_state_explains_the_lexicons(
    mission: Any, member_of: Any, client_for: Any
) -> None:
    html = client_for(member_of(Role.ANALYST).user).get(_url(mission)).content.decode()
    assert "No staff corrections yet: triage uses the keyword lexicons." in html
    assert "<table" not in html


def test_the_evaluation_of_the_model_in_use(
    mission: Any, member_of: Any, client_for: Any, trained: Classifier
) -> None:
    response = client_for(member_of(Role.ANALYST).user).get(_url(mission))
    html = response.content.decode()
    # the model in use, its versions, both scores, the staff labels available
    assert "Model version 1" in html
    assert "Staff labels available" in html
    assert f"{trained.metrics['macro_f1']:.2f}" in html
    assert f"{trained.metrics['lexicon']['macro_f1']:.2f}" in html
    # a per-class table with translated class names
    for name in ("Water", "Food", "Security threat", "Positive feedback"):
        assert f'<th scope="row" data-label="Class">{name}</th>' in html
    # an accessible confusion matrix: headers for rows and columns, shaded cells by CSS class
    matrix = html[html.index('<table class="confusion"') :]
    matrix = matrix[: matrix.index("</table>")]
    assert matrix.count('<th scope="col">') == 5  # four classes and the total
    assert matrix.count('<th scope="row">') == 4
    cells = re.findall(r'<td class="cm cm-(\d)( cm-diagonal)?">(\d+)</td>', matrix)
    assert len(cells) == 16
    assert sum(int(count) for _shade, _diag, count in cells) == trained.evaluated_on
    assert sum(1 for _shade, diagonal, _count in cells if diagonal) == 4
    # no inline styles (strict CSP), the page's stylesheet linked
    assert "style=" not in html
    assert "/static/css/triage.css" in html


def test_an_older_version_can_be_inspected(
    mission: Any, member_of: Any, client_for: Any, trained: Classifier
) -> None:
    classifier_train(mission=mission, target=ClassifierTarget.CATEGORY, actor=None)
    client = client_for(member_of(Role.MANAGER).user)
    assert "Evaluation of version 2" in client.get(_url(mission)).content.decode()
    older = client.get(_url(mission) + "?category=1").content.decode()
    assert "Evaluation of version 1" in older


def test_retraining_runs_a_job_whose_progress_the_page_follows(
    mission: Any,
    member_of: Any,
    client_for: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    staff_labelled(mission, lingala_messages(15))
    client = client_for(member_of(Role.MANAGER).user)
    # when a manager asks for a new version
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(mission) + "train/", {"target": "category"})
    # then they are taken to the job's progress page, which shows the outcome
    job = Job.objects.get(mission=mission, kind=JOB_KIND)
    assert response.status_code == 302
    assert response["Location"] == f"/m/{mission.slug}/triage/trainings/{job.public_id}/"
    page = client.get(response["Location"]).content.decode()
    assert "Done" in page
    assert "Version 1 is now in use." in page
    assert "See the evaluation" in page
    assert "hx-get" not in page  # finished: no more polling
    assert Classifier.objects.get(mission=mission).is_active


def test_an_unfinished_job_is_polled_with_htmx(
    mission: Any, member_of: Any, client_for: Any
) -> None:
    from palava.core.services import job_create, job_progress

    job = job_create(actor=None, mission=mission, kind=JOB_KIND, params={"target": "urgency"})
    job_progress(job=job, done=40, total=100, message="Training on 75 messages")
    client = client_for(member_of(Role.ANALYST).user)
    # the overview shows the running job
    overview = client.get(_url(mission)).content.decode()
    assert 'value="40"' in overview
    # and the partial answers htmx alone, still polling
    url = f"/m/{mission.slug}/triage/trainings/{job.public_id}/"
    partial = client.get(url, headers={"HX-Request": "true"})
    body = partial.content.decode()
    assert "<html" not in body
    assert f'hx-get="{url}"' in body
    assert "Training on 75 messages" in body
    assert partial["Vary"] == "HX-Request" or "HX-Request" in partial["Vary"]


def test_a_job_of_another_mission_is_not_found(
    mission: Any, member_of: Any, client_for: Any
) -> None:
    from palava.core.services import job_create

    other = job_create(actor=None, mission=MissionFactory(), kind=JOB_KIND, params={})
    client = client_for(member_of(Role.ADMIN).user)
    assert client.get(f"/m/{mission.slug}/triage/trainings/{other.public_id}/").status_code == 404


def test_training_an_unknown_target_is_refused(
    mission: Any, member_of: Any, client_for: Any
) -> None:
    client = client_for(member_of(Role.ADMIN).user)
    assert client.post(_url(mission) + "train/", {"target": "colour"}).status_code == 400
    assert not Job.objects.filter(mission=mission).exists()


# --- API -------------------------------------------------------------------------------------


def _api(member: Any) -> Client:
    raw = token_create(
        actor=member.user, user=member.user, mission=member.mission, name="t", days=1
    ).raw
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_the_api_lists_versions_with_their_evaluation(
    mission: Any, member_of: Any, trained: Classifier
) -> None:
    response = _api(member_of(Role.ANALYST)).get(f"/api/v1/missions/{mission.slug}/classifiers")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["id"] == str(trained.public_id)
    assert (item["target"], item["version"], item["is_active"]) == ("category", 1, True)
    assert item["labels"] == trained.metrics["labels"]
    assert item["confusion"] == trained.metrics["confusion"]
    assert item["lexicon_macro_f1"] == trained.metrics["lexicon"]["macro_f1"]
    assert "artifact" not in item
    only_urgency = _api(member_of(Role.ANALYST)).get(
        f"/api/v1/missions/{mission.slug}/classifiers?target=urgency"
    )
    assert only_urgency.json()["count"] == 0


def test_the_api_starts_a_training_job(
    mission: Any, member_of: Any, django_capture_on_commit_callbacks: Any
) -> None:
    staff_labelled(mission, lingala_messages(15))
    with django_capture_on_commit_callbacks(execute=True):
        response = _api(member_of(Role.MANAGER)).post(
            f"/api/v1/missions/{mission.slug}/classifiers/category/train"
        )
    assert response.status_code == 202
    job = Job.objects.get(public_id=response.json()["job"])
    assert job.status == JobStatus.SUCCEEDED
    assert response.json()["target"] == "category"
    # an analyst may look but not train; an unknown target is a 422
    analyst = _api(member_of(Role.ANALYST))
    url = f"/api/v1/missions/{mission.slug}/classifiers"
    assert analyst.post(url + "/category/train").status_code == 403
    assert _api(member_of(Role.ADMIN)).post(url + "/colour/train").status_code == 422


def test_other_missions_models_are_invisible(member_of: Any, trained: Classifier) -> None:
    outsider = MembershipFactory(mission=MissionFactory(), role=Role.ADMIN)
    response = _api(outsider).get(f"/api/v1/missions/{outsider.mission.slug}/classifiers")
    assert response.json()["count"] == 0
    foreign = _api(outsider).get(f"/api/v1/missions/{trained.mission.slug}/classifiers")
    assert foreign.status_code == 404
