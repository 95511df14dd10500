"""The demo's six months of community messages, as a pure plan (no database).

:func:`demo_messages` turns a list of places into about 5,000 messages with a weekly and daily
rhythm, reporters who write again and again, bursts of near-duplicate reports of one event
(clusters), and tension rising week after week in one area before an attack there. The plan is
deterministic (a seeded ``random.Random``): texts, senders and provider ids depend only on the
places and the seed, times only on ``now``. :mod:`palava.feedback.demo` stores it;
``bench/intake.py`` uses it for realistic loads.

Every sender number is in ``+999``, a country code the ITU has not assigned, so no demo number
can reach a real person.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from palava.feedback.demo_text import (
    HOTLINE_PREFIX,
    ROUTINE,
    SPAM,
    Template,
    compose,
    templates_for,
)

SEED = 20_260_304
DAYS = 182
LOCAL_UTC_OFFSET = timedelta(hours=2)  # Africa/Lubumbashi, no daylight saving
BACKGROUND_MESSAGES = 4_650
REPORTERS = 600
# +999 is an ITU country code that is not assigned: no demo number can reach a real person.
FICTIONAL_PHONE_PREFIX = "+999"

CHANNEL_TWILIO = "twilio"
CHANNEL_AT = "africastalking"
CHANNEL_GENERIC = "generic"
CHANNEL_WEBFORM = "webform"
CHANNEL_HOTLINE = "hotline"

# Background mix of true categories (restricted ones are a small share, as on real lines).
CATEGORY_WEIGHTS: dict[str, float] = {
    "security_threat": 11,
    "violence_incident": 8,
    "tension_dispute": 9,
    "need_water": 6,
    "need_food": 6,
    "need_health": 7,
    "need_shelter": 4,
    "need_education": 3,
    "conduct_complaint": 6,
    "sea": 0.8,
    "gbv": 1.6,
    "child_protection": 1.2,
    "rumour": 7,
    "information_request": 11,
    "positive_feedback": 7,
    "other": 6,
    SPAM: 2,
}
# Languages by province position (first, second, third province of the demo geography).
PROVINCE_LANGUAGES: tuple[dict[str, float], ...] = (
    {"fr": 60, "en": 25, "sw": 10, "pt": 5},
    {"fr": 45, "en": 40, "ar": 10, "pt": 5},
    {"ar": 70, "fr": 15, "en": 15},
)
WEEKDAY_FACTOR = (1.05, 1.0, 1.0, 1.2, 1.0, 0.9, 0.65)  # Monday..Sunday; Thursday market day
HOUR_WEIGHTS = (
    0.15, 0.1, 0.1, 0.1, 0.2, 0.6, 1.4, 1.8, 1.7, 1.3, 1.0, 1.0,
    1.1, 1.0, 0.9, 0.9, 1.0, 1.4, 1.6, 1.5, 1.1, 0.8, 0.5, 0.3,
)  # fmt: skip


@dataclass(frozen=True)
class DemoPlace:
    """A place people name in messages, with where it is."""

    name: str
    variants: tuple[str, ...]
    kind: str  # a SiteKind value, or "adm2" / "adm3"
    province: str  # P-code of its admin 1 unit
    territory: str  # P-code of its admin 2 unit
    unit: str  # P-code of the admin unit it is (or lies in)
    latitude: float | None = None
    longitude: float | None = None

    def mention(self, rng: random.Random) -> str:
        """The place as someone writes it: usually its name, sometimes another spelling."""
        roll = rng.random()
        if self.variants and (roll < 0.25 or (self.kind == "idp_camp" and roll < 0.8)):
            return rng.choice(self.variants)
        if roll > 0.93:
            return self.name.lower()
        return self.name


@dataclass(frozen=True)
class Event:
    """Many people reporting one thing at one place within hours (near-duplicates)."""

    name: str
    days_ago: int
    hour: int
    category: str
    reports: int
    span_hours: float
    province: int  # index into the provinces, or -1 for the tension-trend area
    template: int = 0  # which of the category's templates naming a place (parallel by language)


EVENTS: tuple[Event, ...] = (
    # name, days ago, local hour, category, reports, over hours, province, template
    Event("raid-1", 170, 5, "violence_incident", 18, 6, 1, 0),
    Event("cholera", 151, 9, "need_health", 22, 10, 2, 0),
    Event("threat-letter", 131, 7, "security_threat", 12, 8, 0, 2),
    Event("vaccine-rumour", 115, 10, "rumour", 15, 9, 1, 2),
    Event("raid-2", 98, 4, "violence_incident", 28, 7, 2, 0),
    Event("convoy-accident", 84, 14, "conduct_complaint", 10, 5, 0, 0),
    Event("water-point", 70, 8, "tension_dispute", 9, 6, 1, 1),
    Event("checkpoint", 55, 6, "security_threat", 14, 8, 2, 1),
    Event("floods", 40, 16, "need_shelter", 16, 10, 1, 1),
    Event("trend-attack", 20, 3, "violence_incident", 40, 8, -1, 0),
    Event("sea-camp", 12, 10, "sea", 4, 6, 0, 0),
    Event("kidnapping", 6, 17, "violence_incident", 22, 6, 2, 1),
    Event("armed-movement", 2, 6, "security_threat", 12, 7, 0, 0),
    Event("dry-well", 1, 8, "need_water", 8, 8, 1, 2),
)
TREND_START_DAYS_AGO = 90  # tension rises in one area from here until the attack
TREND_ATTACK = "trend-attack"


@dataclass(frozen=True)
class PlannedMessage:
    """One demo message as a gateway would deliver it, and the truth behind it."""

    key: int
    channel: str
    seconds_ago: int
    body: str
    phone: str
    provider_message_id: str
    sent_delay: int | None = None  # seconds between sending and receipt, when the gateway says
    latitude: float | None = None
    longitude: float | None = None
    given_place: str = ""
    given_language: str = ""
    extra: tuple[tuple[str, str], ...] = ()
    category: str = "other"  # the truth: what the template is about
    urgency: str = ROUTINE
    language: str = "en"
    event: str = ""
    place_unit: str = ""  # P-code of the unit the message is about ("" when it names none)

    @property
    def is_spam(self) -> bool:
        return self.category == SPAM

    @property
    def stored_category(self) -> str:
        """The taxonomy code (spam is "other", marked spam by staff)."""
        return "other" if self.is_spam else self.category

    def received_at(self, now: datetime) -> datetime:
        return now - timedelta(seconds=self.seconds_ago)

    def sent_at(self, now: datetime) -> datetime | None:
        if self.sent_delay is None:
            return None
        return self.received_at(now) - timedelta(seconds=self.sent_delay)


@dataclass(frozen=True)
class _Reporter:
    phone: str  # E.164
    language: str
    province: int
    territory: str
    sms_channel: str


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _provider_id(channel: str, key: int, seed: int) -> str:
    digest = hashlib.sha256(f"palava-demo-message:{seed}:{key}".encode()).hexdigest()
    if channel == CHANNEL_TWILIO:
        return "SM" + digest[:32]
    if channel == CHANNEL_WEBFORM:
        return "web-" + digest[:32]
    hyphenated = str(uuid.UUID(digest[:32]))
    if channel == CHANNEL_HOTLINE:
        return "hotline-" + hyphenated
    if channel == CHANNEL_AT:
        return "ATXid_" + digest[:32]
    return hyphenated


def _human_phone(phone: str, rng: random.Random) -> str:
    """How people type their number in a form: spaces, a 00 prefix."""
    digits = phone.removeprefix("+")
    style = rng.random()
    if style < 0.5:
        return f"+{digits[:3]} {digits[3:6]} {digits[6:9]} {digits[9:]}"
    if style < 0.7:
        return "00" + digits
    return phone


class _Planner:
    def __init__(self, places: list[DemoPlace], seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not security
        self.seed = seed
        self.places = places
        self.provinces = sorted({p.province for p in places})
        self.by_territory: dict[str, list[DemoPlace]] = {}
        self.by_province: dict[str, list[DemoPlace]] = {}
        for place in places:
            self.by_territory.setdefault(place.territory, []).append(place)
            self.by_province.setdefault(place.province, []).append(place)
        self.territories = sorted(self.by_territory)
        self.messages: list[PlannedMessage] = []
        self.reporters = self._reporters()
        # A few community relays write every week, many people once or twice.
        self.weights = [1.0 / (i + 10) ** 1.1 for i in range(len(self.reporters))]

    # -- who writes ------------------------------------------------------------------------

    def _reporters(self) -> list[_Reporter]:
        rng = self.rng
        out: list[_Reporter] = []
        seen: set[str] = set()
        while len(out) < REPORTERS:
            phone = f"{FICTIONAL_PHONE_PREFIX}97{rng.randint(0, 9)}{rng.randint(0, 999_999):06d}"
            if phone in seen:
                continue
            seen.add(phone)
            territory = rng.choice(self.territories)
            province = self.provinces.index(self.by_territory[territory][0].province)
            languages = PROVINCE_LANGUAGES[province % len(PROVINCE_LANGUAGES)]
            sms = _weighted(rng, {CHANNEL_TWILIO: 4, CHANNEL_AT: 5, CHANNEL_GENERIC: 2.5})
            out.append(_Reporter(phone, _weighted(rng, languages), province, territory, sms))
        return out

    def _reporter(self, province: int | None = None) -> _Reporter:
        for _attempt in range(50):
            reporter = self.rng.choices(self.reporters, weights=self.weights)[0]
            if province is None or reporter.province == province:
                return reporter
        candidates = [r for r in self.reporters if r.province == province] or self.reporters
        return self.rng.choice(candidates)

    # -- what about ------------------------------------------------------------------------

    def _place_near(self, reporter: _Reporter) -> DemoPlace:
        roll = self.rng.random()
        if roll < 0.8:
            pool = self.by_territory[reporter.territory]
        elif roll < 0.95:
            pool = self.by_province[self.provinces[reporter.province]]
        else:
            pool = self.places
        return self.rng.choice(pool)

    def _second_place(self, place: DemoPlace) -> DemoPlace:
        pool = [p for p in self.by_territory[place.territory] if p.name != place.name]
        return self.rng.choice(pool or self.places)

    # -- when --------------------------------------------------------------------------------

    def _seconds_ago(self, now_local: datetime, days_ago: int, hour: float) -> int:
        midnight = now_local.replace(hour=0, minute=0, second=0, microsecond=0)
        moment = midnight - timedelta(days=days_ago) + timedelta(hours=hour)
        seconds = int((now_local - moment).total_seconds())
        return seconds if seconds > 0 else seconds + 86_400

    def _day_weights(self, now_local: datetime) -> list[float]:
        weights = []
        for days_ago in range(DAYS):
            weekday = (now_local - timedelta(days=days_ago)).weekday()
            growth = 0.75 + 0.5 * (DAYS - days_ago) / DAYS  # the line becomes better known
            weights.append(growth * WEEKDAY_FACTOR[weekday])
        return weights

    # -- one message --------------------------------------------------------------------------

    def add(
        self,
        *,
        reporter: _Reporter,
        category: str,
        seconds_ago: int,
        place: DemoPlace | None,
        event: str = "",
        template: Template | None = None,
        n: int | None = None,
        channel: str | None = None,
    ) -> None:
        rng = self.rng
        language = reporter.language
        if template is None:
            choices = templates_for(category, language)
            if place is None:
                choices = tuple(t for t in choices if not t.has_place) or choices
            template = rng.choice(choices)
        if channel is None:
            roll = rng.random()
            channel = (
                CHANNEL_WEBFORM if roll < 0.11 else CHANNEL_HOTLINE if roll < 0.22 else None
            ) or reporter.sms_channel
        if category == SPAM:
            channel = rng.choice((CHANNEL_TWILIO, CHANNEL_AT, CHANNEL_GENERIC))
        key = len(self.messages)
        named = place is not None and template.has_place and rng.random() > 0.06
        mention = place.mention(rng) if named and place else ""
        second = self._second_place(place).mention(rng) if place else ""
        # Hotline notes are written by staff: no SMS shorthand.
        rough = channel != CHANNEL_HOTLINE
        body = compose(template, rng, place=mention, place2=second, n=n, rough=rough).text
        phone, latitude, longitude, given_place = reporter.phone, None, None, ""
        given_language, sent_delay = "", None
        extra: dict[str, str] = {}
        if channel == CHANNEL_TWILIO:
            extra = {"To": "+999970000100", "NumSegments": "2" if len(body) > 160 else "1"}
        elif channel == CHANNEL_AT:
            sent_delay = rng.randint(2, 90) if rng.random() > 0.03 else rng.randint(3600, 14400)
            extra = {"to": "4040", "networkCode": rng.choice(("63001", "63002", "63089"))}
        elif channel == CHANNEL_GENERIC:
            sent_delay = rng.randint(1, 40)
            given_language = language if rng.random() < 0.3 else ""
        elif channel == CHANNEL_WEBFORM:
            phone = _human_phone(phone, rng) if rng.random() < 0.4 else ""
            given_language = language if language in ("en", "fr", "ar") else "fr"
            if place is not None and rng.random() < 0.5:
                given_place = place.name
            if place is not None and place.latitude is not None and rng.random() < 0.55:
                latitude = round(place.latitude + rng.uniform(-0.004, 0.004), 5)
                longitude = round((place.longitude or 0) + rng.uniform(-0.004, 0.004), 5)
            extra = {
                "page_language": given_language,
                "located_on_map": "yes" if latitude is not None else "no",
            }
        elif channel == CHANNEL_HOTLINE:
            phone = _human_phone(phone, rng)
            body = rng.choice(HOTLINE_PREFIX[language]) + body
            given_language = language
            if place is not None and rng.random() < 0.4:
                given_place = place.name
            extra = {"entry": "missed_call" if rng.random() < 0.6 else "call"}
        self.messages.append(
            PlannedMessage(
                key=key,
                channel=channel,
                seconds_ago=seconds_ago,
                body=body[:1500],
                phone=phone,
                provider_message_id=_provider_id(channel, key, self.seed),
                sent_delay=sent_delay,
                latitude=latitude,
                longitude=longitude,
                given_place=given_place,
                given_language=given_language,
                extra=tuple(sorted(extra.items())),
                category=category,
                urgency=template.urgency,
                language=template.language,
                event=event,
                place_unit=place.unit if place is not None and (named or given_place) else "",
            )
        )

    # -- the six months -----------------------------------------------------------------------

    def background(self, now_local: datetime, count: int) -> None:
        rng = self.rng
        day_weights = self._day_weights(now_local)
        days = rng.choices(range(DAYS), weights=day_weights, k=count)
        for days_ago in days:
            hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0] + rng.random()
            reporter = self._reporter()
            category = _weighted(rng, CATEGORY_WEIGHTS)
            place = None
            if category not in ("other", SPAM) and rng.random() > 0.04:
                place = self._place_near(reporter)
            self.add(
                reporter=reporter,
                category=category,
                seconds_ago=self._seconds_ago(now_local, days_ago, hour),
                place=place,
            )

    def trend_area(self) -> list[DemoPlace]:
        """Villages of one admin 3 unit of the first province (the liaison's)."""
        first = self.provinces[0]
        by_unit: dict[str, list[DemoPlace]] = {}
        for place in self.by_province[first]:
            if place.kind in ("village", "town"):
                by_unit.setdefault(place.unit, []).append(place)
        unit = max(sorted(by_unit), key=lambda u: len(by_unit[u]))
        return by_unit[unit]

    def trend(self, now_local: datetime) -> None:
        """Tension reports in one area, rising week after week until the attack."""
        rng = self.rng
        area = self.trend_area()
        attack = next(e for e in EVENTS if e.name == TREND_ATTACK)
        weeks = (TREND_START_DAYS_AGO - attack.days_ago) // 7
        for week in range(weeks):
            reports = round(1.2 * 1.45**week)
            for _ in range(reports):
                days_ago = TREND_START_DAYS_AGO - week * 7 - rng.randint(0, 6)
                category = "tension_dispute" if rng.random() < 0.75 else "security_threat"
                hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0] + rng.random()
                self.add(
                    reporter=self._reporter(0),
                    category=category,
                    seconds_ago=self._seconds_ago(now_local, max(days_ago, attack.days_ago), hour),
                    place=rng.choice(area),
                    event="trend",
                )

    def bursts(self, now_local: datetime) -> None:
        rng = self.rng
        for event in EVENTS:
            if event.province < 0:
                province_index = 0
                pool = self.trend_area()
            else:
                province_index = event.province % len(self.provinces)
                pool = [
                    p
                    for p in self.by_province[self.provinces[province_index]]
                    if p.kind in ("village", "town", "idp_camp")
                ]
            place = rng.choice(pool)
            n = rng.randint(3, 9)
            favourites: dict[str, Template] = {}
            for _ in range(event.reports):
                reporter = self._reporter(province_index)
                language = reporter.language
                if language not in favourites:
                    named = [t for t in templates_for(event.category, language) if t.has_place]
                    favourites[language] = named[event.template % len(named)]
                hour = event.hour + rng.uniform(0, event.span_hours)
                self.add(
                    reporter=reporter,
                    category=event.category,
                    seconds_ago=self._seconds_ago(now_local, event.days_ago, hour),
                    place=place,
                    event=event.name,
                    template=favourites[language],
                    n=max(3, n + rng.randint(-1, 1)),
                )


def demo_messages(
    places: list[DemoPlace], *, now: datetime, seed: int = SEED, background: int | None = None
) -> list[PlannedMessage]:
    """About 5,000 messages over the ``DAYS`` before ``now``: a weekly and daily rhythm, bursts
    of near-duplicate reports (clusters), and tension rising in one area before an attack.

    The texts, senders and provider ids depend only on ``places`` and ``seed``; the times are
    relative to ``now`` (local time in the demo's Africa/Lubumbashi zone decides the rhythm).
    """
    if not places:
        return []
    planner = _Planner(places, seed)
    now_local = now.astimezone(UTC) + LOCAL_UTC_OFFSET
    planner.background(now_local, BACKGROUND_MESSAGES if background is None else background)
    planner.trend(now_local)
    planner.bursts(now_local)
    return planner.messages
