"""Knowledge base pages: reading by role, scope, clearance and language; writing, reviewing,
retiring and translating entries through the forms; hostile form input."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from palava.actors.models import RecordSensitivity
from palava.audit.models import AuditEvent
from palava.context.knowledge_services import (
    entry_create,
    entry_review,
    entry_update,
    translation_set,
)
from palava.context.knowledge_text import language_name, text_direction, word_diff
from palava.context.models import EntryStatus, KnowledgeEntry, KnowledgeTranslation, Topic
from palava.missions.models import Membership, Mission, Role
from palava.places.models import AdminUnit, Site
from palava.places.services import membership_scope_set
from tests.factories import ActorFactory, AdminUnitFactory, MembershipFactory, SiteFactory

pytestmark = pytest.mark.django_db

ALL_ROLES = [
    Role.ADMIN,
    Role.MANAGER,
    Role.OFFICER,
    Role.LIAISON,
    Role.ANALYST,
    Role.PARTNER,
    Role.VIEWER,
]


@dataclass
class World:
    mission: Mission
    country: AdminUnit
    north: AdminUnit
    south: AdminUnit
    town: AdminUnit
    village: Site
    author: Membership
    reviewer: Membership


def _world(mission: Mission) -> World:
    country = AdminUnitFactory(mission=mission, pcode="KC", name="Kivuland", level=0)
    north = AdminUnitFactory(mission=mission, parent=country, pcode="KC01", name="Nord Province")
    south = AdminUnitFactory(mission=mission, parent=country, pcode="KC02", name="Sud Province")
    town = AdminUnitFactory(mission=mission, parent=north, pcode="KC0101", name="Rutshuru")
    village = SiteFactory(admin_unit=town, code="KC0101S1", name="Kiwanja")
    author = MembershipFactory(mission=mission, role=Role.LIAISON)
    reviewer = MembershipFactory(mission=mission, role=Role.MANAGER)
    return World(mission, country, north, south, town, village, author, reviewer)


def _entry(
    world: World,
    *,
    title: str = "Greet the mwami first",
    topic: str = Topic.CUSTOMS,
    place: AdminUnit | Site | None = None,
    sensitivity: int = RecordSensitivity.INTERNAL,
    language: str = "en",
    reviewed: bool = True,
    body: str = "Greet the **customary chief** before anyone else.",
    source: str = "Liaison assistant notes, March",
    valid_until: dt.date | None = None,
) -> KnowledgeEntry:
    target = place if place is not None else world.north
    entry = entry_create(
        actor=world.author.user,
        membership=world.author,
        topic=topic,
        title=title,
        body=body,
        language=language,
        sensitivity=sensitivity,
        source=source,
        admin_unit=target if isinstance(target, AdminUnit) else None,
        site=target if isinstance(target, Site) else None,
        valid_until=valid_until,
        submit=reviewed,
    )
    if reviewed:
        entry = entry_review(
            actor=world.reviewer.user, membership=world.reviewer, entry=entry, approve=True
        )
    return entry


def _u(name: str, mission: Mission, **kwargs: Any) -> str:
    return reverse(f"context:{name}", kwargs={"mission_slug": mission.slug, **kwargs})


def _client(client_for: Any, membership: Membership) -> Any:
    return client_for(membership.user)


# --- Reading ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_reads_home_place_site_entry_history_queue_and_stale(
    mission: Mission, client_for: Any, role: str
) -> None:
    world = _world(mission)
    entry = _entry(world)
    client = client_for(MembershipFactory(mission=mission, role=role).user)

    pages = [
        _u("home", mission),
        _u("place", mission, pcode="KC0101"),
        _u("site", mission, site_code="KC0101S1"),
        _u("entry", mission, entry_id=entry.public_id),
        _u("entry_history", mission, entry_id=entry.public_id),
        _u("review_queue", mission),
        _u("stale", mission),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
    home = client.get(_u("home", mission)).content.decode()
    assert "Greet the mwami first" in home
    can_edit = role in (Role.ADMIN, Role.MANAGER, Role.OFFICER, Role.LIAISON)
    assert ("Write an entry" in home) is can_edit
    detail = client.get(_u("entry", mission, entry_id=entry.public_id)).content.decode()
    assert ("Retire this entry" in detail) is can_edit


def test_home_shows_topic_counts_per_province_and_the_badges(
    mission: Mission, client_for: Any
) -> None:
    world = _world(mission)
    _entry(world, topic=Topic.CUSTOMS)
    _entry(world, title="Market etiquette", topic=Topic.CUSTOMS, place=world.town)
    _entry(world, title="Draft on security", topic=Topic.SECURITY, reviewed=False)

    page = _client(client_for, world.reviewer).get(_u("home", mission)).content.decode()

    assert "Places of Kivuland" in page
    assert "Customs and etiquette · 2" in page
    assert "Security notes · 1" in page
    assert "1 stale entry" in page
    assert _u("place", mission, pcode="KC01") in page
    assert _u("place", mission, pcode="KC02") in page


def test_home_empty_state_tells_how_to_start(mission: Mission, client_for: Any) -> None:
    world = _world(mission)

    editor = _client(client_for, world.author).get(_u("home", mission)).content.decode()
    viewer = client_for(MembershipFactory(mission=mission, role=Role.VIEWER).user)
    reader = viewer.get(_u("home", mission)).content.decode()

    assert "The knowledge base is empty" in editor
    assert "write a first entry" in editor
    assert "write a first entry" not in reader


def test_home_filters_by_place_topic_and_words(mission: Mission, client_for: Any) -> None:
    world = _world(mission)
    _entry(world, title="Northern greetings", topic=Topic.LANGUAGES)
    _entry(world, title="Southern market", topic=Topic.ASSETS, place=world.south)
    client = _client(client_for, world.reviewer)

    by_place = client.get(_u("home", mission), {"place": "KC02"}).content.decode()
    by_topic = client.get(_u("home", mission), {"topic": "languages"}).content.decode()
    by_words = client.get(_u("home", mission), {"q": "market"}).content.decode()
    hostile = client.get(_u("home", mission), {"topic": "<script>", "place": "x" * 500})

    assert "Southern market" in by_place
    assert "Northern greetings" not in by_place
    assert "Northern greetings" in by_topic
    assert "Southern market" not in by_topic
    assert "Southern market" in by_words
    assert "Northern greetings" not in by_words
    assert hostile.status_code == 200
    assert "<script>" not in hostile.content.decode().split("<main", 1)[1]


def test_place_page_groups_by_topic_and_marks_inherited_entries(
    mission: Mission, client_for: Any
) -> None:
    world = _world(mission)
    _entry(world, title="Province-wide custom", topic=Topic.CUSTOMS, place=world.north)
    _entry(world, title="Town leader", topic=Topic.LEADERSHIP, place=world.town)
    _entry(world, title="Southern custom", topic=Topic.CUSTOMS, place=world.south)
    client = _client(client_for, world.author)

    page = client.get(_u("place", mission, pcode="KC0101")).content.decode()
    site_page = client.get(_u("site", mission, site_code="KC0101S1")).content.decode()

    assert "Province-wide custom" in page
    assert "Town leader" in page
    assert "Southern custom" not in page
    assert "from Nord Province" in page
    assert page.index("Leadership structures") < page.index("Customs and etiquette")
    assert _u("site", mission, site_code="KC0101S1") in page
    assert _u("entry_create", mission) + "?unit=KC0101" in page
    assert "from Rutshuru" in site_page
    assert "from Nord Province" in site_page
    assert _u("entry_create", mission) + "?site=KC0101S1" in site_page


def test_place_page_uses_the_readers_language_and_flags_outdated_translations(
    mission: Mission, client_for: Any
) -> None:
    world = _world(mission)
    entry = _entry(world, title="Greet the elders", body="Greet the elders first.")
    translation_set(
        actor=world.author.user,
        membership=world.author,
        entry=entry,
        language="fr",
        title="Saluer les anciens",
        body="Saluez d'abord les anciens.",
    )
    client = _client(client_for, world.reviewer)
    url = _u("place", mission, pcode="KC01")

    french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Saluer les anciens" in french
    assert "Greet the elders" not in french
    assert "Greet the elders" in english
    assert "Saluer les anciens" not in english

    entry_update(
        actor=world.author.user, membership=world.author, entry=entry, body="Greet elders, then."
    )
    outdated = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Saluer les anciens" in outdated
    assert "lang-note is-stale" in outdated


def test_arabic_entry_is_right_to_left_and_noted_when_not_translated(
    mission: Mission, client_for: Any
) -> None:
    world = _world(mission)
    entry = _entry(world, title="تحية الشيوخ", body="سلّم على الشيوخ أولاً.", language="ar")
    client = _client(client_for, world.reviewer)

    english = client.get(_u("entry", mission, entry_id=entry.public_id)).content.decode()
    arabic_ui = client.get(
        _u("place", mission, pcode="KC01"), HTTP_ACCEPT_LANGUAGE="ar"
    ).content.decode()

    assert 'lang="ar" dir="rtl"' in english
    assert "no translation into English yet" in english
    assert re.search(r'<html lang="ar"\s+dir="rtl"', arabic_ui)
    assert "تحية الشيوخ" in arabic_ui


def test_entry_page_shows_source_only_from_confidential_clearance(
    mission: Mission, client_for: Any
) -> None:
    world = _world(mission)
    entry = _entry(world, source="Chief's council, meeting of 3 May")
    url = _u("entry", mission, entry_id=entry.public_id)
    actor = ActorFactory(mission=mission, name="Mwami Kahembe", admin_unit=world.north)
    entry_update(
        actor=world.author.user, membership=world.author, entry=entry, actors=[actor], note="x"
    )

    for role, sees in [(Role.OFFICER, True), (Role.PARTNER, False), (Role.VIEWER, False)]:
        client = client_for(MembershipFactory(mission=mission, role=role).user)
        page = client.get(url)
        if role != Role.OFFICER:
            # The edit sent the entry back to review: readers without edit rights lose it.
            assert page.status_code == 404
            continue
        text = page.content.decode()
        assert ("Chief&#x27;s council, meeting of 3 May" in text) is sees
        assert "Mwami Kahembe" in text
    entry_review(actor=world.reviewer.user, membership=world.reviewer, entry=entry, approve=True)
    for role in (Role.PARTNER, Role.VIEWER):
        client = client_for(MembershipFactory(mission=mission, role=role).user)
        text = client.get(url).content.decode()
        assert "meeting of 3 May" not in text
        history = client.get(_u("entry_history", mission, entry_id=entry.public_id))
        assert "meeting of 3 May" not in history.content.decode()


def test_hidden_entries_and_places_answer_404(mission: Mission, client_for: Any) -> None:
    world = _world(mission)
    secret = _entry(world, title="Armed group checkpoints", sensitivity=2)
    draft = _entry(world, title="Unchecked draft", reviewed=False)
    southern = _entry(world, title="Southern note", place=world.south)
    other = _world(MembershipFactory(role=Role.ADMIN).mission)
    foreign = _entry(other, title="Foreign entry")
    partner = client_for(MembershipFactory(mission=mission, role=Role.PARTNER).user)
    scoped = MembershipFactory(mission=mission, role=Role.LIAISON)
    membership_scope_set(actor=None, membership=scoped, units=[world.north])
    scoped_client = client_for(scoped.user)

    assert partner.get(_u("entry", mission, entry_id=secret.public_id)).status_code == 404
    assert partner.get(_u("entry", mission, entry_id=draft.public_id)).status_code == 404
    assert partner.get(_u("entry", mission, entry_id=foreign.public_id)).status_code == 404
    assert "Armed group" not in partner.get(_u("place", mission, pcode="KC01")).content.decode()
    assert scoped_client.get(_u("entry", mission, entry_id=southern.public_id)).status_code == 404
    assert scoped_client.get(_u("place", mission, pcode="KC02")).status_code == 404
    assert scoped_client.get(_u("place", mission, pcode="ZZ99")).status_code == 404
    assert scoped_client.get(_u("site", mission, site_code="nope")).status_code == 404
    for name in ("entry_edit", "entry_translate", "entry_history"):
        url = _u(name, mission, entry_id=southern.public_id)
        assert scoped_client.get(url).status_code == 404, name


# --- Writing ----------------------------------------------------------------------------------


def _form_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "place": "KC0101",
        "topic": Topic.DOS_DONTS,
        "title": "Do not photograph the market",
        "body": "Ask first.\n\n- never photograph women without consent",
        "language": "en",
        "sensitivity": "1",
        "source": "Market committee, visit of 4 June",
        "valid_until": "",
    }
    data.update(overrides)
    return data


def test_liaison_writes_an_entry_with_a_preset_place(mission: Mission, client_for: Any) -> None:
    world = _world(mission)
    actor = ActorFactory(mission=mission, name="Market committee chair", admin_unit=world.town)
    client = _client(client_for, world.author)

    form = client.get(_u("entry_create", mission), {"unit": "KC0101"}).content.decode()
    response = client.post(
        _u("entry_create", mission),
        _form_data(actors=[str(actor.public_id)], submit="on"),
    )

    assert 'value="KC0101"' in form
    assert response.status_code == 302
    entry = KnowledgeEntry.objects.get(title="Do not photograph the market")
    assert response["Location"] == _u("entry", mission, entry_id=entry.public_id)
    assert entry.admin_unit == world.town
    assert entry.status == EntryStatus.IN_REVIEW
    assert list(entry.actors.all()) == [actor]
    assert entry.author == world.author.user
    assert AuditEvent.objects.filter(object_id__in=[str(entry.pk), str(entry.public_id)]).exists()
    site = client.post(_u("entry_create", mission), _form_data(place="KC0101S1", title="At site"))
    assert site.status_code == 302
    assert KnowledgeEntry.objects.get(title="At site").site == world.village


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "x" * 201}, "title"),
        ({"title": "Invoice \u202efdp.exe"}, "title"),
        ({"body": "y" * 20_001}, "body"),
        ({"place": "OTHER01"}, "place"),
        ({"place": "KC02"}, "place"),
        ({"language": "<script>"}, "language"),
        ({"sensitivity": "3"}, "sensitivity"),
        ({"sensitivity": "many"}, "sensitivity"),
        ({"topic": "gossip"}, "topic"),
        ({"actors": ["00000000-0000-0000-0000-000000000000"]}, "actors"),
        ({"source": ""}, "source"),
    ],
)
def test_hostile_entry_input_is_refused_without_saving(
    mission: Mission, client_for: Any, overrides: dict[str, Any], field: str
) -> None:
    world = _world(mission)
    AdminUnitFactory(mission=MembershipFactory(role=Role.ADMIN).mission, pcode="OTHER01")
    scoped = MembershipFactory(mission=mission, role=Role.LIAISON)
    membership_scope_set(actor=None, membership=scoped, units=[world.north])
    client = client_for(scoped.user)

    response = client.post(_u("entry_create", mission), _form_data(**overrides))

    assert response.status_code == 400
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert not KnowledgeEntry.objects.filter(mission=mission).exists()
    assert world.author  # the world exists; nothing of it was changed


def test_script_in_an_entry_is_shown_as_text(mission: Mission, client_for: Any) -> None:
    world = _world(mission)
    entry = _entry(
        world,
        title="<script>alert(1)</script> title",
        body="<script>alert(2)</script>\n\n[x](javascript:alert(3))",
    )
    client = _client(client_for, world.reviewer)

    for url in (
        _u("entry", mission, entry_id=entry.public_id),
        _u("place", mission, pcode="KC01"),
        _u("home", mission),
    ):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page, url
        assert 'href="javascript:' not in page, url


def test_edit_keeps_a_version_and_history_shows_an_escaped_word_diff(
    mission: Mission, client_for: Any
) -> None:
    world = _world(mission)
    entry = _entry(world, title="Market day", body="The market is on Thursday.")
    client = _client(client_for, world.author)

    form = client.get(_u("entry_edit", mission, entry_id=entry.public_id)).content.decode()
    response = client.post(
        _u("entry_edit", mission, entry_id=entry.public_id),
        _form_data(
            place="KC01",
            topic=Topic.CUSTOMS,
            title="Market day",
            body="The market is on Friday <b>now</b>.",
            source="Liaison assistant notes, March",
            note="moved to Friday",
        ),
    )
    entry.refresh_from_db()
    history = client.get(_u("entry_history", mission, entry_id=entry.public_id)).content.decode()

    assert "The market is on Thursday." in form
    assert response.status_code == 302
    assert entry.version == 2
    assert entry.status == EntryStatus.IN_REVIEW
    assert "<del>Thursday.</del>" in history
    assert "<ins>Friday &lt;b&gt;now&lt;/b&gt;.</ins>" in history
    assert "moved to Friday" in history
    assert "Version 2" in history
    assert "Version 1" in history


def test_submit_review_and_retire_flow(mission: Mission, client_for: Any) -> None:
    world = _world(mission)
    entry = _entry(world, reviewed=False)
    author = _client(client_for, world.author)
    reviewer = _client(client_for, world.reviewer)
    submit_url = _u("entry_submit", mission, entry_id=entry.public_id)
    review_url = _u("entry_review", mission, entry_id=entry.public_id)

    assert author.get(submit_url).status_code == 405
    fresh = _entry(world, title="Fresh and reviewed")
    refused = author.post(_u("entry_submit", mission, entry_id=fresh.public_id))
    assert refused.status_code == 400
    assert "reviewed and up to date" in refused.content.decode()
    fresh.refresh_from_db()
    assert fresh.status == EntryStatus.REVIEWED
    assert author.post(submit_url).status_code == 302
    entry.refresh_from_db()
    assert entry.status == EntryStatus.IN_REVIEW
    assert author.get(review_url).status_code == 403  # a liaison does not review

    queue = reviewer.get(_u("review_queue", mission)).content.decode()
    assert "Greet the mwami first" in queue
    no_note = reviewer.post(review_url, {"decision": "return", "note": ""})
    assert no_note.status_code == 400
    approved = reviewer.post(review_url, {"decision": "approve", "valid_until": "2030-01-01"})
    assert approved.status_code == 302
    entry.refresh_from_db()
    assert entry.status == EntryStatus.REVIEWED
    assert entry.reviewer == world.reviewer.user
    assert entry.valid_until == dt.date(2030, 1, 1)
    again = reviewer.post(review_url, {"decision": "approve"})
    assert again.status_code == 400
    assert reviewer.get(review_url).status_code == 200  # not waiting: explained, not an error

    retire_url = _u("entry_retire", mission, entry_id=entry.public_id)
    assert author.get(retire_url).status_code == 405
    assert author.post(retire_url, {"note": ""}).status_code == 400
    assert author.post(retire_url, {"note": "Chief replaced"}).status_code == 302
    entry.refresh_from_db()
    assert entry.status == EntryStatus.RETIRED


def test_the_author_cannot_review_their_own_entry(mission: Mission, client_for: Any) -> None:
    world = _world(mission)
    manager = MembershipFactory(mission=mission, role=Role.MANAGER)
    entry = entry_create(
        actor=manager.user,
        membership=manager,
        topic=Topic.RELIGION,
        title="Friday prayers",
        body="Avoid meetings at noon on Fridays.",
        language="en",
        sensitivity=1,
        source="Imam of the central mosque",
        admin_unit=world.north,
        submit=True,
    )
    client = client_for(manager.user)
    url = _u("entry_review", mission, entry_id=entry.public_id)

    form = client.get(url).content.decode()
    response = client.post(url, {"decision": "approve"})

    assert "another reviewer has to approve it" in form
    assert response.status_code == 403
    assert "another colleague must review it" in response.content.decode()
    entry.refresh_from_db()
    assert entry.status == EntryStatus.IN_REVIEW
    assert "Friday prayers" not in client.get(_u("review_queue", mission)).content.decode()


def test_translate_an_entry(mission: Mission, client_for: Any) -> None:
    world = _world(mission)
    entry = _entry(world, title="Greet the elders", body="Greet the elders first.")
    client = _client(client_for, world.author)
    url = _u("entry_translate", mission, entry_id=entry.public_id)

    form = client.get(url, {"language": "ar"}).content.decode()
    same = client.post(url, {"language": "en", "title": "x", "body": "y"})
    saved = client.post(url, {"language": "fr", "title": "Saluer", "body": "Saluez d'abord."})
    update_form = client.get(url, {"language": "fr"}).content.decode()

    assert 'dir="rtl"' in form
    assert 'lang="ar"' in form
    assert same.status_code == 400
    assert saved.status_code == 302
    translation = KnowledgeTranslation.objects.get(entry=entry)
    assert (translation.language, translation.title, translation.source_version) == (
        "fr",
        "Saluer",
        1,
    )
    assert "Saluez d&#x27;abord." in update_form
    detail = client.get(_u("entry", mission, entry_id=entry.public_id), HTTP_ACCEPT_LANGUAGE="fr")
    assert "Saluer" in detail.content.decode()
    original = client.get(
        _u("entry", mission, entry_id=entry.public_id),
        {"original": "1"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert "Greet the elders first." in original.content.decode()


def test_stale_page_says_why(mission: Mission, client_for: Any) -> None:
    world = _world(mission)
    _entry(world, title="Old market", valid_until=timezone.localdate() - dt.timedelta(days=1))
    _entry(world, title="Fresh custom")
    _entry(world, title="Unfinished draft", reviewed=False)
    client = _client(client_for, world.reviewer)

    page = client.get(_u("stale", mission)).content.decode()

    assert "Old market" in page
    assert "Unfinished draft" in page
    assert "Fresh custom" not in page
    assert "Validity ended on" in page
    assert "Draft: never reviewed." in page
    assert "2 entries need attention." in page


def test_readers_without_edit_rights_cannot_write(mission: Mission, client_for: Any) -> None:
    world = _world(mission)
    entry = _entry(world)
    viewer = client_for(MembershipFactory(mission=mission, role=Role.VIEWER).user)

    assert viewer.get(_u("entry_create", mission)).status_code == 403
    assert viewer.post(_u("entry_create", mission), _form_data()).status_code == 403
    for name in ("entry_edit", "entry_translate", "entry_review"):
        assert viewer.get(_u(name, mission, entry_id=entry.public_id)).status_code == 403
    for name in ("entry_submit", "entry_retire"):
        response = viewer.post(_u(name, mission, entry_id=entry.public_id), {"note": "x"})
        assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.status == EntryStatus.REVIEWED


# --- Text helpers -----------------------------------------------------------------------------


def test_word_diff_escapes_and_marks_changes() -> None:
    diff = word_diff("a <b> c", "a <i> c d")

    assert str(diff) == "a <del>&lt;b&gt;</del><ins>&lt;i&gt;</ins> c<ins> d</ins>"


def test_language_names_and_direction() -> None:
    assert language_name("sw") == "Swahili"
    assert language_name("rw") == "Kinyarwanda"
    assert language_name("en-GB") == "British English"
    assert language_name("xx-YY") == "xx-YY"
    assert text_direction("ar") == "rtl"
    assert text_direction("fr") == "ltr"


def test_list_pages_do_not_run_a_query_per_entry(mission: Mission, client_for: Any) -> None:
    world = _world(mission)
    client = _client(client_for, world.reviewer)
    pages = [
        _u("home", mission),
        _u("place", mission, pcode="KC0101"),
        _u("stale", mission),
        _u("review_queue", mission),
    ]

    def counts() -> list[int]:
        found = []
        for page in pages:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(page).status_code == 200
            found.append(len(queries))
        return found

    for n in range(2):
        _entry(world, title=f"Entry {n}", place=world.town, reviewed=False)
        _entry(world, title=f"Reviewed {n}", place=world.village)
    before = counts()
    for n in range(2, 8):
        _entry(world, title=f"Entry {n}", place=world.town, reviewed=False)
        _entry(world, title=f"Reviewed {n}", place=world.village)
    after = counts()

    assert after == before
