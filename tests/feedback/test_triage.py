"""Triage batches: labels, exactly-once, staff labels kept, restricted flag, reporters, models."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from palava.core import crypto
from palava.feedback import ingest, triage
from palava.feedback.classify import model_cache_clear
from palava.feedback.lexicon import MissionLexicon
from palava.feedback.models import (
    Classifier,
    ClassifierTarget,
    Cluster,
    LabelSource,
    Message,
    MessageStatus,
    Reporter,
    Urgency,
)
from palava.feedback.services import message_relabel
from palava.feedback.taxonomy import DEFAULT_CATEGORIES
from palava.feedback.training import classifier_train
from palava.feedback.triage import categories_ensure, triage_pending
from palava.missions.models import Role
from tests.factories import MembershipFactory, MissionFactory
from tests.feedback.helpers_triage import (
    T0,
    cluster_of,
    code_of,
    hours,
    lingala_messages,
    make_channel,
    receive,
    staff_labelled,
)

pytestmark = pytest.mark.django_db


def test_categories_ensure_creates_the_default_taxonomy_once(mission: Any) -> None:
    # when the taxonomy is ensured twice
    first = categories_ensure(mission)
    second = categories_ensure(mission)
    # then every default code exists once, with parents, restriction and translated names
    assert set(first) == {c.code for c in DEFAULT_CATEGORIES}
    assert {c.pk for c in first.values()} == {c.pk for c in second.values()}
    assert first["need_water"].parent_id == first["need"].pk
    assert {c for c, cat in first.items() if cat.is_restricted} == {
        "sea",
        "gbv",
        "child_protection",
    }
    names = first["security_threat"].names
    assert set(names) == {"en", "fr", "ar"}
    assert (first["security_threat"].name, names["en"]) == ("Security threat", "Security threat")


def test_triage_labels_each_message_and_opens_it(mission: Any) -> None:
    # given three messages in three languages
    channel = make_channel(mission)
    english = receive(channel, "Armed men are attacking Kiwanja now, we hear shooting, help!")
    french = receive(channel, "Nous n'avons pas d'eau potable, la pompe du forage est en panne")
    arabic = receive(channel, "شكرا لقوات حفظ السلام على الدورية في قريتنا")
    # when triage runs
    assert triage_pending() == 3
    # then each has a language, category, urgency, status and version
    english, french, arabic = (Message.objects.get(pk=m.pk) for m in (english, french, arabic))
    assert (english.language, code_of(english), english.urgency) == (
        "en",
        "violence_incident",
        Urgency.LIFE_THREATENING,
    )
    assert (french.language, code_of(french)) == ("fr", "need_water")
    assert (arabic.language, code_of(arabic), arabic.urgency) == (
        "ar",
        "positive_feedback",
        Urgency.ROUTINE,
    )
    for message in (english, french, arabic):
        assert message.status == MessageStatus.OPEN
        assert message.triaged_at is not None
        assert message.category_source == LabelSource.LEXICON
        assert message.urgency_source == LabelSource.LEXICON
        assert message.category_confidence is not None
        assert 0 < message.category_confidence <= 1
        assert message.triage_version.startswith("lex")
        assert message.cluster_id is not None


def test_triage_twice_triages_each_message_once(mission: Any) -> None:
    # given messages triaged once
    channel = make_channel(mission)
    for i in range(7):
        receive(channel, f"Need food in camp {i}", phone=f"+24399000{i:04d}")
    assert triage_pending(batch_size=3) == 7
    stamps = dict(Message.objects.values_list("id", "triaged_at"))
    counts = dict(Reporter.objects.values_list("id", "message_count"))
    # when triage runs again
    assert triage_pending(batch_size=3) == 0
    # then nothing changed: no message triaged twice, no reporter counted twice
    assert dict(Message.objects.values_list("id", "triaged_at")) == stamps
    assert dict(Reporter.objects.values_list("id", "message_count")) == counts
    assert set(counts.values()) == {1}


def test_max_batches_limits_one_run(mission: Any) -> None:
    channel = make_channel(mission)
    for i in range(5):
        receive(channel, f"message {i} about water")
    assert triage_pending(batch_size=2, max_batches=1) == 2
    assert Message.objects.filter(triaged_at__isnull=True).count() == 3
    assert triage_pending(batch_size=2) == 3


def test_a_crash_mid_batch_leaves_the_whole_batch_untriaged(
    mission: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given messages from two reporters, and a batch that dies after computing everything
    channel = make_channel(mission)
    for i in range(4):
        receive(channel, f"Armed men near the school {i}", phone=f"+2439911100{i % 2}")

    def crash(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(triage, "bulk_set", crash)
    with pytest.raises(RuntimeError):
        triage.triage_batch(500)
    # then no message, reporter or cluster of that batch was kept
    assert Message.objects.filter(triaged_at__isnull=True).count() == 4
    assert not Reporter.objects.exists()
    assert not Cluster.objects.exists()
    # and the rerun triages each message exactly once
    monkeypatch.undo()
    assert triage_pending() == 4
    assert sorted(Reporter.objects.values_list("message_count", flat=True)) == [2, 2]


def test_a_message_that_breaks_triage_is_set_aside_and_the_rest_goes_on(
    mission: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # given a message that makes the lexicon fail, among ordinary ones
    channel = make_channel(mission)
    before = [receive(channel, f"Need water at block {i}") for i in range(3)]
    poison = receive(channel, "POISON pill")
    after = [receive(channel, f"Need food at block {i}") for i in range(3)]
    classify = MissionLexicon.classify

    def fragile(self: Any, text: str, *args: Any, **kwargs: Any) -> Any:
        if "poison" in text:
            raise ValueError("cannot read this")
        return classify(self, text, *args, **kwargs)

    monkeypatch.setattr(MissionLexicon, "classify", fragile)
    # when triage runs
    assert triage_pending(batch_size=5) == 7
    # then the others are triaged normally, each once
    for message in [*before, *after]:
        message.refresh_from_db()
        assert message.triage_version.startswith("lex")
        assert message.category is not None
    # and the breaking one is set aside: triaged, unlabelled, restricted, visible to staff
    poison.refresh_from_db()
    assert poison.triaged_at is not None
    assert poison.triage_version == triage.FAILED_VERSION
    assert poison.category is None
    assert poison.is_restricted
    assert poison.status == MessageStatus.OPEN
    assert "could not be triaged" in caplog.text
    assert triage_pending() == 0


def test_mission_keywords_count_and_unusable_ones_are_ignored(
    mission: Any, caplog: pytest.LogCaptureFixture
) -> None:
    categories = categories_ensure(mission)
    threat = categories["security_threat"]
    threat.keywords = {"fr": ["wazalendo*"]}
    threat.save()
    channel = make_channel(mission)
    first = receive(channel, "Les wazalendos sont arrivés au marché")
    triage_pending()
    first.refresh_from_db()
    assert code_of(first) == "security_threat"
    # a keyword the lexicon cannot use (a one-letter prefix) is ignored, triage goes on
    threat.keywords = {"fr": ["w*"]}
    threat.save()
    second = receive(channel, "Nous avons besoin d'eau potable")
    triage_pending()
    second.refresh_from_db()
    assert code_of(second) == "need_water"
    assert "keywords ignored" in caplog.text


def test_staff_labels_are_never_overwritten(mission: Any) -> None:
    # given a message that staff labelled before triage reached it
    channel = make_channel(mission)
    categories = categories_ensure(mission)
    manager = MembershipFactory(mission=mission, role=Role.MANAGER)
    message = receive(channel, "Armed men attacked the market, 3 killed")
    message_relabel(
        actor=manager.user,
        membership=manager,
        message=message,
        category=categories["rumour"],
        urgency=Urgency.ROUTINE,
    )
    # when triage runs
    triage_pending()
    # then the staff labels stand, and the rest is triaged
    message.refresh_from_db()
    assert (code_of(message), message.category_source) == ("rumour", LabelSource.STAFF)
    assert (message.urgency, message.urgency_source) == (Urgency.ROUTINE, LabelSource.STAFF)
    assert message.language == "en"
    assert message.triaged_at is not None


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("A soldier from the base asks girls to his room in exchange for food", "sea"),
        ("My husband beats me every night and threatens to kill me", "gbv"),
        ("Des enfants sont recrutés par la milice à Walikale", "child_protection"),
    ],
)
def test_restricted_categories_restrict_the_message_and_its_cluster(
    mission: Any, body: str, code: str
) -> None:
    channel = make_channel(mission)
    message = receive(channel, body)
    other = receive(channel, "Thank you for the new water point")
    triage_pending()
    message.refresh_from_db()
    other.refresh_from_db()
    assert code_of(message) == code
    assert message.is_restricted
    assert cluster_of(message).is_restricted
    assert not other.is_restricted
    assert not cluster_of(other).is_restricted


def test_a_restricted_parent_restricts_its_sub_categories(mission: Any) -> None:
    # given a mission whose "need" category (and so its sub-categories) is restricted
    categories = categories_ensure(mission)
    need = categories["need"]
    need.is_restricted = True
    need.save()
    message = receive(make_channel(mission), "No clean water since 4 days, the pump is broken")
    triage_pending()
    message.refresh_from_db()
    assert code_of(message) == "need_water"
    assert message.is_restricted


def test_reporters_are_linked_by_pseudonym_with_an_encrypted_copy_of_the_number(
    mission: Any,
) -> None:
    # given two messages from one number, one from another, one anonymous
    channel = make_channel(mission)
    first = receive(channel, "Need water", phone="+243 990 000 111", at=T0)
    second = receive(channel, "Merci pour la patrouille", phone="+243990000111", at=T0 + hours(5))
    third = receive(channel, "Need food", phone="+243 990 000 222", at=T0 + hours(1))
    anonymous = receive(channel, "Need shelter")
    # when triaged
    triage_pending()
    # then the same number is one reporter with its history
    first, second, third, anonymous = (
        Message.objects.get(pk=m.pk) for m in (first, second, third, anonymous)
    )
    assert first.reporter_id == second.reporter_id != third.reporter_id
    assert anonymous.reporter_id is None
    assert first.reporter_id is not None
    reporter = Reporter.objects.get(pk=first.reporter_id)
    assert reporter.message_count == 2
    assert (reporter.first_seen_at, reporter.last_seen_at) == (T0, T0 + hours(5))
    assert reporter.language == "fr"
    assert reporter.phone == "+243990000111"
    assert reporter.pseudonym == crypto.pseudonym("+243990000111", kind="phone")
    raw = Reporter.objects.filter(pk=reporter.pk).values_list("phone", flat=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM feedback_reporter WHERE id = %s", [reporter.pk])
        stored = cursor.fetchone()[0]
    assert "990000111" not in stored
    assert list(raw) == ["+243990000111"]
    # and a later message of the same number updates the same reporter
    receive(channel, "Need water again", phone="+243990000111", at=T0 + hours(9))
    triage_pending()
    reporter.refresh_from_db()
    assert reporter.message_count == 3
    assert reporter.last_seen_at == T0 + hours(9)


def test_reporters_are_per_mission(mission: Any) -> None:
    other = MissionFactory()
    receive(make_channel(mission), "Need water", phone="+243990000111")
    receive(make_channel(other), "Need water", phone="+243990000111")
    triage_pending()
    assert Reporter.objects.filter(mission=mission).count() == 1
    assert Reporter.objects.filter(mission=other).count() == 1


def test_a_batch_costs_the_same_queries_whatever_its_size(mission: Any) -> None:
    # given a small and a large batch of similar messages (new reporters, places, clusters)
    channel = make_channel(mission)
    categories_ensure(mission)

    def batch(n: int, tag: str) -> int:
        for i in range(n):
            receive(
                channel,
                f"Armed men near Kiwanja school {tag}{i}",
                phone=f"+2439{hash(tag) % 10}{i:07d}",
                lat=0.6 if i % 2 else None,
                lon=29.5 if i % 2 else None,
            )
        with CaptureQueriesContext(connection) as queries:
            assert triage.triage_batch(500) == n
        return len(queries)

    small = batch(5, "a")
    large = batch(60, "b")
    # then the query count does not grow with the batch (bulk updates may split in chunks)
    assert large <= small + 12, (small, large)


def _train_active_model(mission: Any) -> Classifier:
    """The mission's category model, trained on staff labels in Lingala (which no lexicon
    knows), so it beats the lexicon and is in use."""
    classifier = classifier_train(mission=mission, target=ClassifierTarget.CATEGORY, actor=None)
    assert classifier.is_active
    return classifier


def test_a_confident_active_model_labels_and_the_lexicon_covers_the_rest(mission: Any) -> None:
    model_cache_clear()
    staff_labelled(mission, lingala_messages(15))
    _train_active_model(mission)
    channel = make_channel(mission)
    hungry = receive(channel, "bana bazali na nzala makasi na Bumba")
    unknown = receive(channel, "The school in Masisi has no teachers")
    triage_pending()
    hungry.refresh_from_db()
    unknown.refresh_from_db()
    assert (code_of(hungry), hungry.category_source) == ("need_food", LabelSource.MODEL)
    assert (hungry.category_confidence or 0) >= triage.MODEL_MIN_PROBABILITY
    assert hungry.triage_version == "lex1+c1"
    # urgency has no model: the lexicon decides
    assert hungry.urgency_source == LabelSource.LEXICON
    # where the model is unsure, the lexicon decides
    assert (code_of(unknown), unknown.category_source) == ("need_education", LabelSource.LEXICON)


def test_a_tampered_model_is_refused_and_the_lexicon_takes_over(
    mission: Any, caplog: pytest.LogCaptureFixture
) -> None:
    model_cache_clear()
    staff_labelled(mission, lingala_messages(15))
    classifier = _train_active_model(mission)
    Classifier.objects.filter(pk=classifier.pk).update(artifact_mac="0" * 64)
    message = receive(make_channel(mission), "bana bazali na nzala makasi na Bumba")
    triage_pending()
    message.refresh_from_db()
    assert message.category_source == LabelSource.LEXICON
    assert "refusing to load classifier" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_concurrent_triage_runs_triage_each_message_exactly_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given 300 waiting messages from 30 reporters (ingest's wake-up of triage switched off, so
    # the two workers below find them all waiting)
    monkeypatch.setattr(ingest, "triage_kick", lambda: None)
    mission = MissionFactory()
    channel = make_channel(mission)
    for i in range(300):
        receive(channel, f"Need water at block {i % 7}", phone=f"+2439900{i % 30:05d}")
    categories_ensure(mission)
    assert not Message.objects.filter(triaged_at__isnull=False).exists()
    done: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def work() -> None:
        try:
            barrier.wait()
            done.append(triage_pending(batch_size=40))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    # when two workers triage at the same time
    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    # then together they triaged every message once
    assert not errors, errors
    assert sum(done) == 300, done
    if connection.vendor == "postgresql":  # SKIP LOCKED: both took batches side by side
        assert min(done) > 0, done
    assert not Message.objects.filter(triaged_at__isnull=True).exists()
    assert Reporter.objects.count() == 30
    assert sorted(set(Reporter.objects.values_list("message_count", flat=True))) == [10]
    assert sum(Cluster.objects.values_list("size", flat=True)) == 300
