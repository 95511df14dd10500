"""Enumerator data-quality flags: explainable checks over a submission's answers and duration.

Each check is a pure function returning a :class:`Flag` (a code from :data:`QUALITY_FLAGS` and a
sentence saying why) or nothing; only the codes are stored (``Submission.quality_flags``), and
:func:`submission_flag_reasons` recomputes the sentences for a page.

- ``short``: the interview took less than the round's ``min_duration_seconds``.
- ``speeding``: fewer than :data:`SPEEDING_SECONDS` seconds per answered question.
- ``straight_lining``: at least :data:`STRAIGHT_LINE_MIN` indicator answers on the same scale
  (the same choice list, of at least three choices) all identical. Indicators are the round's
  ``indicator_map``; without one, every ``select_one`` question on such a scale counts.
- ``duplicate``: the same answers as another current submission of the round, ignoring meta
  (``meta/*``, ``formhub/*``, ``start``, ``end``, ``today``, ``deviceid`` and the like); also
  *near-duplicates*: two submissions by the same enumerator that agree on at least
  :data:`NEAR_DUPLICATE_SHARE` (95 %) of the questions either of them answered, when that is at
  least :data:`NEAR_DUPLICATE_MIN_ANSWERS` (10) questions. Copying an interview and changing one
  answer is a classic fabrication; the reason says "nearly the same answers".

A duration is known only when the device recorded ``start`` and ``end``; without it ``short``
and ``speeding`` are never raised.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from palava.assessments.models import Round, Submission

QUALITY_FLAGS: dict[str, Promise] = {
    "short": gettext_lazy("Too short"),
    "speeding": gettext_lazy("Speeding"),
    "straight_lining": gettext_lazy("Straight-lining"),
    "duplicate": gettext_lazy("Duplicate"),
}

SPEEDING_SECONDS = 2.0
STRAIGHT_LINE_MIN = 5
STRAIGHT_LINE_MIN_CHOICES = 3
NEAR_DUPLICATE_SHARE = 0.95
NEAR_DUPLICATE_MIN_ANSWERS = 10
# Near-duplicates compare every pair of one enumerator's interviews; past this many interviews
# by one enumerator in a round only exact duplicates are looked for.
NEAR_DUPLICATE_MAX_PER_ENUMERATOR = 600

META_NAMES = frozenset(
    {
        "start",
        "end",
        "today",
        "deviceid",
        "subscriberid",
        "simserial",
        "phonenumber",
        "username",
        "email",
        "audit",
        "instanceID",
        "deprecatedID",
        "instanceName",
        "__version__",
    }
)
META_PREFIXES = ("meta/", "formhub/", "_")


@dataclass(frozen=True)
class Flag:
    code: str
    reason: str

    @property
    def label(self) -> str:
        return str(QUALITY_FLAGS.get(self.code, self.code))


@dataclass(frozen=True)
class Question:
    path: str
    kind: str  # pyxform type: "select one", "integer", "text", "rank", ...
    label: str
    choices: tuple[str, ...] = ()
    list_name: str = ""


CONTAINERS = ("group", "repeat")
NOT_QUESTIONS = frozenset(
    {"start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber", "username"}
    | {"email", "audit", "calculate", "note", "hidden", "begin group", "end group"}
)


def _label(value: Any) -> str:
    if isinstance(value, dict):
        for key in ("English (en)", "en", "default"):
            if key in value:
                return str(value[key])
        return str(next(iter(value.values()), ""))
    return "" if value is None else str(value)


def questions_of(definition: Mapping[str, Any]) -> list[Question]:
    """The answerable questions of a pyxform JSON definition, in form order, with their paths
    below the root (``group/name``); questions inside repeats are left out."""
    shared = definition.get("choices") if isinstance(definition.get("choices"), dict) else {}
    found: list[Question] = []

    def walk(children: Iterable[Any], prefix: str) -> None:
        for child in children:
            if not isinstance(child, dict):
                continue
            kind = str(child.get("type", ""))
            name = str(child.get("name", ""))
            if not name or (child.get("control") or {}).get("bodyless"):
                continue
            if kind == "group":
                walk(child.get("children") or [], f"{prefix}{name}/")
                continue
            if kind == "repeat" or kind in NOT_QUESTIONS:
                continue
            options = child.get("choices") or child.get("children")
            if not isinstance(options, list):
                options = (shared or {}).get(str(child.get("itemset", ""))) or []
            names = tuple(str(o.get("name", "")) for o in options if isinstance(o, dict))
            found.append(
                Question(
                    path=f"{prefix}{name}",
                    kind=kind,
                    label=_label(child.get("label")),
                    choices=names,
                    list_name=str(child.get("list_name") or child.get("itemset") or ""),
                )
            )

    walk(definition.get("children") or [], "")
    return found


def is_meta(path: str) -> bool:
    return path.startswith(META_PREFIXES) or path.rsplit("/", 1)[-1] in META_NAMES


def answers(data: Mapping[str, Any]) -> dict[str, Any]:
    """The answers that describe the respondent: ``data`` without meta and empty values."""
    return {k: v for k, v in data.items() if not is_meta(k) and v not in ("", None, [])}


def answers_hash(data: Mapping[str, Any]) -> str:
    """A fingerprint of the non-meta answers (sorted keys), equal for identical interviews."""
    canonical = json.dumps(answers(data), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def duration_seconds(started_at: dt.datetime | None, ended_at: dt.datetime | None) -> float | None:
    """The interview duration, or None when unknown or negative (a device clock problem)."""
    if started_at is None or ended_at is None:
        return None
    seconds = (ended_at - started_at).total_seconds()
    return seconds if seconds >= 0 else None


def duration_text(seconds: float) -> str:
    """``2 min 10 s``, ``45 s``, ``1 h 05 min``."""
    total = round(seconds)
    if total < 60:
        return _("%(s)d s") % {"s": total}
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return _("%(m)d min %(s)d s") % {"m": minutes, "s": secs}
    hours, minutes = divmod(minutes, 60)
    return _("%(h)d h %(m)02d min") % {"h": hours, "m": minutes}


def check_short(duration: float | None, min_seconds: int) -> Flag | None:
    if duration is None or min_seconds <= 0 or duration >= min_seconds:
        return None
    return Flag(
        "short",
        _("The interview took %(took)s (< %(limit)s).")
        % {"took": duration_text(duration), "limit": duration_text(min_seconds)},
    )


def check_speeding(duration: float | None, answered: int) -> Flag | None:
    if duration is None or answered <= 0:
        return None
    pace = duration / answered
    if pace >= SPEEDING_SECONDS:
        return None
    return Flag(
        "speeding",
        _("%(n)d questions answered in %(took)s: %(pace).1f s per question (< %(limit)d s).")
        % {
            "n": answered,
            "took": duration_text(duration),
            "pace": pace,
            "limit": int(SPEEDING_SECONDS),
        },
    )


def scales_for(
    definition: Mapping[str, Any], indicator_paths: Iterable[str] = ()
) -> dict[str, str]:
    """Question path -> scale key for the questions the straight-lining check reads.

    The scale is the choice list (by its names, so two lists with the same choices are one
    scale); only scales of at least three choices count. With ``indicator_paths`` only those
    questions are read, otherwise every ``select_one``.
    """
    wanted = set(indicator_paths)
    scales: dict[str, str] = {}
    for question in questions_of(definition):
        if question.kind != "select one" or len(question.choices) < STRAIGHT_LINE_MIN_CHOICES:
            continue
        if wanted and question.path not in wanted:
            continue
        scales[question.path] = " ".join(question.choices)
    return scales


def check_straight_lining(data: Mapping[str, Any], scales: Mapping[str, str]) -> Flag | None:
    by_scale: dict[str, list[str]] = defaultdict(list)
    for path, scale in scales.items():
        value = data.get(path)
        if isinstance(value, str) and value:
            by_scale[scale].append(value)
    for values in by_scale.values():
        if len(values) >= STRAIGHT_LINE_MIN and len(set(values)) == 1:
            return Flag(
                "straight_lining",
                _("All %(n)d answers on the same scale are “%(value)s”.")
                % {"n": len(values), "value": values[0]},
            )
    return None


def individual_flags(
    *,
    data: Mapping[str, Any],
    started_at: dt.datetime | None,
    ended_at: dt.datetime | None,
    min_seconds: int,
    scales: Mapping[str, str],
) -> list[Flag]:
    """The flags one submission raises on its own (all but ``duplicate``)."""
    duration = duration_seconds(started_at, ended_at)
    found = [
        check_short(duration, min_seconds),
        check_speeding(duration, len(answers(data))),
        check_straight_lining(data, scales),
    ]
    return [flag for flag in found if flag is not None]


def near_duplicate_share(a: Mapping[str, Any], b: Mapping[str, Any]) -> tuple[int, float]:
    """(questions answered in either, share of them answered the same) of two answer dicts."""
    keys = set(a) | set(b)
    if not keys:
        return 0, 0.0
    same = sum(1 for k in keys if k in a and k in b and a[k] == b[k])
    return len(keys), same / len(keys)


def is_near_duplicate(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    answered, share = near_duplicate_share(a, b)
    return answered >= NEAR_DUPLICATE_MIN_ANSWERS and share >= NEAR_DUPLICATE_SHARE


@dataclass(frozen=True)
class Row:
    """What the duplicate checks need of one submission."""

    key: Any  # the submission's pk (or any id)
    label: str  # shown in the reason, e.g. the instance id
    enumerator: str
    answers: Mapping[str, Any]


def _fingerprint(answers: Mapping[str, Any]) -> str:
    canonical = json.dumps(answers, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _exact(other: Row, n: int) -> Flag:
    return Flag(
        "duplicate",
        _("Same answers as %(other)s (%(n)d identical interviews).")
        % {"other": other.label, "n": n},
    )


def _near(other: Row, answered: int, share: float) -> Flag:
    return Flag(
        "duplicate",
        _(
            "Nearly the same answers as %(other)s by the same enumerator "
            "(%(share)d %% of %(n)d questions)."
        )
        % {"other": other.label, "share": int(share * 100), "n": answered},
    )


def _may_be_near(row: Row) -> bool:
    return bool(row.enumerator) and len(row.answers) >= NEAR_DUPLICATE_MIN_ANSWERS // 2


def duplicate_flags(rows: Sequence[Row]) -> dict[Any, Flag]:
    """Exact and near duplicates among ``rows`` (one round): key -> flag with its reason."""
    by_hash: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        if row.answers:
            by_hash[_fingerprint(row.answers)].append(row)
    flags: dict[Any, Flag] = {}
    for group in by_hash.values():
        if len(group) < 2:
            continue
        for row in group:
            flags[row.key] = _exact(next(r for r in group if r.key != row.key), len(group))
    by_enumerator: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        if _may_be_near(row):
            by_enumerator[row.enumerator].append(row)
    for group in by_enumerator.values():
        if len(group) > NEAR_DUPLICATE_MAX_PER_ENUMERATOR:
            continue
        for i, first in enumerate(group):
            for second in group[i + 1 :]:
                if first.key in flags and second.key in flags:
                    continue
                answered, share = near_duplicate_share(first.answers, second.answers)
                if answered < NEAR_DUPLICATE_MIN_ANSWERS or share < NEAR_DUPLICATE_SHARE:
                    continue
                flags.setdefault(first.key, _near(second, answered, share))
                flags.setdefault(second.key, _near(first, answered, share))
    return flags


def flags_against(row: Row, others: Sequence[Row]) -> tuple[Flag | None, dict[Any, Flag]]:
    """Whether ``row`` duplicates one of ``others`` (exactly, or nearly when by the same
    enumerator), and the flags the matching others get; linear in ``others``."""
    if not row.answers:
        return None, {}
    mine = _fingerprint(row.answers)
    exact = [o for o in others if o.answers and _fingerprint(o.answers) == mine]
    if exact:
        n = len(exact) + 1
        return _exact(exact[0], n), {o.key: _exact(row, n) for o in exact}
    if not _may_be_near(row):
        return None, {}
    found: Flag | None = None
    theirs: dict[Any, Flag] = {}
    for other in others:
        if other.enumerator != row.enumerator:
            continue
        answered, share = near_duplicate_share(row.answers, other.answers)
        if answered >= NEAR_DUPLICATE_MIN_ANSWERS and share >= NEAR_DUPLICATE_SHARE:
            found = found or _near(other, answered, share)
            theirs[other.key] = _near(row, answered, share)
    return found, theirs


def _codes(flags: Iterable[Flag]) -> list[str]:
    order = list(QUALITY_FLAGS)
    return sorted({f.code for f in flags if f.code in QUALITY_FLAGS}, key=order.index)


def round_scales(round: Round) -> dict[str, str]:
    form_version = round.form.current_version
    definition = form_version.definition if form_version is not None else {}
    paths = [
        str(entry.get("path", ""))
        for entry in (round.indicator_map or {}).values()
        if isinstance(entry, dict)
    ]
    return scales_for(definition or {}, [p for p in paths if p])


def _row(submission: Submission) -> Row:
    return Row(
        key=submission.pk,
        label=submission.instance_id,
        enumerator=submission.enumerator,
        answers=answers(submission.data),
    )


@transaction.atomic
def round_quality_refresh(*, round: Round) -> dict[str, int]:
    """Recompute every current submission's flags in ``round``; returns the count per code.

    Writes only submissions whose flags changed. Not audited: flags are derived data (the
    service ``round_quality_recompute`` records who asked for a recomputation).
    """
    from palava.assessments.models import Submission, SubmissionStatus

    scales = round_scales(round)
    subs = list(
        Submission.objects.filter(round=round, status=SubmissionStatus.CURRENT).only(
            "pk", "instance_id", "enumerator", "data", "started_at", "ended_at", "quality_flags"
        )
    )
    duplicates = duplicate_flags([_row(s) for s in subs])
    counts = dict.fromkeys(QUALITY_FLAGS, 0)
    now = timezone.now()
    changed: list[Submission] = []
    for sub in subs:
        flags = individual_flags(
            data=sub.data,
            started_at=sub.started_at,
            ended_at=sub.ended_at,
            min_seconds=round.min_duration_seconds,
            scales=scales,
        )
        if sub.pk in duplicates:
            flags.append(duplicates[sub.pk])
        codes = _codes(flags)
        for code in codes:
            counts[code] += 1
        if codes != list(sub.quality_flags or []):
            sub.quality_flags = codes
            sub.updated_at = now  # estimates are cached by the latest update of the round
            changed.append(sub)
    Submission.objects.bulk_update(changed, ["quality_flags", "updated_at"], batch_size=500)
    return counts


def _duplicate_candidates(submission: Submission) -> list[Submission]:
    """Other current submissions of the round that may duplicate ``submission``: exact duplicates
    share the classified place, sex, age band and group; near ones share the enumerator."""
    from django.db.models import Q

    from palava.assessments.models import Submission, SubmissionStatus

    if submission.round_id is None:
        return []
    same_cell = Q(
        admin_unit_id=submission.admin_unit_id,
        respondent_sex=submission.respondent_sex,
        respondent_age_band=submission.respondent_age_band,
        respondent_group=submission.respondent_group,
    )
    condition = same_cell
    if submission.enumerator:
        condition |= Q(enumerator=submission.enumerator)
    return list(
        Submission.objects.filter(condition, round_id=submission.round_id)
        .filter(status=SubmissionStatus.CURRENT)
        .exclude(pk=submission.pk)
        .only("pk", "instance_id", "enumerator", "data", "quality_flags")
        .order_by("-received_at")[:NEAR_DUPLICATE_MAX_PER_ENUMERATOR]
    )


def submission_flags(submission: Submission, *, mark_others: bool = False) -> list[Flag]:
    """All flags of one submission with their reasons, comparing it with the rest of its round.

    With ``mark_others`` the submissions it duplicates get the ``duplicate`` flag too (a new
    submission arriving makes its twin a duplicate as well).
    """
    from palava.assessments.models import Submission

    round = submission.round
    if round is None:
        return []
    flags = individual_flags(
        data=submission.data,
        started_at=submission.started_at,
        ended_at=submission.ended_at,
        min_seconds=round.min_duration_seconds,
        scales=round_scales(round),
    )
    others = _duplicate_candidates(submission)
    found, theirs = flags_against(_row(submission), [_row(o) for o in others])
    if found is not None:
        flags.append(found)
    if mark_others:
        for other in others:
            if other.pk in theirs and "duplicate" not in (other.quality_flags or []):
                other.quality_flags = _codes(
                    [Flag(c, "") for c in other.quality_flags or []] + [theirs[other.pk]]
                )
                Submission.objects.filter(pk=other.pk).update(
                    quality_flags=other.quality_flags, updated_at=timezone.now()
                )
    return flags


def submission_flag_reasons(submission: Submission) -> list[Flag]:
    """The stored flags of ``submission`` with a sentence each (for the submissions pages)."""
    stored = set(submission.quality_flags or [])
    if not stored:
        return []
    found = {flag.code: flag for flag in submission_flags(submission)}
    return [
        found.get(code) or Flag(code, _("Flagged when the round was last checked."))
        for code in _codes(Flag(c, "") for c in stored)
    ]


def flags_codes(flags: Iterable[Flag]) -> list[str]:
    """The stored form of ``flags``: their codes, once each, in :data:`QUALITY_FLAGS` order."""
    return _codes(flags)
