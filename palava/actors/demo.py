"""Demo actors: about 500 fictional people, organisations and groups in the demo geography.

Generated from a fixed seed on top of ``palava.places.demo`` (nothing is read from disk):
chiefs, religious leaders, women's and youth groups, civil society organisations, local
officials, security actors, displaced people's representatives, traders' associations and a
few armed-group figures (strictly confidential, the model's default for that type), with
influence and stances spread over the grid, about 700 typed and dated relationships, consent
records, and a handful of deliberate near-duplicates (``Mohamed`` / ``Mohammed``,
``Jean-Pierre`` / ``Jean Pierre``, same phone) so the duplicates page has work to show.

Phone numbers are invented in the ``+999`` country code, which the ITU keeps unassigned, so
none can reach a real subscriber; they are stored encrypted by the model (``actor_set_contact``)
and never printed. Everything goes through the actors services (one audit row each).

Idempotent: an actor is found again by its name and type in the mission (merged and inactive
ones included), a relationship by its two ends and kind, and consents are recorded only for an
actor that has none.
"""

from __future__ import annotations

import functools
import itertools
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from palava.accounts.models import User
from palava.actors.models import (
    SYMMETRIC_KINDS,
    Actor,
    ActorKind,
    ActorType,
    Confidence,
    Consent,
    ConsentMethod,
    ConsentPurpose,
    Gender,
    RecordSensitivity,
    Relationship,
    RelationshipKind,
)
from palava.actors.services import (
    actor_create,
    actor_set_contact,
    consent_record,
    consent_withdraw,
    relationship_create,
)
from palava.core.demo import Output, demo_loader
from palava.missions.models import Mission, Role
from palava.places.demo import PlannedUnit, demo_geography
from palava.places.models import AdminUnit, Site, SiteKind

DEMO_ACTOR = "system:demo"
SEED = 20_260_302
FICTIONAL_PHONE_PREFIX = "+999"  # an ITU country code that is not assigned: no real subscriber

_MALE = (
    "Jean-Pierre", "Faustin", "Pascal", "Emmanuel", "Innocent", "Désiré", "Patrick", "Justin",
    "Bienvenu", "Alphonse", "Janvier", "Dieudonné", "Moïse", "Salumu", "Amani", "Kambale",
    "Paluku", "Ibrahim", "Issa", "Hamisi", "Gaston", "Célestin", "Augustin", "Modeste",
)  # fmt: skip
_FEMALE = (
    "Marie", "Joséphine", "Espérance", "Furaha", "Neema", "Aline", "Solange", "Chantal",
    "Jeanne", "Sifa", "Zawadi", "Kavira", "Masika", "Kahindo", "Mapendo", "Aïsha", "Fatuma",
    "Riziki", "Béatrice", "Claudine",
)  # fmt: skip
_SYLLABLES = (
    "ba", "bi", "bo", "ka", "ke", "ki", "ko", "ku", "la", "le", "li", "lu", "ma", "mi", "mu",
    "na", "ni", "nu", "sa", "se", "si", "su", "ta", "ti", "tu", "wa", "ya", "mba", "mbu",
    "nda", "ndo", "nga", "nyi", "sha", "kwa", "mwa", "hi", "he", "re", "ro",
)  # fmt: skip
_YOUTH = ("unie", "active", "pour la paix")
_CSO_HEAD = ("Action", "Solidarité", "Initiative", "Réseau")
_CSO_TAIL = ("paysanne", "pour le développement", "pour la paix", "citoyenne")


@dataclass(frozen=True)
class PlannedActor:
    key: str  # a stable handle inside the plan, never stored
    kind: str
    actor_type: str
    name: str
    unit: str  # P-code of the main place
    title: str = ""
    gender: str = ""
    site: str | None = None
    languages: tuple[str, ...] = ("fr", "sw")
    influence: int | None = None
    stance_peace_process: int | None = None
    stance_mission: int | None = None
    sensitivity: int | None = None
    alt_names: tuple[str, ...] = ()
    phone: str | None = None
    consent: tuple[str, ...] = ()
    consent_withdrawn: bool = False
    notes: str = ""


@dataclass(frozen=True)
class PlannedRelationship:
    source: str
    target: str
    kind: str
    start_date: date | None = None
    end_date: date | None = None
    confidence: str = Confidence.MEDIUM
    information_source: str = ""


@dataclass(frozen=True)
class DemoActors:
    actors: tuple[PlannedActor, ...]
    relationships: tuple[PlannedRelationship, ...] = field(default_factory=tuple)

    def by_key(self) -> dict[str, PlannedActor]:
        return {a.key: a for a in self.actors}


class _People:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()
        self.phones: set[str] = set()

    def surname(self) -> str:
        count = self.rng.choice((2, 3, 3))
        return "".join(self.rng.choice(_SYLLABLES) for _ in range(count)).capitalize()

    def person(self, gender: str = "") -> tuple[str, str]:
        gender = gender or self.rng.choice((Gender.MALE, Gender.MALE, Gender.FEMALE))
        while True:
            first = self.rng.choice(_FEMALE if gender == Gender.FEMALE else _MALE)
            name = f"{first} {self.surname()}"
            if name not in self.used:
                self.used.add(name)
                return name, gender

    def unique(self, name: str) -> str:
        candidate, n = name, 1
        while candidate in self.used:
            n += 1
            candidate = f"{name} {n}"
        self.used.add(candidate)
        return candidate

    def phone(self) -> str:
        while True:
            operator, line = self.rng.randint(81, 99), self.rng.randint(0, 999_9999)
            number = f"{FICTIONAL_PHONE_PREFIX} {operator} {line:07d}"
            if number not in self.phones:
                self.phones.add(number)
                return number


def _stance(rng: random.Random, lean: int = 0) -> int | None:
    if rng.random() < 0.12:
        return None
    return max(-2, min(2, lean + rng.choice((-1, 0, 0, 1, 1, 2, -2, 0))))


def _influence(rng: random.Random, low: int, high: int) -> int | None:
    return None if rng.random() < 0.05 else rng.randint(low, high)


@functools.cache
def demo_actors() -> DemoActors:
    """The planned demo actors and relationships (deterministic, no database)."""
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not security
    geo = demo_geography()
    people = _People(rng)
    actors: list[PlannedActor] = []
    rels: list[PlannedRelationship] = []

    def person(key: str, actor_type: str, unit: str, title: str, **kw: object) -> PlannedActor:
        gender = str(kw.pop("gender", ""))
        name, gender = people.person(gender)
        phone = people.phone() if rng.random() < 0.6 else None
        consent: tuple[str, ...] = ()
        if phone and rng.random() < 0.55:
            consent = (ConsentPurpose.STORE_CONTACT, ConsentPurpose.CONTACT_PHONE)
            if rng.random() < 0.4:
                consent += (ConsentPurpose.QUOTE_ANONYMOUSLY,)
        planned = PlannedActor(
            key=key,
            kind=ActorKind.PERSON,
            actor_type=actor_type,
            name=name,
            unit=unit,
            title=title,
            gender=gender,
            phone=phone,
            consent=consent,
            consent_withdrawn=bool(consent) and rng.random() < 0.05,
            **kw,  # type: ignore[arg-type]
        )
        actors.append(planned)
        return planned

    def group(
        key: str, kind: str, actor_type: str, unit: str, name: str, **kw: object
    ) -> PlannedActor:
        planned = PlannedActor(
            key=key,
            kind=kind,
            actor_type=actor_type,
            name=people.unique(name),
            unit=unit,
            **kw,  # type: ignore[arg-type]
        )
        actors.append(planned)
        return planned

    def rel(source: PlannedActor, target: PlannedActor, kind: str, **kw: object) -> None:
        if source.key == target.key:
            return
        start = date(rng.randint(2012, 2024), rng.randint(1, 12), 1)
        rels.append(
            PlannedRelationship(
                source=source.key,
                target=target.key,
                kind=kind,
                start_date=start,
                confidence=rng.choice(
                    (Confidence.LOW, Confidence.MEDIUM, Confidence.MEDIUM, Confidence.HIGH)
                ),
                **kw,  # type: ignore[arg-type]
            )
        )

    units = {u.pcode: u for u in geo.units}
    children: dict[str, list[PlannedUnit]] = {}
    for unit in geo.units:
        if unit.parent:
            children.setdefault(unit.parent, []).append(unit)

    for province in geo.units_at(1):
        p = province.pcode
        governor = person(
            f"gov-{p}",
            ActorType.LOCAL_OFFICIAL,
            p,
            "Gouverneur de province",
            influence=5,
            stance_peace_process=1,
            stance_mission=rng.choice((0, 1)),
            sensitivity=int(RecordSensitivity.PUBLIC),
        )
        coordination = group(
            f"cso-coord-{p}",
            ActorKind.ORGANISATION,
            ActorType.CIVIL_SOCIETY,
            p,
            f"Coordination provinciale de la société civile de {province.name}",
            influence=4,
            stance_peace_process=2,
            stance_mission=1,
            sensitivity=int(RecordSensitivity.PUBLIC),
            languages=("fr", "sw", "en"),
        )
        bishop = person(
            f"bishop-{p}",
            ActorType.RELIGIOUS_LEADER,
            p,
            "Évêque",
            gender=Gender.MALE,
            influence=5,
            stance_peace_process=2,
            stance_mission=_stance(rng, 1),
        )
        rel(bishop, governor, RelationshipKind.RELATED_TO, information_source="Open source")

        # A few armed-group figures per province: strictly confidential (the type's default).
        for n in range(1, 4):
            host = rng.choice(children[p])
            armed_group = f"Forces d'autodéfense de {host.name}"
            figure = person(
                f"armed-{p}-{n}",
                ActorType.ARMED_GROUP_FIGURE,
                host.pcode,
                f"Commandant, {armed_group}",
                gender=Gender.MALE,
                influence=rng.randint(3, 5),
                stance_peace_process=rng.choice((-2, -1, -1, 0)),
                stance_mission=rng.choice((-2, -2, -1)),
                alt_names=(f"« {armed_group} »",),
                notes="Reported presence; details in the security cell's files.",
            )
            rel(
                figure,
                governor,
                RelationshipKind.IN_DISPUTE_WITH,
                information_source="Patrol report",
            )

        for territory in children[p]:
            t = territory.pcode
            admin = person(
                f"admin-{t}",
                ActorType.LOCAL_OFFICIAL,
                t,
                "Administrateur du territoire",
                influence=rng.randint(3, 5),
                stance_peace_process=_stance(rng, 1),
                stance_mission=_stance(rng),
            )
            police = person(
                f"police-{t}",
                ActorType.SECURITY_ACTOR,
                t,
                "Commandant de la police territoriale",
                influence=rng.randint(2, 4),
                stance_peace_process=_stance(rng),
                stance_mission=_stance(rng),
                sensitivity=int(RecordSensitivity.CONFIDENTIAL),
            )
            army = person(
                f"army-{t}",
                ActorType.SECURITY_ACTOR,
                t,
                "Commandant de secteur",
                gender=Gender.MALE,
                influence=rng.randint(3, 5),
                stance_peace_process=_stance(rng),
                stance_mission=_stance(rng),
                sensitivity=int(RecordSensitivity.CONFIDENTIAL),
            )
            council = group(
                f"council-{t}",
                ActorKind.GROUP,
                ActorType.OTHER,
                t,
                f"Conseil territorial de sécurité de {territory.name}",
                influence=4,
                stance_peace_process=1,
                stance_mission=_stance(rng, 1),
            )
            rel(admin, council, RelationshipKind.LEADS)
            rel(police, council, RelationshipKind.MEMBER_OF)
            rel(army, council, RelationshipKind.MEMBER_OF)
            rel(admin, governor, RelationshipKind.REPRESENTS)

            chiefs: list[PlannedActor] = []
            religious: list[PlannedActor] = []
            groups: list[PlannedActor] = []
            for chiefdom in children[t]:
                c = chiefdom.pcode
                chief_title = rng.choice(("Mwami", "Chef de groupement", "Chef de chefferie"))
                chief = person(
                    f"chief-{c}",
                    ActorType.TRADITIONAL_AUTHORITY,
                    c,
                    chief_title,
                    gender=rng.choice((Gender.MALE,) * 9 + (Gender.FEMALE,)),
                    influence=rng.randint(3, 5),
                    stance_peace_process=_stance(rng),
                    stance_mission=_stance(rng),
                    languages=("sw", "fr"),
                )
                chiefs.append(chief)
                rel(chief, council, RelationshipKind.MEMBER_OF)
                faith = rng.choice(("Pasteur", "Pasteur", "Abbé", "Imam"))
                leader = person(
                    f"religious-{c}",
                    ActorType.RELIGIOUS_LEADER,
                    c,
                    faith,
                    gender=Gender.MALE,
                    influence=rng.randint(2, 5),
                    stance_peace_process=_stance(rng, 1),
                    stance_mission=_stance(rng),
                )
                religious.append(leader)
                if rng.random() < 0.5:
                    rel(leader, chief, RelationshipKind.ALLIED_WITH)
                women = group(
                    f"women-{c}",
                    ActorKind.GROUP,
                    ActorType.WOMENS_GROUP,
                    c,
                    f"Association des femmes de {chiefdom.name}",
                    influence=rng.randint(1, 4),
                    stance_peace_process=_stance(rng, 1),
                    stance_mission=_stance(rng, 1),
                )
                groups.append(women)
                rel(women, coordination, RelationshipKind.MEMBER_OF)
                if rng.random() < 0.35:
                    president = person(
                        f"women-lead-{c}",
                        ActorType.WOMENS_GROUP,
                        c,
                        "Présidente",
                        gender=Gender.FEMALE,
                        influence=rng.randint(2, 4),
                        stance_peace_process=_stance(rng, 1),
                        stance_mission=_stance(rng),
                    )
                    rel(president, women, RelationshipKind.LEADS)
                if rng.random() < 0.5:
                    youth = group(
                        f"youth-{c}",
                        ActorKind.GROUP,
                        ActorType.YOUTH_GROUP,
                        c,
                        f"Jeunesse {rng.choice(_YOUTH)} de {chiefdom.name}",
                        influence=rng.randint(1, 4),
                        stance_peace_process=_stance(rng),
                        stance_mission=_stance(rng, -1),
                    )
                    groups.append(youth)
                    rel(youth, coordination, RelationshipKind.MEMBER_OF)
                    if rng.random() < 0.5:
                        youth_leader = person(
                            f"youth-lead-{c}",
                            ActorType.YOUTH_GROUP,
                            c,
                            "Président des jeunes",
                            influence=rng.randint(1, 3),
                            stance_peace_process=_stance(rng),
                            stance_mission=_stance(rng, -1),
                        )
                        rel(youth_leader, youth, RelationshipKind.LEADS)
                if rng.random() < 0.3:
                    cso = group(
                        f"cso-{c}",
                        ActorKind.ORGANISATION,
                        ActorType.CIVIL_SOCIETY,
                        c,
                        f"{rng.choice(_CSO_HEAD)} {rng.choice(_CSO_TAIL)} de {chiefdom.name}",
                        influence=rng.randint(1, 4),
                        stance_peace_process=_stance(rng, 1),
                        stance_mission=_stance(rng),
                        languages=("fr", "sw", "en"),
                    )
                    groups.append(cso)
                    rel(cso, coordination, RelationshipKind.MEMBER_OF)
                    rel(leader, cso, RelationshipKind.MEMBER_OF)

            # Land and chieftaincy disputes between neighbouring chiefs, mediated by clergy.
            for a, b in itertools.pairwise(chiefs):
                if rng.random() < 0.45:
                    rel(a, b, RelationshipKind.IN_DISPUTE_WITH, information_source="Dialogue forum")
                    mediator = rng.choice(religious)
                    rel(mediator, a, RelationshipKind.MEDIATES_BETWEEN)
                    rel(mediator, b, RelationshipKind.MEDIATES_BETWEEN)
                elif rng.random() < 0.5:
                    ended = rng.random() < 0.25
                    rel(
                        a,
                        b,
                        RelationshipKind.ALLIED_WITH,
                        end_date=date(2025, rng.randint(1, 6), 1) if ended else None,
                    )
            for _pair in range(5):
                a, b = rng.sample(groups, 2)
                rel(a, b, RelationshipKind.ALLIED_WITH)
            for _pair in range(4):
                a, b = rng.sample(chiefs + religious, 2)
                rel(a, b, RelationshipKind.RELATED_TO, information_source="Community members")

    # Displaced people's representatives and traders at markets, placed at their sites.
    for site in geo.sites:
        if site.kind == SiteKind.IDP_CAMP:
            person(
                f"idp-{site.code}",
                ActorType.DISPLACED_REPRESENTATIVE,
                site.unit,
                "Président du comité des déplacés",
                site=site.code,
                influence=rng.randint(1, 3),
                stance_peace_process=_stance(rng),
                stance_mission=_stance(rng, 1),
            )
        elif site.kind == SiteKind.MARKET:
            group(
                f"traders-{site.code}",
                ActorKind.ORGANISATION,
                ActorType.BUSINESS,
                site.unit,
                f"Association des commerçants du {site.name[0].lower()}{site.name[1:]}",
                site=site.code,
                influence=rng.randint(1, 3),
                stance_peace_process=_stance(rng),
                stance_mission=_stance(rng),
            )

    actors.extend(_near_duplicates(rng, people, actors, units))
    rels = _dedupe(rels)
    return DemoActors(actors=tuple(actors), relationships=tuple(rels))


def _near_duplicates(
    rng: random.Random,
    people: _People,
    actors: list[PlannedActor],
    units: dict[str, PlannedUnit],
) -> list[PlannedActor]:
    """Pairs a registry kept by several teams really holds: one spelling each, same place."""
    variants = (
        ("Mohamed", "Mohammed"),
        ("Jean-Pierre", "Jean Pierre"),
        ("Muhammad", "Mohamed"),
        ("Joséphine", "Josephine"),
        ("Espérance", "Esperance"),
    )
    chiefdoms = sorted(p for p, u in units.items() if u.level == 3)
    extra: list[PlannedActor] = []
    for n, (first, variant) in enumerate(variants, start=1):
        unit = rng.choice(chiefdoms)
        surname = people.surname()
        gender = Gender.FEMALE if first in ("Joséphine", "Espérance") else Gender.MALE
        phone = people.phone()
        common = {
            "kind": ActorKind.PERSON,
            "actor_type": ActorType.CIVIL_SOCIETY if n % 2 else ActorType.RELIGIOUS_LEADER,
            "unit": unit,
            "gender": gender,
            "influence": rng.randint(2, 4),
            "stance_peace_process": 1,
        }
        extra.append(
            PlannedActor(
                key=f"dup-{n}-a",
                name=people.unique(f"{first} {surname}"),
                phone=phone,
                title="Point focal",
                **common,  # type: ignore[arg-type]
            )
        )
        extra.append(
            PlannedActor(
                key=f"dup-{n}-b",
                name=people.unique(f"{variant} {surname}"),
                # Every other pair shares the phone number (the same pseudonym).
                phone=phone if n % 2 else people.phone(),
                **common,  # type: ignore[arg-type]
            )
        )
    women = next(a for a in actors if a.actor_type == ActorType.WOMENS_GROUP)
    extra.append(
        PlannedActor(
            key="dup-org",
            kind=women.kind,
            actor_type=women.actor_type,
            name=people.unique(women.name.replace("Association des femmes", "Assoc. des Femmes")),
            unit=women.unit,
            influence=women.influence,
        )
    )
    return extra


def _dedupe(rels: list[PlannedRelationship]) -> list[PlannedRelationship]:
    seen: set[tuple[str, str, str]] = set()
    out: list[PlannedRelationship] = []
    for rel in rels:
        ends = (rel.source, rel.target)
        if rel.kind in SYMMETRIC_KINDS:
            ends = (min(ends), max(ends))
        key = (*ends, rel.kind)
        if key not in seen:
            seen.add(key)
            out.append(rel)
    return out


# --- The loader ------------------------------------------------------------------------------


@demo_loader(order=300)
def load_actors(mission: Mission, users: dict[str, User], stdout: Output) -> None:
    """Create what is missing of the demo actors in ``mission`` (idempotent)."""
    plan = demo_actors()
    units = {u.pcode: u for u in AdminUnit.objects.filter(mission=mission)}
    sites = {s.code: s for s in Site.objects.filter(mission=mission)}
    officer = users.get(Role.OFFICER)
    existing = {(a.name, a.actor_type): a for a in Actor.objects.filter(mission=mission)}
    records: dict[str, Actor] = {}
    created = consents = relationships = 0
    base_time = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)

    for index, planned in enumerate(plan.actors):
        record = existing.get((planned.name, planned.actor_type))
        if record is None:
            record = actor_create(
                actor=DEMO_ACTOR,
                mission=mission,
                kind=planned.kind,
                actor_type=planned.actor_type,
                name=planned.name,
                alt_names=planned.alt_names,
                gender=planned.gender,
                title=planned.title,
                admin_unit=units.get(planned.unit),
                site=sites.get(planned.site) if planned.site else None,
                languages=planned.languages,
                influence=planned.influence,
                stance_peace_process=planned.stance_peace_process,
                stance_mission=planned.stance_mission,
                sensitivity=planned.sensitivity,
                notes=planned.notes,
            )
            created += 1
            if planned.phone:
                record = actor_set_contact(actor=DEMO_ACTOR, record=record, phone=planned.phone)
        records[planned.key] = record
        if planned.consent and not Consent.objects.filter(actor=record).exists():
            given = base_time + timedelta(days=index % 200, hours=index % 7)
            consent = consent_record(
                actor=officer,
                record=record,
                purposes=planned.consent,
                method=ConsentMethod.VERBAL if index % 3 else ConsentMethod.WRITTEN,
                given_at=given,
                details="Agreed during a field visit; explained in Swahili.",
            )
            consents += 1
            if planned.consent_withdrawn:
                consent_withdraw(
                    actor=officer,
                    consent=consent,
                    reason="Asked not to be called any more.",
                    withdrawn_at=given + timedelta(days=60),
                )

    known = {
        (r.source_id, r.target_id, r.kind)
        for r in Relationship.objects.filter(mission=mission).only("source", "target", "kind")
    }
    for planned_rel in plan.relationships:
        source, target = records[planned_rel.source], records[planned_rel.target]
        pair = (source.pk, target.pk)
        if planned_rel.kind in SYMMETRIC_KINDS:
            pair = (min(pair), max(pair))
        if (*pair, planned_rel.kind) in known or not (source.is_active and target.is_active):
            continue
        relationship_create(
            actor=DEMO_ACTOR,
            source=source,
            target=target,
            kind=planned_rel.kind,
            start_date=planned_rel.start_date,
            end_date=planned_rel.end_date,
            confidence=planned_rel.confidence,
            information_source=planned_rel.information_source,
        )
        relationships += 1
    stdout.write(
        f"actors: {created} actors, {consents} consent records and {relationships} "
        "relationships created\n"
    )
