"""The engagement demo: activities, the commitments ledger, partners and projects (3W).

On top of the demo geography, actors and feedback (``palava.places.demo``,
``palava.actors.demo``, ``palava.feedback.demo``), this loader stores

1. the mission's engagement settings (defaults);
2. ten partners (:mod:`palava.engagement.demo_partners`): UN agencies, a donor, NGOs and two
   civil society organisations of the registry, their agreements and fifteen projects;
3. about forty activities (:mod:`palava.engagement.demo_activities`) over the last six months
   and the next six weeks in two dozen chiefdoms (the rest are never engaged), with linked
   actors (armed-group figures among them, strictly confidential), anonymous attendance,
   issues raised linked to the feedback taxonomy and messages, follow-up chains and files;
4. eighty commitments (:mod:`palava.engagement.demo_commitments`) in every status and by every
   kind of party, with a history consistent with their status.

Dates are relative to today in the mission's time zone; everything else comes from fixed
seeds. Records are written with the ORM (the engagement services are thin wrappers over the
same ``full_clean`` and save), bulk for plain cells and history rows, with one summary audit
row per kind of record created (``engagement.demo_load``), as the places demo does for
population figures; partner organisations go through the actors services. Idempotent: records
are found again by title, description, acronym, reference or code; a second run adds nothing.
"""

from __future__ import annotations

import time

from django.utils import timezone

from palava.accounts.models import User
from palava.audit.services import audit_record
from palava.core.demo import Output, demo_loader
from palava.engagement.demo_activities import activities_ensure
from palava.engagement.demo_commitments import commitments_ensure
from palava.engagement.demo_partners import partners_ensure, projects_ensure
from palava.engagement.demo_places import demo_places, mission_zone
from palava.engagement.models import Activity, Commitment, EngagementSettings, Partner, Project
from palava.missions.models import Mission

DEMO_ACTOR = "system:demo"


def _categories(mission: Mission) -> dict[str, object]:
    try:
        from palava.feedback.triage import categories_ensure
    except ImportError:  # pragma: no cover - the feedback app always ships triage
        return {}
    return dict(categories_ensure(mission))


def engagement_demo_load(*, mission: Mission, users: dict[str, User]) -> dict[str, int]:
    """Create what is missing of the engagement demo in ``mission``; counts of what was created."""
    counts = dict.fromkeys(
        ("settings", "partners", "agreements", "projects", "activities", "commitments"), 0
    )
    places = demo_places(mission)
    if not places:
        return counts
    today = timezone.localdate(timezone=mission_zone(mission))
    settings, counts["settings"] = EngagementSettings.objects.get_or_create(mission=mission)
    partners, counts["partners"], counts["agreements"] = partners_ensure(
        mission=mission, users=users, today=today
    )
    counts["projects"] = projects_ensure(
        mission=mission, users=users, places=places, partners=partners, today=today
    )
    categories = _categories(mission)
    activities, counts["activities"] = activities_ensure(
        mission=mission,
        users=users,
        places=places,
        today=today,
        categories=categories,  # type: ignore[arg-type]
    )
    counts["commitments"] = commitments_ensure(
        mission=mission,
        users=users,
        places=places,
        activities=activities,
        partners=list(partners.values()),
        today=today,
        reminder_days=settings.reminder_days,
    )
    for model, key in (
        (Partner, "partners"),
        (Project, "projects"),
        (Activity, "activities"),
        (Commitment, "commitments"),
    ):
        if counts[key]:
            audit_record(
                actor=DEMO_ACTOR,
                action="engagement.demo_load",
                mission=mission,
                obj=model(mission=mission),
                object_id=f"demo:{key}:{counts[key]}",
            )
    return counts


@demo_loader(order=700)
def load_engagement(mission: Mission, users: dict[str, User], stdout: Output) -> None:
    """Activities, commitments, partners and projects (idempotent)."""
    started = time.monotonic()
    counts = engagement_demo_load(mission=mission, users=users)
    seconds = time.monotonic() - started
    stdout.write(
        "engagement: {activities} activities, {commitments} commitments, {partners} partners "
        "with {agreements} agreements and {projects} projects created".format(**counts)
        + (f" in {seconds:.1f} s" if counts["activities"] else "")
        + "\n"
    )
