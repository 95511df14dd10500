"""Demo rumour log: the biggest clusters of rumour messages of the demo become rumour entries
with their messages linked (through ``palava.feedback.rumours.services``), one of them
countered and closed. Idempotent: nothing is added when the mission has a rumour already.
"""

from __future__ import annotations

from collections import Counter

from django.db.models import Count

from palava.accounts.models import User
from palava.core.demo import Output, demo_loader
from palava.feedback.models import Message, Rumour, RumourStatus
from palava.missions.models import Membership, Mission, Role
from palava.places.models import AdminUnit

RUMOURS = 4
# What staff would write as the claim, by a word of the messages (any demo language).
CLAIMS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("vaccin", "chanjo", "لقاح"), "The vaccine given at the health centre makes women sterile."),
    (("disease", "maladie", "ugonjwa", "مرض"), "The peacekeepers are spreading the disease."),
    (("attack", "attaque", "shambulio", "هجوم"), "An armed group will attack on Sunday."),
    (("base", "قاعدة", "kambi"), "The mission will close its base and leave next month."),
)


def _claim(bodies: list[str]) -> str:
    text = " ".join(bodies).lower()
    for words, claim in CLAIMS:
        if any(word in text for word in words):
            return claim
    return "A rumour repeated in several messages."


@demo_loader(order=510)
def load_rumours(mission: Mission, users: dict[str, User], stdout: Output) -> None:
    from palava.feedback.rumours.services import rumour_create, rumour_set_status

    manager = users.get(Role.MANAGER)
    membership = Membership.objects.filter(mission=mission, user=manager).first()
    if manager is None or membership is None or Rumour.objects.filter(mission=mission).exists():
        return
    clusters = (
        Message.objects.filter(mission=mission, category__code="rumour", cluster__isnull=False)
        .values("cluster_id")
        .annotate(n=Count("id"))
        .order_by("-n", "cluster_id")[:RUMOURS]
    )
    made = 0
    for row in clusters:
        messages = list(
            Message.objects.filter(mission=mission, cluster_id=row["cluster_id"])
            .defer("sender_phone", "sender_name")
            .order_by("received_at")
        )
        units = Counter(m.admin_unit_id for m in messages if m.admin_unit_id)
        unit = AdminUnit.objects.filter(pk=units.most_common(1)[0][0]).first() if units else None
        rumour = rumour_create(
            mission=mission,
            actor=manager,
            membership=membership,
            claim=_claim([m.body for m in messages[:5]]),
            first_seen_at=messages[0].received_at,
            admin_unit=unit,
            category=messages[0].category,
            messages=messages,
        )
        if made == 0:
            rumour_set_status(
                rumour=rumour,
                actor=manager,
                membership=membership,
                status=RumourStatus.COUNTERED,
                note="Counter-message read on community radio.",
            )
        made += 1
    stdout.write(f"rumours: {made} rumours from the demo messages\n")
