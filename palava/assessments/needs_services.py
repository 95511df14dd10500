"""Writes for the needs register: recording and deleting a participatory ranking exercise, and
turning a round's ODK ``rank`` answers into one exercise per place.

Every exercise stores ``scores``: the normalised share of each item (summing to 1) computed with
:mod:`palava.assessments.ranking`, so the register can combine exercises of different methods.
Stored ``inputs`` (always a dict): pairwise ``{"pairs": [[a, b, winner], ...]}``, Borda
``{"rankings": [[first, second, ...], ...]}``, piling ``{"counters": {item: n}}``, rank question
``{"round": public id, "path": question path}``; plus ``"labels"`` for custom items.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from palava.assessments import ranking
from palava.assessments.models import (
    RankingExercise,
    RankingMethod,
    Round,
    Submission,
    SubmissionStatus,
)
from palava.assessments.needs import (
    MAX_COUNTERS,
    MAX_CUSTOM,
    MAX_ITEMS,
    MAX_LABEL,
    MAX_NOTES,
    MAX_PARTICIPANTS,
    MAX_RANKINGS,
    MIN_ITEMS,
    NEED_CODES,
    is_custom,
)
from palava.audit.services import AuditEntry, audit_record, audit_record_many
from palava.core.models import acting_user
from palava.missions.models import Membership, Mission
from palava.places.models import AdminUnit
from palava.places.scope import scope_for

ENTERED_METHODS = (RankingMethod.PAIRWISE, RankingMethod.BORDA, RankingMethod.PILING)
# Interviews flagged as these are left out of the rank-question tally (as in the estimates).
EXCLUDED_FLAGS = frozenset({"duplicate", "short"})
PATH_RE = re.compile(r"^[A-Za-z_][\w.\-]*(?:/[A-Za-z_][\w.\-]*)*$")
MAX_PATH = 200


def _invalid(key: str, message: str, code: str) -> ValidationError:
    return ValidationError({key: ValidationError(message, code=code)})


def _check_items(items: Any, labels: Any) -> tuple[list[str], dict[str, str]]:
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
        raise _invalid("items", _("The needs ranked must be a list of need codes."), "items_type")
    items = list(items)
    if not MIN_ITEMS <= len(items) <= MAX_ITEMS:
        raise _invalid(
            "items",
            _("Rank between %(min)d and %(max)d needs.") % {"min": MIN_ITEMS, "max": MAX_ITEMS},
            "items_count",
        )
    if len(set(items)) != len(items):
        raise _invalid("items", _("A need is listed more than once."), "items_duplicate")
    labels = labels if isinstance(labels, Mapping) else {}
    kept: dict[str, str] = {}
    custom = 0
    for item in items:
        if item in NEED_CODES:
            continue
        if not is_custom(item):
            raise _invalid(
                "items",
                _("Unknown need: %(item)s.") % {"item": item[:40]},
                "unknown_item",
            )
        custom += 1
        label = labels.get(item)
        label = label.strip() if isinstance(label, str) else ""
        if not label or len(label) > MAX_LABEL:
            raise _invalid(
                "items",
                _("Give each other need a name of at most %(n)d characters.") % {"n": MAX_LABEL},
                "custom_label",
            )
        kept[item] = label
    if custom > MAX_CUSTOM:
        raise _invalid(
            "items",
            _("At most %(n)d other needs besides the standard list.") % {"n": MAX_CUSTOM},
            "too_many_custom",
        )
    return items, kept


def _pairwise(items: list[str], inputs: Any) -> tuple[dict[str, Any], dict[str, float]]:
    rows = inputs.get("pairs") if isinstance(inputs, Mapping) else inputs
    if not isinstance(rows, list):
        raise _invalid("inputs", _("The pairwise matrix is missing."), "pairs_missing")
    if len(rows) > len(items) * (len(items) - 1) // 2:
        raise _invalid("inputs", _("The matrix has more pairs than the needs allow."), "too_big")
    known = set(items)
    seen: set[frozenset[str]] = set()
    pairs: list[list[str]] = []
    winners: dict[tuple[str, str], str] = {}
    for row in rows:
        if (
            not isinstance(row, list | tuple)
            or len(row) != 3
            or not all(isinstance(x, str) for x in row)
        ):
            raise _invalid("inputs", _("Each pair must name two needs and a winner."), "pair_type")
        first, second, winner = row
        if first not in known or second not in known:
            raise _invalid(
                "inputs", _("A pair names a need that is not ranked."), "pair_unknown_item"
            )
        if first == second:
            raise _invalid("inputs", _("A pair compares a need with itself."), "pair_self")
        key = frozenset((first, second))
        if key in seen:
            raise _invalid("inputs", _("A pair is answered twice."), "pair_twice")
        if winner not in (first, second):
            raise _invalid(
                "inputs", _("The winner of a pair must be one of its two needs."), "pair_winner"
            )
        seen.add(key)
        pairs.append([first, second, winner])
        winners[(first, second)] = winner
    if not pairs:
        raise _invalid("inputs", _("Answer at least one pair of the matrix."), "pairs_empty")
    raw = ranking.pairwise_scores(items, winners)
    return {"pairs": pairs}, {k: float(v) for k, v in raw.items()}


def _borda(items: list[str], inputs: Any) -> tuple[dict[str, Any], dict[str, float]]:
    rows = inputs.get("rankings") if isinstance(inputs, Mapping) else inputs
    if not isinstance(rows, list) or not rows:
        raise _invalid("inputs", _("Give at least one ranking."), "rankings_missing")
    if len(rows) > MAX_RANKINGS:
        raise _invalid(
            "inputs", _("At most %(n)d rankings.") % {"n": MAX_RANKINGS}, "too_many_rankings"
        )
    wanted = sorted(items)
    rankings: list[list[str]] = []
    for row in rows:
        if (
            not isinstance(row, list)
            or not all(isinstance(x, str) for x in row)
            or sorted(row) != wanted
        ):
            raise _invalid(
                "inputs",
                _("Each ranking must list every ranked need exactly once."),
                "not_permutation",
            )
        rankings.append(list(row))
    return {"rankings": rankings}, ranking.borda(rankings, items)


def _piling(items: list[str], inputs: Any) -> tuple[dict[str, Any], dict[str, float]]:
    data = inputs.get("counters") if isinstance(inputs, Mapping) else None
    if data is None and isinstance(inputs, Mapping):
        data = {k: v for k, v in inputs.items() if k != "labels"}
    if not isinstance(data, Mapping):
        raise _invalid("inputs", _("The counters are missing."), "counters_missing")
    known = set(items)
    counters: dict[str, int] = dict.fromkeys(items, 0)
    for item, value in data.items():
        if item not in known:
            raise _invalid(
                "inputs", _("Counters were placed on a need that is not ranked."), "unknown_item"
            )
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise _invalid(
                "inputs",
                _("Counters must be whole numbers of zero or more."),
                "counter_negative",
            )
        counters[item] = value
    total = sum(counters.values())
    if total > MAX_COUNTERS:
        raise _invalid(
            "inputs",
            _("At most %(n)d counters in all.") % {"n": MAX_COUNTERS},
            "too_many_counters",
        )
    if total == 0:
        raise _invalid("inputs", _("Place at least one counter."), "counters_empty")
    shares = ranking.proportional_piling([{k: float(v) for k, v in counters.items()}])
    return {"counters": counters}, shares


def compute(method: str, items: list[str], inputs: Any) -> tuple[dict[str, Any], dict[str, float]]:
    """Validated inputs (as stored) and normalised scores for one entered exercise."""
    if method == RankingMethod.PAIRWISE:
        stored, raw = _pairwise(items, inputs)
    elif method == RankingMethod.BORDA:
        stored, raw = _borda(items, inputs)
    elif method == RankingMethod.PILING:
        stored, raw = _piling(items, inputs)
    else:
        raise _invalid("method", _("Choose a ranking method."), "method")
    shares = ranking.normalise(raw)
    return stored, {item: shares[item] for item in items}


def _today(mission: Mission) -> date:
    return timezone.localdate(timezone=zoneinfo.ZoneInfo(mission.time_zone))


@transaction.atomic
def exercise_record(
    *,
    actor: Any,
    mission: Mission,
    admin_unit: AdminUnit,
    held_on: date,
    method: str,
    items: Sequence[str],
    inputs: Any,
    group: str = "",
    participants: int | None = None,
    notes: str = "",
    round: Round | None = None,
) -> RankingExercise:
    """Record a pairwise ranking, Borda ranking or proportional piling held in ``admin_unit``."""
    if admin_unit.mission_id != mission.pk:
        raise _invalid("admin_unit", _("This place is not in the mission."), "admin_unit")
    if round is not None and round.mission_id != mission.pk:
        raise _invalid("round", _("This round is not in the mission."), "round")
    if method not in ENTERED_METHODS:
        raise _invalid("method", _("Choose a ranking method."), "method")
    if held_on > _today(mission) + timedelta(days=1):
        raise _invalid("held_on", _("The date cannot be in the future."), "future")
    if participants is not None and not 1 <= participants <= MAX_PARTICIPANTS:
        raise _invalid(
            "participants",
            _("The number of participants must be between 1 and %(n)d.") % {"n": MAX_PARTICIPANTS},
            "participants",
        )
    if len(notes) > MAX_NOTES:
        raise _invalid(
            "notes", _("Notes are limited to %(n)d characters.") % {"n": MAX_NOTES}, "notes"
        )
    labels_in = inputs.get("labels") if isinstance(inputs, Mapping) else None
    checked, labels = _check_items(items, labels_in)
    stored, scores = compute(method, checked, inputs)
    if labels:
        stored["labels"] = labels
    exercise = RankingExercise(
        mission=mission,
        admin_unit=admin_unit,
        round=round,
        held_on=held_on,
        method=method,
        group=group.strip(),
        participants=participants,
        items=checked,
        inputs=stored,
        scores=scores,
        notes=notes.strip(),
        created_by=acting_user(actor),
    )
    exercise.full_clean()
    exercise.save()
    audit_record(
        actor=actor,
        action="needs.exercise_record",
        mission=mission,
        obj=exercise,
        changes={
            "admin_unit": admin_unit.pcode,
            "held_on": held_on.isoformat(),
            "method": method,
            "items": ",".join(checked),
            "participants": participants,
            "group": exercise.group,
        },
    )
    return exercise


@transaction.atomic
def exercise_delete(*, actor: Any, exercise: RankingExercise) -> None:
    audit_record(
        actor=actor,
        action="needs.exercise_delete",
        mission=exercise.mission,
        obj=exercise,
        changes={
            "admin_unit": exercise.admin_unit.pcode,
            "held_on": exercise.held_on.isoformat(),
            "method": exercise.method,
        },
    )
    exercise.delete()


def _answer_ranking(value: Any) -> list[str]:
    """The known need codes of one ODK ``rank`` answer, in order, each once."""
    if not isinstance(value, str):
        return []
    seen: list[str] = []
    for token in value.split()[: 4 * MAX_ITEMS]:
        if token in NEED_CODES and token not in seen:
            seen.append(token)
    return seen


def _interview_day(submission: Submission, tz: zoneinfo.ZoneInfo) -> date:
    moment = submission.started_at or submission.received_at
    return timezone.localtime(moment, tz).date()


@transaction.atomic
def needs_from_round(
    *, actor: Any, round: Round, path: str, membership: Membership | None = None
) -> int:
    """One ``rank`` exercise per place from the round's answers to the rank question at
    ``path`` (Borda count over respondents), replacing the round's earlier rank exercises.

    Only current submissions with a place count, and not those flagged as duplicates or too
    short. With ``membership``, only places in the member's scope are read and replaced.
    Returns the number of exercises written.
    """
    path = path.strip()
    if not path or len(path) > MAX_PATH or not PATH_RE.match(path):
        raise _invalid("path", _("Choose a ranking question of the round's form."), "path")
    mission = round.mission
    tz = zoneinfo.ZoneInfo(mission.time_zone)
    submissions = Submission.objects.filter(
        mission_id=round.mission_id,
        round=round,
        status=SubmissionStatus.CURRENT,
        admin_unit__isnull=False,
    )
    existing = RankingExercise.objects.filter(round=round, method=RankingMethod.RANK_QUESTION)
    if membership is not None:
        scope = scope_for(membership)
        submissions = submissions.filter(scope.q("admin_unit"))
        existing = existing.filter(scope.q("admin_unit"))
    rankings: dict[int, list[list[str]]] = {}
    last_day: dict[int, date] = {}
    for sub in submissions.only(
        "admin_unit_id", "data", "started_at", "received_at", "quality_flags"
    ).iterator(chunk_size=500):
        flags = sub.quality_flags if isinstance(sub.quality_flags, list) else []
        if EXCLUDED_FLAGS.intersection(str(f) for f in flags):
            continue
        answer = _answer_ranking(sub.data.get(path) if isinstance(sub.data, dict) else None)
        if not answer or sub.admin_unit_id is None:
            continue
        unit_id = sub.admin_unit_id
        rankings.setdefault(unit_id, []).append(answer)
        day = _interview_day(sub, tz)
        if unit_id not in last_day or day > last_day[unit_id]:
            last_day[unit_id] = day
    if not rankings:
        raise _invalid(
            "path",
            _("No interview of this round with a place answers this ranking question."),
            "no_answers",
        )
    entries: list[AuditEntry] = []
    for old in existing.select_related("admin_unit"):
        entries.append(
            AuditEntry(
                actor=actor,
                action="needs.exercise_delete",
                mission=mission,
                obj=old,
                changes={"admin_unit": old.admin_unit.pcode, "method": old.method},
            )
        )
    existing.delete()
    units = {u.pk: u for u in AdminUnit.objects.filter(pk__in=rankings)}
    created = 0
    for unit_id in sorted(rankings, key=lambda pk: units[pk].path):
        answers = rankings[unit_id]
        present = {code for answer in answers for code in answer}
        items = [code for code in NEED_CODES if code in present]
        shares = ranking.normalise(ranking.borda(answers, items))
        if not any(shares.values()):
            shares = {item: 1 / len(items) for item in items}
        exercise = RankingExercise(
            mission=mission,
            admin_unit=units[unit_id],
            round=round,
            held_on=last_day[unit_id],
            method=RankingMethod.RANK_QUESTION,
            participants=len(answers),
            items=items,
            inputs={"round": str(round.public_id), "path": path},
            scores={item: shares[item] for item in items},
            created_by=acting_user(actor),
        )
        exercise.full_clean()
        exercise.save()
        created += 1
        entries.append(
            AuditEntry(
                actor=actor,
                action="needs.exercise_record",
                mission=mission,
                obj=exercise,
                changes={
                    "admin_unit": units[unit_id].pcode,
                    "held_on": exercise.held_on.isoformat(),
                    "method": exercise.method,
                    "round": str(round.public_id),
                    "participants": len(answers),
                },
            )
        )
    audit_record_many(entries)
    return created
