"""The alert-to-response chain: cases, routing and SLAs, escalation and staff notifications.

A :class:`Case` is opened from one or more messages (automatically for alerts and urgent
messages, by hand for others) and moves through the states of :class:`CaseStatus`, each move a
service (``palava.feedback.cases.services``) that stamps the time, the actor and an audit row
and appends a :class:`CaseEvent` to the timeline. :class:`SlaPolicy` gives the time to
acknowledge and to respond per type and urgency; the escalation task notifies the next level
(:class:`Notification`) on a breach, repeatedly, until the case is handled. See
``docs/adr/0007-alert-to-response-chain.md``.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from palava.core.models import BaseModel
from palava.core.sensitivity import FieldClass, confidential, internal
from palava.feedback.models.intake import Urgency


class CaseType(models.TextChoices):
    ALERT = "alert", _("Alert")
    COMPLAINT = "complaint", _("Complaint")
    REQUEST = "request", _("Request")
    FEEDBACK = "feedback", _("Feedback")
    RUMOUR = "rumour", _("Rumour")


class CaseStatus(models.TextChoices):
    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    VERIFIED = "verified", _("Verified")
    UNFOUNDED = "unfounded", _("Unfounded")
    RESPONSE_DISPATCHED = "response_dispatched", _("Response dispatched")
    RESOLVED = "resolved", _("Resolved")
    REPORTER_INFORMED = "reporter_informed", _("Reporter informed")
    CLOSED = "closed", _("Closed")


class SourceReliability(models.TextChoices):
    """The Admiralty (NATO) grading of the source."""

    A = "A", _("A: completely reliable")
    B = "B", _("B: usually reliable")
    C = "C", _("C: fairly reliable")
    D = "D", _("D: not usually reliable")
    E = "E", _("E: unreliable")
    F = "F", _("F: reliability cannot be judged")


class Credibility(models.TextChoices):
    """The Admiralty (NATO) grading of the information itself."""

    CONFIRMED = "1", _("1: confirmed by other sources")
    PROBABLY_TRUE = "2", _("2: probably true")
    POSSIBLY_TRUE = "3", _("3: possibly true")
    DOUBTFUL = "4", _("4: doubtful")
    IMPROBABLE = "5", _("5: improbable")
    CANNOT_JUDGE = "6", _("6: truth cannot be judged")


class Team(BaseModel):
    """A group that handles cases (a field office, the joint operations centre, a protection
    team), with the duty officer of the moment."""

    mission = models.ForeignKey(
        "missions.Mission", verbose_name=_("mission"), on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("name"), max_length=120)
    duty_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("duty officer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Receives new cases routed to the team and the first escalation."),
    )
    email = models.EmailField(_("team mailbox"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "mission": internal("tenant"),
        "name": internal("team name"),
        "duty_officer": internal("who is on duty"),
        "email": internal("team notification mailbox"),
        "is_active": internal("routing"),
    }

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.UniqueConstraint(fields=["mission", "name"], name="team_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    """A user in a team; leads receive the second escalation level."""

    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    is_lead = models.BooleanField(_("team lead"), default=False)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "id": internal("identifier"),
        "team": internal("team"),
        "user": internal("team member"),
        "is_lead": internal("escalation level"),
    }

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="team_member_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.team_id}:{self.user_id}"


class AssignmentRule(BaseModel):
    """Routes a new case to a team (and optionally a named officer) by place, category, type
    and urgency. Rules are tried in ``order``; the first match wins; empty criteria match all."""

    mission = models.ForeignKey(
        "missions.Mission", verbose_name=_("mission"), on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("name"), max_length=120)
    order = models.PositiveIntegerField(_("order"), default=100)
    admin_unit = models.ForeignKey(
        "places.AdminUnit",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Matches cases in this area and every area inside it."),
    )
    category = models.ForeignKey(
        "feedback.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    case_type = models.CharField(
        _("case type"), max_length=20, choices=CaseType.choices, blank=True
    )
    min_urgency = models.CharField(
        _("at least this urgent"),
        max_length=20,
        blank=True,
        choices=Urgency.choices,
    )
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="rules"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assign to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty: the team's duty officer."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "mission": internal("tenant"),
        "name": internal("rule name"),
        "order": internal("rule precedence"),
        "admin_unit": internal("routing criterion"),
        "category": internal("routing criterion"),
        "case_type": internal("routing criterion"),
        "min_urgency": internal("routing criterion"),
        "team": internal("routing target"),
        "assignee": internal("routing target"),
        "is_active": internal("routing"),
    }

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")

    def __str__(self) -> str:
        return self.name


class SlaPolicy(BaseModel):
    """Time to acknowledge and to respond for one case type (and urgency; empty = any)."""

    mission = models.ForeignKey(
        "missions.Mission", verbose_name=_("mission"), on_delete=models.CASCADE, related_name="+"
    )
    case_type = models.CharField(_("case type"), max_length=20, choices=CaseType.choices)
    urgency = models.CharField(
        _("urgency"),
        max_length=20,
        blank=True,
        choices=Urgency.choices,
    )
    acknowledge_minutes = models.PositiveIntegerField(_("minutes to acknowledge"))
    respond_minutes = models.PositiveIntegerField(_("minutes to respond"))
    repeat_minutes = models.PositiveIntegerField(
        _("escalate again every (minutes)"),
        help_text=_("After a breach, the next level is notified again at this interval."),
    )

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "mission": internal("tenant"),
        "case_type": internal("SLA scope"),
        "urgency": internal("SLA scope"),
        "acknowledge_minutes": internal("SLA"),
        "respond_minutes": internal("SLA"),
        "repeat_minutes": internal("escalation interval"),
    }

    class Meta:
        ordering = ["case_type", "urgency"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.UniqueConstraint(
                fields=["mission", "case_type", "urgency"], name="sla_unique_scope"
            ),
            models.CheckConstraint(
                condition=Q(acknowledge_minutes__gte=1)
                & Q(respond_minutes__gte=1)
                & Q(repeat_minutes__gte=1),
                name="sla_positive_minutes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_type}/{self.urgency or '*'}"


class Case(BaseModel):
    """One thing the mission must act on, opened from messages, with its whole chain timed."""

    mission = models.ForeignKey(
        "missions.Mission", verbose_name=_("mission"), on_delete=models.CASCADE, related_name="+"
    )
    number = models.PositiveIntegerField(_("number"))
    case_type = models.CharField(_("type"), max_length=20, choices=CaseType.choices)
    status = models.CharField(
        _("status"), max_length=24, choices=CaseStatus.choices, default=CaseStatus.NEW
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    urgency = models.CharField(
        _("urgency"),
        max_length=20,
        blank=True,
        choices=Urgency.choices,
    )
    category = models.ForeignKey(
        "feedback.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    admin_unit = models.ForeignKey(
        "places.AdminUnit",
        verbose_name=_("place"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    site = models.ForeignKey(
        "places.Site",
        verbose_name=_("settlement or site"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_restricted = models.BooleanField(_("restricted"), default=False)
    reporter = models.ForeignKey(
        "feedback.Reporter",
        verbose_name=_("reporter"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reply_channel = models.ForeignKey(
        "feedback.Channel",
        verbose_name=_("reply channel"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The channel the reporter wrote on; replies go back through it."),
    )
    language = models.CharField(_("reporter's language"), max_length=8, blank=True)
    cluster = models.ForeignKey(
        "feedback.Cluster",
        verbose_name=_("cluster"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rumour = models.ForeignKey(
        "feedback.Rumour",
        verbose_name=_("rumour"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The chain, one timestamp per state (the timeline has who and why).
    opened_at = models.DateTimeField(_("opened"))
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verification decided"), null=True, blank=True)
    response_dispatched_at = models.DateTimeField(_("response dispatched"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    reporter_informed_at = models.DateTimeField(_("reporter informed"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Verification grades (Admiralty code).
    source_reliability = models.CharField(
        _("source reliability"), max_length=1, choices=SourceReliability.choices, blank=True
    )
    credibility = models.CharField(
        _("information credibility"), max_length=1, choices=Credibility.choices, blank=True
    )
    # SLA clock, fixed when the case opens (policy changes do not move running clocks).
    acknowledge_due_at = models.DateTimeField(_("acknowledge by"), null=True, blank=True)
    respond_due_at = models.DateTimeField(_("respond by"), null=True, blank=True)
    escalation_repeat_minutes = models.PositiveIntegerField(
        _("escalation interval (minutes)"), default=15
    )
    acknowledge_breached_at = models.DateTimeField(
        _("acknowledgement overdue since"), null=True, blank=True
    )
    respond_breached_at = models.DateTimeField(_("response overdue since"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    next_escalation_at = models.DateTimeField(_("next escalation check"), null=True, blank=True)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "mission": internal("tenant"),
        "number": internal("case reference"),
        "case_type": internal("workflow"),
        "status": internal("workflow"),
        "title": confidential("what the case is about"),
        "summary": confidential("what the case is about"),
        "urgency": internal("workflow"),
        "category": internal("workflow"),
        "admin_unit": internal("place; decides geographic scope"),
        "site": internal("settlement or site"),
        "is_restricted": internal("protection queue flag"),
        "reporter": confidential("the pseudonymous reporter to inform"),
        "reply_channel": internal("where replies go"),
        "language": internal("replying in the reporter's language"),
        "cluster": internal("near-duplicate reports"),
        "rumour": internal("rumour log entry"),
        "team": internal("routing"),
        "assignee": internal("routing"),
        "opened_at": internal("response chain timing"),
        "acknowledged_at": internal("response chain timing"),
        "verified_at": internal("response chain timing"),
        "response_dispatched_at": internal("response chain timing"),
        "resolved_at": internal("response chain timing"),
        "reporter_informed_at": internal("response chain timing"),
        "closed_at": internal("response chain timing"),
        "source_reliability": internal("verification grade"),
        "credibility": internal("verification grade"),
        "acknowledge_due_at": internal("SLA"),
        "respond_due_at": internal("SLA"),
        "escalation_repeat_minutes": internal("SLA"),
        "acknowledge_breached_at": internal("SLA"),
        "respond_breached_at": internal("SLA"),
        "escalation_level": internal("SLA"),
        "next_escalation_at": internal("SLA"),
    }

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(fields=["mission", "number"], name="case_unique_number"),
        ]
        indexes = [
            models.Index(fields=["mission", "status", "opened_at"], name="case_board"),
            models.Index(fields=["mission", "admin_unit", "opened_at"], name="case_place"),
            models.Index(
                fields=["next_escalation_at"],
                condition=Q(next_escalation_at__isnull=False),
                name="case_escalation_due",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"C-{self.number:05d}"


class CaseMessageRole(models.TextChoices):
    REPORT = "report", _("Report")
    CORROBORATION = "corroboration", _("Corroborating report")


class CaseMessage(models.Model):
    """A message joined to a case; a message belongs to at most one case."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="case_messages"
    )
    message = models.OneToOneField(
        "feedback.Message",
        verbose_name=_("message"),
        on_delete=models.CASCADE,
        related_name="case_link",
    )
    role = models.CharField(
        _("role"), max_length=16, choices=CaseMessageRole.choices, default=CaseMessageRole.REPORT
    )
    added_at = models.DateTimeField(_("added at"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "id": internal("identifier"),
        "case": internal("case"),
        "message": internal("message"),
        "role": internal("report or corroboration"),
        "added_at": internal("history"),
        "added_by": internal("accountability"),
    }

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name = _("case message")
        verbose_name_plural = _("case messages")

    def __str__(self) -> str:
        return f"{self.case_id}:{self.message_id}"


class CaseIncident(BaseModel):
    """An incident (own record or imported, e.g. ACLED) that corroborates or explains a case."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="incidents"
    )
    source = models.CharField(_("source"), max_length=60)
    reference = models.CharField(_("reference"), max_length=120, blank=True)
    occurred_on = models.DateField(_("occurred on"), null=True, blank=True)
    description = models.TextField(_("description"))
    url = models.URLField(_("link"), blank=True)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "case": internal("case"),
        "source": internal("incident source"),
        "reference": internal("incident reference"),
        "occurred_on": internal("incident date"),
        "description": confidential("incident details"),
        "url": internal("incident link"),
    }

    class Meta:
        ordering = ["occurred_on", "id"]
        verbose_name = _("linked incident")
        verbose_name_plural = _("linked incidents")

    def __str__(self) -> str:
        return self.reference or self.source


class ResponderType(models.TextChoices):
    MISSION_FORCE = "mission_force", _("Mission force")
    MISSION_POLICE = "mission_police", _("Mission police")
    MISSION_CIVILIAN = "mission_civilian", _("Mission civilian staff")
    NATIONAL_POLICE = "national_police", _("National police")
    LOCAL_AUTHORITY = "local_authority", _("Local authority")
    PARTNER = "partner", _("Partner organisation")
    COMMUNITY = "community", _("Community")
    NOBODY = "nobody", _("Nobody")


class ResponseOutcome(models.TextChoices):
    EFFECTIVE = "effective", _("Effective")
    PARTIAL = "partial", _("Partly effective")
    INEFFECTIVE = "ineffective", _("Not effective")
    UNKNOWN = "unknown", _("Not known yet")


class CaseResponse(BaseModel):
    """Who responded, when, what was done and with what outcome."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="responses"
    )
    responder_type = models.CharField(
        _("who responded"), max_length=20, choices=ResponderType.choices
    )
    responder_name = models.CharField(_("unit or organisation"), max_length=200, blank=True)
    responded_at = models.DateTimeField(_("responded at"))
    action = models.TextField(_("what was done"))
    outcome = models.CharField(
        _("outcome"),
        max_length=12,
        choices=ResponseOutcome.choices,
        default=ResponseOutcome.UNKNOWN,
    )
    notes = models.TextField(_("notes"), blank=True)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "case": internal("case"),
        "responder_type": internal("response record"),
        "responder_name": internal("response record"),
        "responded_at": internal("response chain timing"),
        "action": confidential("response details"),
        "outcome": internal("response record"),
        "notes": confidential("response details"),
    }

    class Meta:
        ordering = ["responded_at", "id"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self) -> str:
        return f"{self.responder_type} {self.responded_at:%Y-%m-%d %H:%M}"


class CaseEventKind(models.TextChoices):
    CREATED = "created", _("Opened")
    STATUS = "status", _("Status changed")
    ASSIGNED = "assigned", _("Assigned")
    MESSAGE = "message", _("Message joined")
    VERIFICATION = "verification", _("Verification graded")
    INCIDENT = "incident", _("Incident linked")
    RESPONSE = "response", _("Response recorded")
    REPLY = "reply", _("Reply to the reporter")
    ESCALATED = "escalated", _("Escalated")
    COMMENT = "comment", _("Note")


class CaseEvent(models.Model):
    """One line of a case's timeline. Append-only; services write it with the audit row."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=CaseEventKind.choices)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("by (system)"), max_length=60, blank=True)
    from_status = models.CharField(_("from"), max_length=24, blank=True)
    to_status = models.CharField(_("to"), max_length=24, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "id": internal("identifier"),
        "case": internal("case"),
        "kind": internal("timeline"),
        "at": internal("timeline"),
        "actor": internal("accountability"),
        "actor_label": internal("accountability"),
        "from_status": internal("timeline"),
        "to_status": internal("timeline"),
        "note": confidential("staff note"),
        "data": internal("non-identifying details (levels, ids)"),
    }

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"


class NotificationKind(models.TextChoices):
    NEW_CASE = "new_case", _("New case")
    ASSIGNED = "assigned", _("Assigned to you")
    ACK_OVERDUE = "ack_overdue", _("Not acknowledged in time")
    RESPONSE_OVERDUE = "response_overdue", _("No response in time")
    DELIVERY_FAILED = "delivery_failed", _("Message could not be delivered")
    BROADCAST_DONE = "broadcast_done", _("Broadcast finished")
    COMMITMENT_DUE = "commitment_due", _("Commitment due soon")
    COMMITMENT_OVERDUE = "commitment_overdue", _("Commitment overdue")


class Notification(models.Model):
    """A notice to one staff member: always in the app, and by e-mail or SMS when asked.

    Titles never carry names or numbers of reporters (they go out by e-mail and SMS).
    ``dedupe_key`` makes a retried task harmless: one notice per recipient and key.
    """

    mission = models.ForeignKey(
        "missions.Mission", verbose_name=_("mission"), on_delete=models.CASCADE, related_name="+"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    title = models.CharField(_("title"), max_length=200)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_status = models.CharField(_("e-mail"), max_length=12, blank=True)
    sms_status = models.CharField(_("SMS"), max_length=12, blank=True)
    dedupe_key = models.CharField(_("deduplication key"), max_length=120)

    field_classes: ClassVar[dict[str, FieldClass]] = {
        "id": internal("identifier"),
        "mission": internal("tenant"),
        "recipient": internal("who is notified"),
        "case": internal("case"),
        "kind": internal("notification kind"),
        "level": internal("escalation level"),
        "title": internal("notification text without personal data"),
        "url": internal("link to the case"),
        "created_at": internal("alert latency"),
        "read_at": internal("read receipt"),
        "email_status": internal("delivery"),
        "sms_status": internal("delivery"),
        "dedupe_key": internal("exactly-once notification"),
    }

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], name="notification_unique_key"
            ),
        ]
        indexes = [
            models.Index(
                fields=["recipient", "mission", "created_at"],
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]

    def __str__(self) -> str:
        return self.title
