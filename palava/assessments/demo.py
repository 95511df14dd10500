"""The demo perception survey: a form, two tablets, two rounds of interviews and ranked needs.

On top of the demo geography (``palava.places.demo``), this loader

1. builds "Community perception survey" from the indicator bank (``build_xlsform``: a dozen
   indicators over the sampling frame's chiefdoms, the level that has population figures) and
   uploads it with ``form_upload``;
2. creates two ODK devices, one per field team ("Team Kivalunga tablet 1", ...);
3. creates two rounds of the ``perception`` series: round 1 about six months ago, three weeks,
   closed; round 2 started about two weeks ago and still in the field. Each has a sampling frame
   of ten chiefdoms with quotas by sex and adult age band;
4. sends every interview of :mod:`palava.assessments.demo_answers` as real instance XML through
   ``submission_receive`` (as ODK Collect would), so classification and quality flags run as
   they do for field data;
5. turns the rounds' ranking question into needs (``needs_from_round``) and records a dozen
   participatory exercises (pairwise, Borda, proportional piling) with women, youth and elders;
6. recomputes the rounds' quality flags.

Idempotent: the form is found by its form id, devices by name, rounds by series and number, and
only a round created by this run receives interviews; exercises are recorded only when the
mission has none. A second ``palava demo`` adds nothing. All names are invented.
"""

from __future__ import annotations

import math
import random
import time
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from palava.accounts.models import User
from palava.assessments.app_users import app_user_create
from palava.assessments.demo_answers import (
    SEED,
    FramePlace,
    PlaceProfile,
    PlannedInterview,
    SurveySpec,
    need_weights,
    place_profiles,
    quota_targets,
    rank_answer,
    round_interviews,
)
from palava.assessments.form_services import form_upload
from palava.assessments.import_xml import instance_xml
from palava.assessments.indicators import Indicator
from palava.assessments.indicators.bank import (
    GROUP_CODES,
    NEED_CODES,
    STANDARD_PATHS,
    indicator_get,
    indicator_map_for,
)
from palava.assessments.indicators.xlsform_build import build_xlsform
from palava.assessments.models import (
    AppUser,
    Form,
    RankingExercise,
    RankingMethod,
    Round,
    RoundStatus,
    Submission,
)
from palava.assessments.needs_services import exercise_record, needs_from_round
from palava.assessments.round_services import (
    round_create,
    round_quality_recompute,
    round_set_quotas,
    round_set_status,
)
from palava.assessments.submission_services import submission_receive
from palava.core.demo import Output, demo_loader
from palava.missions.models import Mission, Role
from palava.places.demo import LIAISON_PROVINCE, POPULATION_YEAR
from palava.places.models import AccessLevel, AccessStatus, AdminUnit, Site, SiteKind

DEMO_ACTOR = "system:demo"
FORM_ID = "community_perception"
FORM_TITLE = "Community perception survey"
FORM_VERSION = "2026.1"
SERIES = "perception"
POPULATION_LEVEL = 3  # the demo's population figures are by chiefdom (admin 3)
# Field teams: the province they work in, their tablet, how many chiefdoms they survey.
TEAMS: tuple[tuple[str, str, int], ...] = (
    ("CDX1", "Team Kivalunga tablet 1", 6),
    ("CDX2", "Team Mbeleko tablet 1", 4),
)
PER_PLACE = 40  # interviews per place and round
ROUND_DAYS = 21
ROUND_1_DAYS_AGO = 182
ROUND_2_DAYS_AGO = 16
INDICATOR_CODES: tuple[str, ...] = (
    "safety_feel_safe",
    "safety_walk_night",
    "safety_move_freely",
    "safety_trend_year",
    "trust_mission",
    "trust_mission_protects",
    "trust_local_authorities",
    "accountability_know_complain",
    "participation_consulted",
    "assistance_needs_met",
    "fairness_mission_impartial",
    "cohesion_trust_other_groups",
    "information_informed",
)


# --- The frame and the form ------------------------------------------------------------------


@dataclass(frozen=True)
class FrameUnit:
    unit: AdminUnit
    team: int
    has_idp_site: bool


def demo_frame(mission: Mission) -> list[FrameUnit]:
    """The sampling frame: chiefdoms of each team's province, one per territory first, never a
    no-go area (their latest access status), chosen from a fixed seed."""
    units = list(
        AdminUnit.objects.filter(mission=mission, level=POPULATION_LEVEL).select_related("parent")
    )
    latest: dict[int, tuple[date, str]] = {}
    for unit_id, level, when in AccessStatus.objects.filter(
        mission=mission, site__isnull=True
    ).values_list("admin_unit_id", "level", "effective_from"):
        if unit_id not in latest or when >= latest[unit_id][0]:
            latest[unit_id] = (when, level)
    with_sites = set(
        Site.objects.filter(mission=mission, kind=SiteKind.IDP_CAMP).values_list(
            "admin_unit_id", flat=True
        )
    )
    rng = random.Random(f"{SEED}:frame")  # noqa: S311 - reproducible demo data
    frame: list[FrameUnit] = []
    for team, (province, _device, size) in enumerate(TEAMS):
        candidates = sorted(
            (
                u
                for u in units
                if u.pcode.startswith(province)
                and latest.get(u.pk, (date.min, ""))[1] != AccessLevel.NO_GO
            ),
            key=lambda u: u.pcode,
        )
        by_territory: dict[str, list[AdminUnit]] = {}
        for unit in candidates:
            by_territory.setdefault(unit.pcode[:-2], []).append(unit)
        chosen: list[AdminUnit] = []
        for territory in sorted(by_territory):
            if len(chosen) < size:
                chosen.append(rng.choice(by_territory[territory]))
        rest = [u for u in candidates if u not in chosen]
        chosen += rng.sample(rest, min(len(rest), size - len(chosen)))
        frame += [FrameUnit(u, team, u.pk in with_sites) for u in chosen]
    return frame


def _place_labels(unit: AdminUnit) -> dict[str, str]:
    names = unit.names if isinstance(unit.names, dict) else {}
    return {
        "en": str(names.get("en") or unit.name),
        "fr": str(names.get("fr") or unit.name),
        "ar": str(names.get("ar") or unit.name),
    }


def demo_indicators() -> list[Indicator]:
    """The survey's bank indicators (latest versions), in questionnaire order."""
    found = [indicator_get(code) for code in INDICATOR_CODES]
    return [i for i in found if i is not None]


def form_ensure(mission: Mission, actor: Any, frame: Sequence[FrameUnit]) -> tuple[Form, bool]:
    form = Form.objects.filter(mission=mission, form_id=FORM_ID).first()
    if form is not None:
        return form, False
    content = build_xlsform(
        title=FORM_TITLE,
        form_id=FORM_ID,
        version=FORM_VERSION,
        indicators=demo_indicators(),
        places=[(f.unit.pcode, _place_labels(f.unit)) for f in frame],
    )
    version = form_upload(actor=actor, mission=mission, filename=f"{FORM_ID}.xlsx", content=content)
    return version.form, True


def devices_ensure(mission: Mission, actor: Any, form: Form) -> tuple[list[AppUser], int]:
    devices: list[AppUser] = []
    created = 0
    for _province, name, _size in TEAMS:
        device = AppUser.objects.filter(mission=mission, name=name).first()
        if device is None:
            # The secret is not kept: a demo user makes a new device to try ODK Collect.
            device, _secret = app_user_create(actor=actor, mission=mission, name=name, forms=[form])
            created += 1
        devices.append(device)
    return devices, created


def _question(definition: dict[str, Any], path: str) -> dict[str, Any] | None:
    node: dict[str, Any] | None = definition
    for part in path.split("/"):
        children = node.get("children") if node else None
        node = next(
            (c for c in children or [] if isinstance(c, dict) and c.get("name") == part), None
        )
    return node


def _choice_names(definition: dict[str, Any], path: str) -> tuple[str, ...]:
    question = _question(definition, path)
    if question is None:
        return ()
    choices = question.get("choices")
    if not choices:
        shared = definition.get("choices") or {}
        choices = shared.get(question.get("itemset") or question.get("list_name") or "", [])
    return tuple(str(c.get("name")) for c in choices or [] if isinstance(c, dict))


def survey_spec(definition: dict[str, Any]) -> SurveySpec:
    """What the uploaded form asks, read from its definition (paths, indicators, choices)."""
    indicators: list[tuple[str, Indicator]] = []
    for code, entry in indicator_map_for(definition).items():
        version = entry.get("version")
        indicator = indicator_get(code, version if isinstance(version, int) else None)
        if indicator is not None:
            indicators.append((str(entry["path"]), indicator))
    order = {code: i for i, code in enumerate(INDICATOR_CODES)}
    indicators.sort(key=lambda pair: order.get(pair[1].code, len(order)))
    sex = _choice_names(definition, STANDARD_PATHS["sex"])
    female = next((c for c in sex if c.lower() in ("female", "f")), "female")
    male = next((c for c in sex if c.lower() in ("male", "m")), "male")
    return SurveySpec(
        indicators=tuple(indicators),
        need_codes=_choice_names(definition, STANDARD_PATHS["needs"]) or NEED_CODES,
        sex_choices=(female, male),
        group_choices=_choice_names(definition, STANDARD_PATHS["group"]) or GROUP_CODES,
    )


# --- Rounds and interviews -------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedRound:
    number: int
    name: str
    starts_on: date
    ends_on: date
    status: str


def planned_rounds(today: date) -> list[PlannedRound]:
    first = today - timedelta(days=ROUND_1_DAYS_AGO)
    second = today - timedelta(days=ROUND_2_DAYS_AGO)
    return [
        PlannedRound(
            1,
            "Community perception survey, round 1",
            first,
            first + timedelta(days=ROUND_DAYS - 1),
            RoundStatus.CLOSED,
        ),
        PlannedRound(
            2,
            "Community perception survey, round 2",
            second,
            second + timedelta(days=ROUND_DAYS - 1),
            RoundStatus.OPEN,
        ),
    ]


def frame_profiles(frame: Sequence[FrameUnit]) -> list[PlaceProfile]:
    return place_profiles([FramePlace(f.unit.pcode, f.team, f.has_idp_site) for f in frame])


def interview_xml(form: Form, interview: PlannedInterview) -> bytes:
    version = form.current_version
    assert version is not None
    data = {
        **interview.answers,
        "start": interview.started_at.isoformat(timespec="milliseconds"),
        "end": interview.ended_at.isoformat(timespec="milliseconds"),
        "meta/instanceID": interview.instance_id,
    }
    return instance_xml(
        definition=version.definition, form_id=form.form_id, version=version.version, data=data
    )


def interviews_send(
    form: Form, devices: Sequence[AppUser], interviews: Sequence[PlannedInterview]
) -> int:
    """Send the interviews as ODK Collect would (skipping any already received)."""
    known = set(
        Submission.objects.filter(
            form=form, instance_id__in=[i.instance_id for i in interviews]
        ).values_list("instance_id", flat=True)
    )
    sent = 0
    for interview in interviews:
        if interview.instance_id in known:
            continue
        _submission, created = submission_receive(
            mission=form.mission,
            xml=interview_xml(form, interview),
            attachments=(),
            source="openrosa",
            app_user=devices[interview.team],
        )
        sent += int(created)
    return sent


def round_ensure(
    *,
    mission: Mission,
    form: Form,
    actor: Any,
    planned: PlannedRound,
    frame: Sequence[FrameUnit],
    profiles: Sequence[PlaceProfile],
    devices: Sequence[AppUser],
    per_place: int,
    today: date,
) -> tuple[Round, bool, int]:
    """The round, created with its quotas and interviews when missing: (round, created, number
    of interviews received)."""
    existing = Round.objects.filter(mission=mission, series=SERIES, number=planned.number).first()
    if existing is not None:
        return existing, False, 0
    round = round_create(
        actor=actor,
        mission=mission,
        form=form,
        series=SERIES,
        number=planned.number,
        name=planned.name,
        starts_on=planned.starts_on,
        ends_on=planned.ends_on,
        population_year=POPULATION_YEAR,
    )
    round_set_quotas(
        actor=actor,
        round=round,
        quotas=[
            (f.unit, sex, band, target)
            for f in frame
            for sex, band, target in quota_targets(per_place)
        ],
    )
    round_set_status(actor=actor, round=round, status=RoundStatus.OPEN)
    version = form.current_version
    assert version is not None
    interviews = round_interviews(
        profiles=profiles,
        spec=survey_spec(version.definition),
        round_number=planned.number,
        starts_on=planned.starts_on,
        until=min(today, planned.ends_on + timedelta(days=1)),
        per_place=per_place,
    )
    sent = interviews_send(form, devices, interviews)
    if planned.status != RoundStatus.OPEN:
        round_set_status(actor=actor, round=round, status=planned.status)
    return round, True, sent


# --- Participatory exercises -----------------------------------------------------------------


@dataclass(frozen=True)
class PlannedExercise:
    place: str  # P-code
    round_number: int  # held during this round's fieldwork
    day: int  # days after the round started
    method: str
    group: str
    participants: int
    notes: str


_HALL = "Held in the chiefdom's meeting hall with a civil affairs facilitator."
# (team or -1 for the place outside the frame, place index in the team, round, day, method,
#  group, participants, facilitator's notes)
EXERCISES: tuple[tuple[int, int, int, int, str, str, int, str], ...] = (
    (0, 0, 1, 4, RankingMethod.BORDA, "elders", 9, _HALL),
    (0, 0, 2, 3, RankingMethod.PAIRWISE, "women", 14,
     "Women from four villages; several said they no longer go to the fields alone."),
    (0, 0, 2, 5, RankingMethod.PILING, "youth", 18,
     "Ten counters each; security and water dominated the discussion."),
    (0, 1, 1, 8, RankingMethod.BORDA, "women", 12, _HALL),
    (0, 1, 2, 9, RankingMethod.BORDA, "women", 11,
     "The same women's group as in the first round."),
    (0, 2, 1, 11, RankingMethod.PAIRWISE, "mixed community meeting", 25,
     "Open meeting at the market; men and women ranked together."),
    (1, 0, 1, 3, RankingMethod.PILING, "women", 15, _HALL),
    (1, 0, 2, 4, RankingMethod.PAIRWISE, "youth", 16,
     "Held at the youth centre."),
    (1, 1, 2, 7, RankingMethod.PILING, "elders", 8,
     "Elders' council; proportional piling with beans, ten each."),
    (-1, 0, 2, 6, RankingMethod.PILING, "displaced women", 22,
     "At the displacement site, with the camp committee's agreement."),
    (-1, 0, 2, 7, RankingMethod.BORDA, "host community elders", 10,
     "Leaders of the host villages around the displacement site."),
)  # fmt: skip


def _exercises(frame: Sequence[FrameUnit], extra: AdminUnit | None) -> list[PlannedExercise]:
    places: dict[int, list[str]] = {}
    for f in frame:
        places.setdefault(f.team, []).append(f.unit.pcode)
    if extra is not None:
        places[-1] = [extra.pcode]
    out: list[PlannedExercise] = []
    for team, index, round_number, day, method, group, participants, notes in EXERCISES:
        team_places = places.get(team, [])
        if index < len(team_places):
            out.append(
                PlannedExercise(
                    team_places[index], round_number, day, method, group, participants, notes
                )
            )
    return out


def _exercise_inputs(
    method: str, weights: dict[str, float], items: list[str], participants: int, rng: random.Random
) -> dict[str, Any]:
    if method == RankingMethod.PAIRWISE:
        pairs = []
        for i, first in enumerate(items):
            for second in items[i + 1 :]:
                a, b = weights[first] ** 1.3, weights[second] ** 1.3
                pairs.append([first, second, first if rng.random() < a / (a + b) else second])
        return {"pairs": pairs}
    if method == RankingMethod.BORDA:
        return {"rankings": [rank_answer(weights, items, rng) for _ in range(participants)]}
    counters = dict.fromkeys(items, 0)
    for _person in range(participants):
        for _bean in range(10):
            pick = rng.choices(items, weights=[weights[i] for i in items])[0]
            counters[pick] += 1
    return {"counters": counters}


def _outside_place(mission: Mission, frame: Sequence[FrameUnit]) -> AdminUnit | None:
    """A chiefdom with a displacement site outside the survey frame (another province)."""
    taken = {f.unit.pk for f in frame}
    provinces = tuple(p for p, _d, _n in TEAMS)
    site = (
        Site.objects.filter(mission=mission, kind=SiteKind.IDP_CAMP)
        .exclude(admin_unit_id__in=taken)
        .select_related("admin_unit")
        .order_by("code")
    )
    for candidate in site:
        unit = candidate.admin_unit
        if unit is not None and not unit.pcode.startswith(provinces):
            return unit
    return None


def exercises_ensure(
    *,
    mission: Mission,
    users: dict[str, User],
    frame: Sequence[FrameUnit],
    profiles: Sequence[PlaceProfile],
    rounds: dict[int, Round],
    today: date,
) -> int:
    if RankingExercise.objects.filter(
        mission=mission,
        method__in=[RankingMethod.PAIRWISE, RankingMethod.BORDA, RankingMethod.PILING],
    ).exists():
        return 0
    extra = _outside_place(mission, frame)
    units = {f.unit.pcode: f.unit for f in frame}
    if extra is not None:
        units[extra.pcode] = extra
    by_pcode = {p.pcode: p for p in profiles}
    if extra is not None:
        by_pcode[extra.pcode] = place_profiles([FramePlace(extra.pcode, 99, True)])[0]
    recorded = 0
    for index, planned in enumerate(_exercises(frame, extra)):
        round = rounds.get(planned.round_number)
        if round is None:
            continue
        held_on = min(today, round.starts_on + timedelta(days=planned.day))
        profile = by_pcode[planned.place]
        rng = random.Random(f"{SEED}:exercise:{index}")  # noqa: S311
        group = planned.group
        weights = need_weights(
            profile,
            planned.round_number,
            group="displaced" if "displaced" in group else "",
            sex="f" if "women" in group else "",
            band="60+" if "elders" in group else "youth" if "youth" in group else "",
        )
        top = sorted(NEED_CODES, key=lambda code: -weights.get(code, 0.0))
        items = sorted(top[:5] + rng.sample(top[5:], 2), key=NEED_CODES.index)
        full = {code: weights.get(code, 0.5) for code in items}
        # The liaison officer records the exercises of their province, the officer the others.
        liaison = users.get(Role.LIAISON) if planned.place.startswith(LIAISON_PROVINCE) else None
        exercise_record(
            actor=liaison or users.get(Role.OFFICER) or DEMO_ACTOR,
            mission=mission,
            admin_unit=units[planned.place],
            held_on=held_on,
            method=planned.method,
            items=items,
            inputs=_exercise_inputs(planned.method, full, items, planned.participants, rng),
            group=group,
            participants=planned.participants,
            notes=planned.notes,
        )
        recorded += 1
    return recorded


# --- The loader ------------------------------------------------------------------------------


def assessments_demo_load(
    *,
    mission: Mission,
    users: dict[str, User],
    per_place: int = PER_PLACE,
    today: date | None = None,
) -> dict[str, int]:
    """Create what is missing of the demo survey in ``mission``; returns counts of what was
    created (``per_place``: interviews per place and round, smaller in tests)."""
    counts = dict.fromkeys(("forms", "devices", "rounds", "submissions", "needs", "exercises"), 0)
    frame = demo_frame(mission)
    if not frame:
        return counts
    today = today or timezone.localdate(timezone=zoneinfo.ZoneInfo(mission.time_zone or "UTC"))
    manager = users.get(Role.MANAGER) or DEMO_ACTOR
    officer = users.get(Role.OFFICER) or DEMO_ACTOR
    form, created = form_ensure(mission, manager, frame)
    counts["forms"] = int(created)
    devices, counts["devices"] = devices_ensure(mission, manager, form)
    profiles = frame_profiles(frame)
    rounds: dict[int, Round] = {}
    new_rounds: list[Round] = []
    for planned in planned_rounds(today):
        round, created, sent = round_ensure(
            mission=mission,
            form=form,
            actor=officer,
            planned=planned,
            frame=frame,
            profiles=profiles,
            devices=devices,
            per_place=per_place,
            today=today,
        )
        rounds[planned.number] = round
        if created:
            new_rounds.append(round)
            counts["rounds"] += 1
            counts["submissions"] += sent
    for round in new_rounds:
        if not round.submissions.exists():
            continue
        round_quality_recompute(actor=officer, round=round)
        counts["needs"] += needs_from_round(
            actor=officer, round=round, path=STANDARD_PATHS["needs"]
        )
    counts["exercises"] = exercises_ensure(
        mission=mission,
        users=users,
        frame=frame,
        profiles=profiles,
        rounds=rounds,
        today=today,
    )
    return counts


@demo_loader(order=600)
def load_assessments(mission: Mission, users: dict[str, User], stdout: Output) -> None:
    """The perception survey: form, devices, two rounds of interviews, needs (idempotent)."""
    started = time.monotonic()
    counts = assessments_demo_load(mission=mission, users=users)
    seconds = time.monotonic() - started
    stdout.write(
        "assessments: {forms} forms, {devices} devices, {rounds} rounds with {submissions} "
        "interviews, {needs} needs rankings from rounds and {exercises} participatory exercises "
        "created".format(**counts)
        + (f" in {math.ceil(seconds)} s" if counts["submissions"] else "")
        + "\n"
    )
