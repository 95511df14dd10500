"""The engagement demo's activities: about forty meetings over six months and the next weeks.

:func:`palava.engagement.demo_places.demo_places` picks the engaged chiefdoms (the rest of the
geography is never engaged, so the coverage map has gaps); ``ROWS`` says what happened where
and when, relative to today; ``activities_ensure`` stores what is missing (found again by
title), with linked actors, anonymous attendance, issues raised linked to the feedback taxonomy
and messages, follow-up chains and three small files.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from palava.accounts.models import User
from palava.actors.models import Actor, ActorType
from palava.engagement.demo_files import DemoFile, csv_file, pdf_file
from palava.engagement.demo_places import DemoPlace, attendance_cells, local_at, mission_zone
from palava.engagement.demo_text import (
    CANCELLED_REASONS,
    FOLLOW_UP_NOTES,
    FOLLOW_UP_SUFFIX,
    HANDOVER,
    POSTPONED_REASONS,
    PROJECTS,
    THEMES,
    Theme,
)
from palava.engagement.models import (
    Activity,
    ActivityIssue,
    ActivityStatus,
    ActivityType,
    AttendanceCount,
    Document,
    Participant,
    ParticipantRole,
)
from palava.feedback.models import Category, Message
from palava.missions.models import Mission, Role
from palava.places.models import AdminUnit

SEED = 20_260_307
LANGUAGES = (("fr", "sw"), ("sw",), ("fr", "sw", "rw"), ("sw", "ln"))
INTERPRETATION = (
    "French to Swahili by the community liaison assistant",
    "",
    "French to Swahili and Kinyarwanda by two community interpreters",
    "Swahili to Lingala for the Force contingent, by a language assistant",
)

# (theme index, or -n for the handover of the n-th completed QIP; place index; days from
#  today; local start hour; status; index of the row it follows up, or None)
Row = tuple[int, int, int, int, str, int | None]
_H, _P, _C, _X = "held", "planned", "cancelled", "postponed"
ROWS: tuple[Row, ...] = (
    (0, 0, -172, 9, _H, None), (2, 0, -120, 10, _H, 0), (0, 0, -60, 9, _H, 1),
    (2, 0, 12, 10, _P, 2), (1, 1, -165, 9, _H, None), (7, 1, -150, 7, _H, None),
    (3, 2, -140, 14, _H, None), (4, 2, -100, 10, _H, None), (5, 3, -95, 14, _H, None),
    (6, 4, -130, 11, _H, None), (-1, 5, -80, 10, _H, None), (1, 6, -45, 9, _H, None),
    (8, 7, -30, 18, _H, None), (3, 8, -12, 14, _H, None), (4, 1, -20, 10, _H, 4),
    (0, 3, 20, 9, _P, None), (2, 9, -175, 10, _H, None), (2, 9, -110, 10, _H, 16),
    (2, 9, -50, 10, _H, 17), (6, 10, -160, 11, _H, None), (3, 10, -70, 14, _C, None),
    (1, 11, -145, 9, _H, None), (-2, 12, -60, 10, _H, None), (4, 13, -88, 10, _H, None),
    (5, 14, -35, 14, _H, None), (7, 15, -25, 7, _H, None), (0, 16, -15, 9, _X, None),
    (0, 16, 9, 9, _P, 26), (3, 11, 5, 14, _P, None), (1, 17, -178, 9, _H, None),
    (2, 17, -100, 10, _H, 29), (-3, 18, -30, 10, _H, None), (4, 19, -75, 10, _H, None),
    (6, 20, -55, 11, _H, None), (5, 21, -8, 14, _H, None), (7, 22, -3, 7, _H, None),
    (3, 18, 28, 14, _P, None), (8, 20, 35, 18, _C, None), (6, 13, 40, 11, _P, None),
    (1, 23, -130, 9, _X, None), (4, 12, 16, 10, _P, None),
)  # fmt: skip
CSV_ROWS = (2, 18)  # activities with an attendance sheet
PDF_ROW = 13  # an activity with signed minutes
ARMED_ROWS = frozenset({1, 17})  # councils where an armed-group representative was a party
DURATION_HOURS: dict[str, int] = {
    ActivityType.KEY_INFORMANT: 2,
    ActivityType.FOCUS_GROUP: 2,
    ActivityType.JOINT_PATROL: 4,
    ActivityType.OTHER: 1,
}
PARTICIPANT_TYPES: dict[str, tuple[str, ...]] = {
    ActivityType.DIALOGUE_FORUM: (ActorType.TRADITIONAL_AUTHORITY, ActorType.LOCAL_OFFICIAL,
                                  ActorType.WOMENS_GROUP, ActorType.YOUTH_GROUP),
    ActivityType.RECONCILIATION_COUNCIL: (ActorType.TRADITIONAL_AUTHORITY,
                                          ActorType.RELIGIOUS_LEADER, ActorType.WOMENS_GROUP),
    ActivityType.TOWN_HALL: (ActorType.LOCAL_OFFICIAL, ActorType.RELIGIOUS_LEADER,
                             ActorType.CIVIL_SOCIETY, ActorType.DISPLACED_REPRESENTATIVE),
    ActivityType.FOCUS_GROUP: (ActorType.WOMENS_GROUP, ActorType.YOUTH_GROUP),
    ActivityType.KEY_INFORMANT: (ActorType.TRADITIONAL_AUTHORITY, ActorType.RELIGIOUS_LEADER),
    ActivityType.JOINT_PATROL: (ActorType.SECURITY_ACTOR, ActorType.YOUTH_GROUP),
    ActivityType.PROJECT_HANDOVER: (ActorType.TRADITIONAL_AUTHORITY, ActorType.CIVIL_SOCIETY,
                                    ActorType.LOCAL_OFFICIAL),
    ActivityType.OTHER: (ActorType.RELIGIOUS_LEADER, ActorType.TRADITIONAL_AUTHORITY),
}  # fmt: skip
_FIRST_ROLE: dict[str, str] = {
    ActivityType.RECONCILIATION_COUNCIL: ParticipantRole.CHAIR,
    ActivityType.DIALOGUE_FORUM: ParticipantRole.CHAIR,
    ActivityType.TOWN_HALL: ParticipantRole.SPEAKER,
    ActivityType.PROJECT_HANDOVER: ParticipantRole.SPEAKER,
}


def handover_title(number: int) -> str:
    """The title of the ``number``-th completed QIP (1-based), as handover activities name it."""
    done = [p for p in PROJECTS if p.code.startswith("QIP") and p.status == "completed"]
    return done[number - 1].title


def _theme(code: int) -> tuple[Theme, str]:
    if code >= 0:
        return THEMES[code], ""
    return HANDOVER, handover_title(-code)


def _actors_near(
    actors: list[Actor],
    paths: dict[int, str],
    place: DemoPlace,
    types: tuple[str, ...],
    rng: random.Random,
    n: int = 4,
) -> list[Actor]:
    """Up to ``n`` actors of ``types`` from the place's territory, those of the place first."""
    prefix = place.territory.path if place.territory else place.unit.path
    near = [a for a in actors if a.actor_type in types and paths[a.pk].startswith(prefix)]
    near.sort(key=lambda a: (paths[a.pk] != place.unit.path, a.name))
    pool = near[: n * 3]
    return rng.sample(pool, min(n, len(pool)))


def _facilitators(place: DemoPlace, users: dict[str, User], index: int) -> list[User]:
    staff: list[User | None] = []
    if place.unit.pcode.startswith("CDX1"):
        staff.append(users.get(Role.LIAISON))
    staff.append(users.get(Role.OFFICER))
    if index % 5 == 0:
        staff.append(users.get(Role.MANAGER))
    return [u for u in staff if u is not None]


def _file_for(activity: Activity, cells: dict[tuple[str, str, str], int], pdf: bool) -> DemoFile:
    day = activity.starts_at.date().isoformat()
    if pdf:
        lines = [f"Date: {day}", f"Place: {activity.admin_unit.name}", ""]
        lines += [line for line in activity.minutes.replace("**", "").split(". ") if line]
        lines += ["", "Signed by the chief and the Civil Affairs team leader (demo)."]
        return pdf_file(f"minutes-{day}.pdf", f"Minutes: {activity.title}", lines)
    rows = [(s, a, g, n) for (s, a, g), n in sorted(cells.items())]
    return csv_file(f"attendance-{day}.csv", ("sex", "age_band", "group", "count"), rows)


def document_store(
    *, mission: Mission, file: DemoFile, user: User | None, description: str, **owner: object
) -> Document:
    document = Document(
        mission=mission,
        filename=file.filename,
        content_type=file.content_type,
        size=file.size,
        sha256=file.sha256,
        content=file.content,
        description=description,
        created_by=user,
        **owner,
    )
    document.full_clean()
    document.save()
    return document


def _issues(
    activity: Activity, theme: Theme, categories: dict[str, Category], rng: random.Random
) -> None:
    count = 1 + int(rng.random() < 0.5)
    for n, summary in enumerate(theme.issues[:count]):
        category = categories.get(theme.categories[n % len(theme.categories)])
        issue = ActivityIssue(activity=activity, category=category, summary=summary)
        issue.full_clean()
        issue.save()
        if category is None:
            continue
        messages = Message.objects.filter(
            mission=activity.mission,
            category=category,
            admin_unit__path__startswith=activity.admin_unit.path,
            received_at__lt=activity.starts_at,
            received_at__gte=activity.starts_at - timedelta(days=60),
        ).order_by("-received_at")[:2]
        issue.messages.set(list(messages))


def activities_ensure(
    *,
    mission: Mission,
    users: dict[str, User],
    places: list[DemoPlace],
    today: date,
    categories: dict[str, Category],
) -> tuple[list[Activity], int]:
    """Every planned activity (found by title or created): (activities in row order, created)."""
    zone = mission_zone(mission)
    existing = {a.title: a for a in Activity.objects.filter(mission=mission)}
    actors = list(
        Actor.objects.filter(mission=mission, is_active=True)
        .select_related("admin_unit")
        .order_by("name")
    )
    paths = {a.pk: a.admin_unit.path if a.admin_unit else "" for a in actors}
    armed = [a for a in actors if a.actor_type == ActorType.ARMED_GROUP_FIGURE]
    by_index = {p.index: p for p in places}
    titles: set[str] = set()
    by_row: dict[int, Activity] = {}
    out: list[Activity] = []
    created = 0
    for i, (code, place_index, days, hour, status, follows) in enumerate(ROWS):
        place = by_index.get(place_index)
        if place is None:
            continue
        theme, project = _theme(code)
        title = theme.title.format(place=place.unit.name, project=project)
        if follows is not None:
            title += FOLLOW_UP_SUFFIX
        base, n = title, 2
        while title in titles:
            title, n = f"{base}, session {n}", n + 1
        titles.add(title)
        if title in existing:
            by_row[i] = existing[title]
            out.append(existing[title])
            continue
        rng = random.Random(f"{SEED}:activity:{i}")  # noqa: S311
        starts = local_at(today + timedelta(days=days), hour, zone, minute=rng.choice((0, 30)))
        held = status == ActivityStatus.HELD
        reason = ""
        if status == ActivityStatus.POSTPONED:
            reason = POSTPONED_REASONS[i % len(POSTPONED_REASONS)]
        elif status == ActivityStatus.CANCELLED:
            reason = CANCELLED_REASONS[i % len(CANCELLED_REASONS)]
        previous = by_row.get(follows) if follows is not None else None
        facilitators = _facilitators(place, users, i)
        activity = Activity(
            mission=mission,
            activity_type=theme.activity_type,
            title=title,
            status=status,
            admin_unit=place.unit,
            venue="Chiefdom meeting hall"
            if theme.activity_type != ActivityType.JOINT_PATROL
            else "Market road and river crossing",
            starts_at=starts,
            ends_at=starts + timedelta(hours=DURATION_HOURS.get(theme.activity_type, 3)),
            other_facilitators="Community radio"
            if theme.activity_type == ActivityType.OTHER
            else ("Implementing partner's engineer" if project else ""),
            languages=list(LANGUAGES[i % len(LANGUAGES)]),
            interpretation=INTERPRETATION[i % len(INTERPRETATION)],
            agenda="\n".join(f"{n}. {item}" for n, item in enumerate(theme.agenda, start=1)),
            minutes=theme.minutes if held else "",
            follow_up_of=previous,
            follow_up_notes=FOLLOW_UP_NOTES[i % len(FOLLOW_UP_NOTES)]
            if held and i % 3 == 0
            else "",
            cancel_reason=reason,
            created_by=facilitators[0] if facilitators else None,
        )
        activity.full_clean()
        activity.save()
        activity.facilitators.set(facilitators)
        if theme.activity_type == ActivityType.RECONCILIATION_COUNCIL and place.territory:
            neighbours = AdminUnit.objects.filter(parent=place.territory).exclude(pk=place.unit.pk)
            activity.places.set(list(neighbours.order_by("pcode")[:2]))
        chosen = _actors_near(actors, paths, place, PARTICIPANT_TYPES[theme.activity_type], rng)
        if i in ARMED_ROWS:
            province = place.unit.pcode[:4]
            chosen += [a for a in armed if paths[a.pk].startswith(f"/COD/{province}/")][:1]
        participants = [
            Participant(
                activity=activity,
                actor=actor,
                role=ParticipantRole.PARTY
                if actor.actor_type == ActorType.ARMED_GROUP_FIGURE
                else (
                    _FIRST_ROLE.get(theme.activity_type, ParticipantRole.PARTICIPANT)
                    if n == 0
                    else ParticipantRole.PARTICIPANT
                ),
                note="Attended with two bodyguards; left before the end."
                if actor.actor_type == ActorType.ARMED_GROUP_FIGURE
                else "",
                created_by=activity.created_by,
            )
            for n, actor in enumerate(chosen)
        ]
        Participant.objects.bulk_create(participants)
        if held:
            cells = attendance_cells(theme, place, rng)
            AttendanceCount.objects.bulk_create(
                AttendanceCount(activity=activity, sex=s, age_band=a, group=g, count=n)
                for (s, a, g), n in cells.items()
            )
            _issues(activity, theme, categories, rng)
            if i in CSV_ROWS or i == PDF_ROW:
                document_store(
                    mission=mission,
                    file=_file_for(activity, cells, pdf=i == PDF_ROW),
                    user=activity.created_by,
                    description="Signed minutes" if i == PDF_ROW else "Attendance sheet (counts)",
                    activity=activity,
                )
        by_row[i] = activity
        out.append(activity)
        created += 1
    return out, created
