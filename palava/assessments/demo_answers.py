"""The demo perception survey's fieldwork, respondents and answers (pure and deterministic).

No database here: :mod:`palava.assessments.demo` reads the places and the form, asks this
module for the interviews of a round, builds each one's instance XML and sends it through
``submission_receive``. Everything comes from a fixed seed; each interview has its own random
stream (seeded by round, place and position), so changing the size of a round does not change
the interviews that remain.

The story the numbers tell:

- every place has a latent level of safety and trust, plus an effect per indicator domain;
  a respondent's answers share a personal effect and a per-domain effect, so indicators
  correlate the way real ones do;
- in the first place of the first team insecurity worsens sharply between the two rounds;
  in two other places trust in the mission (and its accountability and information) improves;
- women report lower safety, much lower at night; people of 60 and over answer "don't know"
  more often and are less informed; displaced people feel less safe;
- about 3 to 5 % "don't know" or "refused" per question;
- interviews last about 14 minutes (log-normal), one after another through a field day,
  no fieldwork on Sundays, three days per place;
- the second team's tablet has a few short, speeding and straight-lined interviews (fewer in
  the second round, after supervision), and a few interviews were sent twice as new forms
  (exact duplicates);
- needs are ranked by place-specific profiles (water and security first in some places, health
  and education in others, shelter and food where displaced people live) that shift between
  rounds: security rises where insecurity worsens, water falls where a borehole was built.
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from palava.assessments.indicators import Indicator

SEED = 20_261_124
LOCAL_TZ = timezone(timedelta(hours=2), "CAT")  # Africa/Lubumbashi, no daylight saving
ADULT_BANDS = ("18-59", "60+")
# Quota shares per place by sex and adult age band (close to the demo population's adults).
QUOTA_SHARES: tuple[tuple[str, str, float], ...] = (
    ("f", "18-59", 0.43),
    ("m", "18-59", 0.41),
    ("f", "60+", 0.09),
    ("m", "60+", 0.07),
)
WORKING_DAYS_PER_ROUND = 18  # three weeks without Sundays
DAYS_PER_PLACE = 3
MEDIAN_MINUTES = 14.0
# Data-quality problems of the second team's tablet, per round: short, speeding, straight-lined.
QUALITY_PROBLEMS: dict[int, tuple[int, int, int]] = {1: (7, 4, 4), 2: (3, 1, 2)}
DUPLICATES: dict[int, int] = {1: 2, 2: 1}

WORSENING = "worsening"
IMPROVING = "improving"

# Words in an indicator's code that mark an adverse question (a "yes" is bad news).
_ADVERSE_WORDS = (
    "experienced",
    "victim",
    "worried",
    "worry",
    "fear",
    "afraid",
    "corrupt",
    "discriminat",
    "threat",
    "unsafe",
    "incident",
    "harass",
    "tension",
    "extort",
    "bribe",
)

# Need weights (Plackett-Luce strengths); codes not listed weigh UNLISTED_NEED.
UNLISTED_NEED = 0.5
NEED_PROFILES: dict[str, dict[str, float]] = {
    "water_security": {
        "water": 5.0,
        "security": 4.4,
        "health": 2.0,
        "food": 1.8,
        "roads": 1.3,
        "livelihoods": 1.2,
    },
    "health_education": {
        "health": 5.0,
        "education": 4.2,
        "water": 1.9,
        "roads": 1.6,
        "electricity": 1.2,
        "livelihoods": 1.2,
    },
    "livelihoods_roads": {
        "livelihoods": 4.6,
        "roads": 3.8,
        "food": 2.4,
        "education": 1.6,
        "electricity": 1.5,
        "health": 1.4,
    },
    "displacement": {
        "shelter": 4.6,
        "food": 4.2,
        "security": 2.6,
        "documentation": 2.2,
        "health": 1.9,
        "water": 1.6,
    },
    "justice": {
        "security": 4.0,
        "justice": 3.6,
        "reconciliation": 3.0,
        "water": 1.6,
        "health": 1.5,
        "documentation": 1.2,
    },
}
_PROFILE_CYCLE = ("water_security", "health_education", "livelihoods_roads", "justice")
# What displaced people need more than their neighbours.
_DISPLACED_NEEDS = {"shelter": 1.8, "food": 1.5, "documentation": 1.6, "livelihoods": 1.2}


@dataclass(frozen=True)
class FramePlace:
    """A place of the sampling frame as the loader found it."""

    pcode: str
    team: int  # which team (and tablet) interviews there
    has_idp_site: bool = False


@dataclass(frozen=True)
class PlaceProfile:
    pcode: str
    team: int
    role: str  # WORSENING, IMPROVING or ""
    level: float  # general latent level (logit scale): higher is safer, more trusting
    domains: dict[str, float]  # effect per indicator domain
    change: dict[str, float]  # added to the domains in the second round
    needs: tuple[dict[str, float], dict[str, float]]  # need weights in rounds 1 and 2
    displaced: float  # share of displaced respondents
    returnee: float
    host: bool  # residents near a displacement site count as host community
    order: int  # when the team visits the place (0 first)
    mission_change: float = 0.0  # added to questions about the mission in the second round


@dataclass(frozen=True)
class SurveyPaths:
    """Where the generator writes its answers (the standard paths of generated forms)."""

    consent: str = "consent"
    place: str = "place"
    sex: str = "respondent/sex"
    age: str = "respondent/age"
    group: str = "respondent/group"
    needs: str = "needs/top_needs"


@dataclass(frozen=True)
class SurveySpec:
    """What the form asks: the indicator questions (path, indicator) and the choice names."""

    indicators: tuple[tuple[str, Indicator], ...]
    need_codes: tuple[str, ...]
    sex_choices: tuple[str, str] = ("female", "male")  # female, male
    group_choices: tuple[str, ...] = ("resident", "displaced", "returnee", "host")
    consent_yes: str = "yes"
    paths: SurveyPaths = field(default_factory=SurveyPaths)


@dataclass(frozen=True)
class PlannedInterview:
    round_number: int
    place: str
    team: int
    instance_id: str
    started_at: datetime
    ended_at: datetime
    sex: str  # "f" or "m"
    age_band: str
    answers: dict[str, str]
    behaviour: str = ""  # "", "short", "speeding", "straight_lining" or "duplicate"
    duplicate_of: str = ""

    @property
    def seconds(self) -> float:
        return (self.ended_at - self.started_at).total_seconds()


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def quota_targets(per_place: int) -> list[tuple[str, str, int]]:
    """(sex, age band, interviews) per place: the shares by largest remainder, at least one per
    cell, adding up to ``per_place`` (at least four)."""
    per_place = max(per_place, len(QUOTA_SHARES))
    exact = [per_place * share for _s, _b, share in QUOTA_SHARES]
    counts = [max(1, math.floor(x)) for x in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: exact[i] - math.floor(exact[i]))
    while sum(counts) < per_place:
        counts[by_remainder.pop()] += 1
    while sum(counts) > per_place:
        counts[counts.index(max(counts))] -= 1
    return [(sex, band, n) for (sex, band, _share), n in zip(QUOTA_SHARES, counts, strict=True)]


def place_profiles(frame: Sequence[FramePlace]) -> list[PlaceProfile]:
    """The latent situation of every frame place; the scenario places are visited first."""
    rng = random.Random(f"{SEED}:places")  # noqa: S311 - reproducible demo data
    by_team: dict[int, list[FramePlace]] = {}
    for place in frame:
        by_team.setdefault(place.team, []).append(place)
    teams = sorted(by_team)
    roles: dict[str, str] = {}
    if teams:
        first = by_team[teams[0]]
        roles[first[0].pcode] = WORSENING
        if len(first) > 1:
            roles[first[1].pcode] = IMPROVING
        if len(teams) > 1:
            roles[by_team[teams[1]][0].pcode] = IMPROVING
    profiles: list[PlaceProfile] = []
    cycle = 0
    for team in teams:
        for order, place in enumerate(by_team[team]):
            role = roles.get(place.pcode, "")
            mission_change = 0.0
            level = rng.gauss(0.2, 0.3)
            domains = {
                d: rng.gauss(0.0, 0.25)
                for d in (
                    "safety",
                    "trust",
                    "accountability",
                    "participation",
                    "assistance",
                    "fairness",
                    "social_cohesion",
                    "information",
                )
            }
            change = {d: rng.gauss(0.0, 0.08) for d in domains}
            change["information"] += 0.15  # the mission's radio programmes reach further
            if place.has_idp_site:
                template = "displacement"
            else:
                template = _PROFILE_CYCLE[cycle % len(_PROFILE_CYCLE)]
                cycle += 1
            if role == WORSENING:
                template = "water_security"
                level = max(level, 0.4)
                domains["safety"] = 0.5  # a calm place before the attacks
                change.update(safety=-1.2, social_cohesion=-0.6, trust=-0.3, fairness=-0.3)
                mission_change = -0.3  # "they did not protect us"
            elif role == IMPROVING:
                domains["trust"] = -0.4  # the mission was little known there
                change.update(trust=0.2, accountability=0.6, information=0.5, participation=0.3)
                mission_change = 1.0  # patrols, a liaison assistant, a community alert network
            first_round = dict(NEED_PROFILES[template])
            second_round = {
                code: weight * rng.uniform(0.8, 1.25) for code, weight in first_round.items()
            }
            if role == WORSENING:
                second_round["security"] = 9.0
                second_round["reconciliation"] = 2.0
            elif role == IMPROVING and template != "health_education":
                second_round["water"] = first_round.get("water", UNLISTED_NEED) * 0.3  # borehole
                second_round["education"] = 3.2
            elif role == IMPROVING:
                second_round["health"] = 1.5  # the health centre reopened
                second_round["roads"] = 3.0
            profiles.append(
                PlaceProfile(
                    pcode=place.pcode,
                    team=team,
                    role=role,
                    level=level,
                    domains=domains,
                    change=change,
                    needs=(first_round, second_round),
                    displaced=rng.uniform(0.25, 0.45)
                    if place.has_idp_site
                    else rng.uniform(0, 0.1),
                    returnee=rng.uniform(0.0, 0.12),
                    host=place.has_idp_site,
                    order=order,
                    mission_change=mission_change,
                )
            )
    return profiles


def working_days(starts_on: date, count: int) -> list[date]:
    """The first ``count`` days from ``starts_on`` that are not Sundays."""
    days: list[date] = []
    day = starts_on
    while len(days) < count:
        if day.weekday() != 6:
            days.append(day)
        day += timedelta(days=1)
    return days


def is_adverse(indicator: Indicator) -> bool:
    """A question where the "positive" (counted) answer is bad news, e.g. experienced violence."""
    if "adverse" in indicator.tags or "negative" in indicator.tags:
        return True
    return any(word in indicator.code for word in _ADVERSE_WORDS)


def ordered_choices(indicator: Indicator) -> list[str]:
    """The substantive choices from least to most favourable."""
    substantive = [c for c in indicator.choices if c.name not in indicator.excluded]
    if substantive and all(c.score is not None for c in substantive):
        names = [c.name for c in sorted(substantive, key=lambda c: float(c.score or 0.0))]
    elif indicator.positive:
        names = [c.name for c in substantive if c.name not in indicator.positive]
        names += [c.name for c in substantive if c.name in indicator.positive]
    else:
        names = [c.name for c in reversed(substantive)]
    return list(reversed(names)) if is_adverse(indicator) else names


def _dont_know_names(indicator: Indicator) -> tuple[str | None, str | None]:
    names = {c.name for c in indicator.choices}
    dont_know = next((n for n in indicator.excluded if n in names and n != "refused"), None)
    refused = "refused" if "refused" in names else None
    return dont_know, refused


def indicator_answer(
    indicator: Indicator,
    latent: float,
    rng: random.Random,
    *,
    dont_know: float,
    refused: float,
) -> str:
    """One answer: "don't know"/"refused" at the given rates, else a choice drawn around
    ``latent`` (logit scale)."""
    if indicator.question_type == "integer":
        # A count (e.g. meetings attended): more often with a higher latent level.
        return str(max(0, int(rng.expovariate(1.0) * 2.0 * math.exp(0.5 * latent))))
    dk_name, refused_name = _dont_know_names(indicator)
    draw = rng.random()
    if refused_name and draw < refused:
        return refused_name
    if dk_name and draw < refused + dont_know:
        return dk_name
    ordered = ordered_choices(indicator)
    position = _sigmoid(latent + rng.gauss(0.0, 0.9))
    return ordered[min(len(ordered) - 1, int(position * len(ordered)))]


def rank_answer(
    weights: Mapping[str, float], codes: Sequence[str], rng: random.Random
) -> list[str]:
    """A full ranking drawn from a Plackett-Luce model (weights plus Gumbel noise)."""
    keyed = []
    for code in codes:
        weight = max(weights.get(code, UNLISTED_NEED), 1e-6)
        gumbel = -math.log(-math.log(max(rng.random(), 1e-12)))
        keyed.append((math.log(weight) + gumbel, code))
    return [code for _key, code in sorted(keyed, reverse=True)]


def need_weights(
    profile: PlaceProfile, round_number: int, *, group: str = "", sex: str = "", band: str = ""
) -> dict[str, float]:
    weights = dict(profile.needs[min(round_number, 2) - 1])
    if group == "displaced":
        for code, factor in _DISPLACED_NEEDS.items():
            weights[code] = weights.get(code, UNLISTED_NEED) * factor
    if sex == "f":
        weights["water"] = weights.get("water", UNLISTED_NEED) * 1.3  # who fetches the water
        weights["health"] = weights.get("health", UNLISTED_NEED) * 1.2
    if band == "60+":
        weights["health"] = weights.get("health", UNLISTED_NEED) * 1.4
        weights["education"] = weights.get("education", UNLISTED_NEED) * 0.6
    elif band in ("youth", "15-24"):
        weights["livelihoods"] = weights.get("livelihoods", UNLISTED_NEED) * 1.6
        weights["education"] = weights.get("education", UNLISTED_NEED) * 1.4
    return weights


def _respondent_latents(
    profile: PlaceProfile, round_number: int, sex: str, band: str, group: str, rng: random.Random
) -> dict[str, float]:
    person = rng.gauss(0.0, 0.75)
    latents: dict[str, float] = {}
    for domain, effect in profile.domains.items():
        value = profile.level + effect + person + rng.gauss(0.0, 0.4)
        if round_number >= 2:
            value += profile.change.get(domain, 0.0)
        if sex == "f" and domain == "safety":
            value -= 0.3
        if band == "60+" and domain == "information":
            value -= 0.4
        if band == "60+" and domain == "trust":
            value += 0.15
        if group == "displaced" and domain in ("safety", "social_cohesion"):
            value -= 0.3
        latents[domain] = value
    return latents


def _age(band: str, rng: random.Random) -> int:
    if band == "60+":
        return min(94, 60 + int(rng.expovariate(1 / 7.0)))
    return 18 + int(rng.betavariate(1.3, 2.2) * 42)


def _group(profile: PlaceProfile, spec: SurveySpec, rng: random.Random) -> str:
    choices = spec.group_choices
    draw = rng.random()
    if draw < profile.displaced and "displaced" in choices:
        return "displaced"
    if draw < profile.displaced + profile.returnee and "returnee" in choices:
        return "returnee"
    if profile.host and "host" in choices:
        return "host"
    return "resident" if "resident" in choices else choices[0]


def _instance_id(rng: random.Random) -> str:
    return f"uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}"


def _scale_of(spec: SurveySpec) -> tuple[str, list[str]]:
    """The answer scale most indicators share (straight-liners repeat one of its choices)."""
    counts: dict[str, int] = {}
    for _path, indicator in spec.indicators:
        if indicator.question_type != "integer":
            counts[indicator.list_name] = counts.get(indicator.list_name, 0) + 1
    if not counts:
        return "", []
    list_name = max(sorted(counts), key=lambda name: counts[name])
    sample = next(i for _p, i in spec.indicators if i.list_name == list_name)
    return list_name, ordered_choices(sample)


def interview_answers(
    profile: PlaceProfile,
    spec: SurveySpec,
    round_number: int,
    sex: str,
    band: str,
    rng: random.Random,
) -> dict[str, str]:
    """The answers of one interview, keyed by question path."""
    paths = spec.paths
    group = _group(profile, spec, rng)
    answers = {
        paths.consent: spec.consent_yes,
        paths.place: profile.pcode,
        paths.sex: spec.sex_choices[0] if sex == "f" else spec.sex_choices[1],
        paths.age: str(_age(band, rng)),
        paths.group: group,
    }
    latents = _respondent_latents(profile, round_number, sex, band, group, rng)
    dont_know = 0.025 + (0.06 if band == "60+" else 0.0)
    for path, indicator in spec.indicators:
        latent = latents.get(indicator.domain, profile.level)
        if round_number >= 2 and "mission" in indicator.tags:
            latent += profile.mission_change
        if sex == "f" and "night" in indicator.code:
            latent -= 0.6
        answers[path] = indicator_answer(
            indicator,
            latent,
            rng,
            dont_know=dont_know,
            refused=0.01,
        )
    if spec.need_codes:
        weights = need_weights(profile, round_number, group=group, sex=sex, band=band)
        answers[paths.needs] = " ".join(rank_answer(weights, spec.need_codes, rng))
    return answers


def _duration(band: str, behaviour: str, rng: random.Random) -> timedelta:
    if behaviour == "speeding":
        seconds = rng.uniform(22, 33)
    elif behaviour == "short":
        seconds = rng.uniform(170, 280)
    else:
        median = MEDIAN_MINUTES * 60 * (1.1 if band == "60+" else 1.0)
        seconds = max(6.5 * 60, rng.lognormvariate(math.log(median), 0.28))
    return timedelta(seconds=round(seconds))


def round_interviews(
    *,
    profiles: Sequence[PlaceProfile],
    spec: SurveySpec,
    round_number: int,
    starts_on: date,
    until: date,
    per_place: int,
) -> list[PlannedInterview]:
    """The interviews of one round done before ``until`` (the field days after it are still to
    come), in the order they were made, duplicates at the end."""
    days = working_days(starts_on, WORKING_DAYS_PER_ROUND)
    teams: dict[int, list[PlaceProfile]] = {}
    for profile in profiles:
        teams.setdefault(profile.team, []).append(profile)
    planned: list[PlannedInterview] = []
    for team_places in teams.values():
        days_per_place = max(1, min(DAYS_PER_PLACE, WORKING_DAYS_PER_ROUND // len(team_places)))
        for profile in sorted(team_places, key=lambda p: p.order):
            planned.extend(
                _place_interviews(
                    profile, spec, round_number, days, days_per_place, until, per_place
                )
            )
    planned = _with_quality_problems(planned, spec, round_number, per_place)
    planned.sort(key=lambda p: (p.started_at, p.instance_id))
    return planned + _duplicates(planned, round_number)


def _place_interviews(
    profile: PlaceProfile,
    spec: SurveySpec,
    round_number: int,
    days: Sequence[date],
    days_per_place: int,
    until: date,
    per_place: int,
) -> list[PlannedInterview]:
    rng = random.Random(f"{SEED}:{round_number}:{profile.pcode}")  # noqa: S311
    cells: list[tuple[str, str]] = []
    for sex, band, target in quota_targets(per_place):
        # Fieldwork rarely hits a quota exactly: a cell of older men may fall one short.
        achieved = target + (rng.choice((-1, 0, 0, 0, 1)) if target > 3 else 0)
        cells.extend([(sex, band)] * achieved)
    rng.shuffle(cells)
    first_day = profile.order * days_per_place
    field_days = list(days[first_day : first_day + days_per_place]) or [days[-1]]
    per_day = math.ceil(len(cells) / len(field_days))
    out: list[PlannedInterview] = []
    for day_index, day in enumerate(field_days):
        todays = cells[day_index * per_day : (day_index + 1) * per_day]
        if day >= until:
            break
        clock = datetime.combine(day, time(8, 10), tzinfo=LOCAL_TZ)
        clock += timedelta(minutes=rng.randint(0, 30))
        for position, (sex, band) in enumerate(todays):
            index = day_index * per_day + position
            own = random.Random(f"{SEED}:{round_number}:{profile.pcode}:{index}")  # noqa: S311
            instance_id = _instance_id(own)
            duration = _duration(band, "", own)
            answers = interview_answers(profile, spec, round_number, sex, band, own)
            out.append(
                PlannedInterview(
                    round_number=round_number,
                    place=profile.pcode,
                    team=profile.team,
                    instance_id=instance_id,
                    started_at=clock,
                    ended_at=clock + duration,
                    sex=sex,
                    age_band=band,
                    answers=answers,
                )
            )
            clock += duration + timedelta(minutes=own.randint(4, 25))
    return out


def _with_quality_problems(
    planned: list[PlannedInterview], spec: SurveySpec, round_number: int, per_place: int
) -> list[PlannedInterview]:
    """Make a few of the last team's interviews short, speeding or straight-lined."""
    teams = sorted({p.team for p in planned})
    if not teams:
        return planned
    rng = random.Random(f"{SEED}:{round_number}:quality")  # noqa: S311
    scale = min(1.0, per_place / 40)
    short, speeding, straight = (
        max(1, round(n * scale)) for n in QUALITY_PROBLEMS.get(round_number, (1, 1, 1))
    )
    candidates = [i for i, p in enumerate(planned) if p.team == teams[-1]]
    chosen = rng.sample(candidates, min(len(candidates), short + speeding + straight))
    behaviours = ["short"] * short + ["speeding"] * speeding + ["straight_lining"] * straight
    out = list(planned)
    for index, behaviour in zip(chosen, behaviours, strict=False):
        original = planned[index]
        own = random.Random(f"{SEED}:{round_number}:{original.instance_id}:{behaviour}")  # noqa: S311
        answers = dict(original.answers)
        answers.update(_careless_answers(spec, behaviour))
        duration = (
            _duration(original.age_band, behaviour, own)
            if behaviour in ("short", "speeding")
            else original.ended_at - original.started_at
        )
        out[index] = PlannedInterview(
            round_number=original.round_number,
            place=original.place,
            team=original.team,
            instance_id=original.instance_id,
            started_at=original.started_at,
            ended_at=original.started_at + duration,
            sex=original.sex,
            age_band=original.age_band,
            answers=answers,
            behaviour=behaviour,
        )
    return out


def _careless_answers(spec: SurveySpec, behaviour: str) -> dict[str, str]:
    """What a hurried enumerator records: one choice all the way down the main scale, and
    (when speeding) the rank widget's default order accepted as is."""
    if behaviour not in ("speeding", "straight_lining"):
        return {}
    list_name, scale = _scale_of(spec)
    out: dict[str, str] = {}
    if scale:
        fixed = scale[min(len(scale) - 1, (3 * len(scale)) // 4)]
        out = {p: fixed for p, indicator in spec.indicators if indicator.list_name == list_name}
    if behaviour == "speeding" and spec.need_codes:
        out[spec.paths.needs] = " ".join(spec.need_codes)
    return out


def _duplicates(planned: list[PlannedInterview], round_number: int) -> list[PlannedInterview]:
    """Interviews sent twice as new forms: the same answers and times, a new instance ID."""
    normal = [p for p in planned if not p.behaviour]
    if not normal:
        return []
    rng = random.Random(f"{SEED}:{round_number}:duplicates")  # noqa: S311
    out = []
    for original in rng.sample(normal, min(len(normal), DUPLICATES.get(round_number, 1))):
        out.append(
            PlannedInterview(
                round_number=original.round_number,
                place=original.place,
                team=original.team,
                instance_id=_instance_id(rng),
                started_at=original.started_at,
                ended_at=original.ended_at,
                sex=original.sex,
                age_band=original.age_band,
                answers=dict(original.answers),
                behaviour="duplicate",
                duplicate_of=original.instance_id,
            )
        )
    return out
