"""Texts of the engagement demo: activity themes, agendas, minutes, promises, partners, projects.

All invented. ``{place}`` is the chiefdom's name, ``{territory}`` its territory's; no person is
named (minutes say "the chief", "a women's representative"). Demo content is data, not
interface text, so it is not translated (as the other demos' texts).
"""

from __future__ import annotations

from dataclasses import dataclass

from palava.engagement.models import ActivityType, PartnerType, PartyKind, ProjectType, Sector


@dataclass(frozen=True)
class Theme:
    """One kind of meeting: its title, agenda, minutes and the feedback categories it raises."""

    activity_type: str
    title: str
    agenda: tuple[str, ...]
    minutes: str
    categories: tuple[str, ...]
    issues: tuple[str, ...]


THEMES: tuple[Theme, ...] = (
    Theme(
        ActivityType.DIALOGUE_FORUM,
        "Dialogue forum on land and transhumance, {place}",
        ("Welcome by the chief", "Cattle movements and crop damage since the last season",
         "Proposals for a corridor and a joint committee", "Next steps"),
        "About the herders' corridor: farmers reported fields destroyed twice this month. "
        "Herders' representatives accepted to **mark a corridor** with the chiefdom. The "
        "territorial administrator's delegate promised a joint land committee.",
        ("tension_dispute", "need_food"),
        ("Crops destroyed by cattle on the road to the market",
         "No agreed corridor for herds crossing the chiefdom"),
    ),
    Theme(
        ActivityType.DIALOGUE_FORUM,
        "Community dialogue on protection of civilians, {place}",
        ("Security situation in the groupements", "Early warning: who calls whom",
         "Role of the community alert network", "Questions to the mission"),
        "Participants described night-time incursions on the road to the fields. The "
        "community alert network has **three working phones** out of seven. Women asked for "
        "patrols on market days.",
        ("security_threat", "information_request"),
        ("Incursions at night on the road to the fields",
         "Alert network phones out of credit or broken"),
    ),
    Theme(
        ActivityType.RECONCILIATION_COUNCIL,
        "Reconciliation council between neighbouring groupements, {place}",
        ("Opening and rules of the council", "Account of the dispute by each side",
         "Deliberation of the elders", "Commitments of the parties"),
        "The council heard both sides on the disputed fields near the river. The elders "
        "proposed a shared use until the land commission decides. Both parties **accepted a "
        "truce** and the return of seized goats.",
        ("tension_dispute", "violence_incident"),
        ("Disputed fields near the river between two groupements",
         "Goats seized after the last clash not returned"),
    ),
    Theme(
        ActivityType.TOWN_HALL,
        "Town hall on the mission's mandate and conduct, {place}",
        ("What the mission does and does not do", "Complaints mechanism and hotline",
         "Questions from the floor"),
        "Many questions on why patrols do not go beyond the bridge. The hotline number was "
        "shared again; several people had never heard of it. One complaint about a vehicle "
        "driving too fast through the market was noted.",
        ("conduct_complaint", "information_request", "rumour"),
        ("Mission vehicles driving too fast through the market",
         "Rumour that the mission is leaving the area"),
    ),
    Theme(
        ActivityType.FOCUS_GROUP,
        "Focus group with women on safety and access to fields, {place}",
        ("Moving safely to the fields and the water points", "Services for survivors",
         "What would make the market safer"),
        "Women described going to the fields in groups only. The nearest health centre is "
        "two hours away. They asked for **lighting at the water point** and a women's seat "
        "on the local security committee.",
        ("security_threat", "need_water", "need_health"),
        ("Women only go to the fields in groups because of attacks",
         "The water point is unlit and far from the houses"),
    ),
    Theme(
        ActivityType.FOCUS_GROUP,
        "Focus group with youth on jobs and recruitment, {place}",
        ("Livelihoods for young people", "Recruitment by armed groups", "Sport and culture"),
        "Young people spoke of recruiters offering money at the market. They asked for "
        "vocational training and a football ground; a youth association offered to run it.",
        ("security_threat", "need_education"),
        ("Recruiters approaching young men at the market",
         "No vocational training in the chiefdom"),
    ),
    Theme(
        ActivityType.KEY_INFORMANT,
        "Key-informant meeting with local leaders, {place}",
        ("Situation update", "Tensions to watch", "Follow-up of earlier promises"),
        "Leaders confirmed the return of some displaced families. They are worried about "
        "access to land for returnees and the delay of the school rehabilitation.",
        ("tension_dispute", "need_shelter"),
        ("Returnees without access to their land",),
    ),
    Theme(
        ActivityType.JOINT_PATROL,
        "Joint patrol with the community alert network, {place}",
        ("Route along the market road and the river", "Stops at the two villages",
         "Debrief with the alert network"),
        "Patrol with members of the alert network and the local police. No incident "
        "observed; villagers reported movements of armed men on the hills two nights before.",
        ("security_threat",),
        ("Armed men seen on the hills at night",),
    ),
    Theme(
        ActivityType.OTHER,
        "Radio debate on peaceful coexistence, {place}",
        ("Introduction by the community radio", "Call-in questions", "Messages of the leaders"),
        "One-hour debate on the community radio with the chief and a religious leader. "
        "Callers asked about the return of displaced people and the hotline.",
        ("information_request", "rumour"),
        ("Callers unsure whether displaced families may return",),
    ),
)  # fmt: skip

HANDOVER = Theme(
    ActivityType.PROJECT_HANDOVER,
    "Handover of the {project}, {place}",
    ("Words of the chief", "Presentation of the works", "Handover to the management committee"),
    "The works were visited with the management committee, which received the keys and the "
    "maintenance plan. Community members asked who pays for repairs after the warranty.",
    ("positive_feedback", "information_request"),
    ("Who pays for repairs once the warranty ends",),
)

FOLLOW_UP_SUFFIX = " (follow-up)"
POSTPONED_REASONS = (
    "Road cut by the rains; postponed by two weeks.",
    "Clashes reported nearby the day before; postponed on security advice.",
)
CANCELLED_REASONS = (
    "The chief was called to the territory capital; the community asked to cancel.",
    "Mission helicopter unavailable and the road is closed to vehicles.",
)
FOLLOW_UP_NOTES = (
    "Check with the territorial administrator whether the land committee met.",
    "Share the hotline leaflets in Swahili at the next market day.",
    "Report the alert-network phones to the protection cluster.",
)

# (party kind, who promised, to whom (kind, name), what)
PROMISES: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    PartyKind.MISSION: (
        ("Civil Affairs", PartyKind.COMMUNITY, "the community of {place}",
         "Bring the land dispute of {place} to the provincial land commission"),
        ("Force (company operating base)", PartyKind.COMMUNITY, "the farmers of {place}",
         "Patrol the road to the fields of {place} on market days"),
        ("UNPOL", PartyKind.LOCAL_AUTHORITY, "the local police of {place}",
         "Train the police post of {place} on community policing"),
        ("Civil Affairs", PartyKind.COMMUNITY, "the women's group of {place}",
         "Supply ten phones and credit to the community alert network of {place}"),
        ("Human Rights Division", PartyKind.COMMUNITY, "the families of {place}",
         "Visit the detention cell of {place} and report on conditions"),
        ("Public Information", PartyKind.COMMUNITY, "the community of {place}",
         "Air a radio programme on the hotline in Swahili for {place}"),
    ),
    PartyKind.LOCAL_AUTHORITY: (
        ("the territorial administrator", PartyKind.COMMUNITY, "the farmers of {place}",
         "Set up a joint land committee for {place}"),
        ("the chief of {place}", PartyKind.COMMUNITY, "the herders of {place}",
         "Mark a cattle corridor across {place} with the herders"),
        ("the chief of {place}", PartyKind.COMMUNITY, "the women of {place}",
         "Give women a seat on the local security committee of {place}"),
    ),
    PartyKind.GOVERNMENT: (
        ("the provincial ministry of education", PartyKind.COMMUNITY, "the parents of {place}",
         "Pay the two unpaid teachers of the primary school of {place}"),
        ("the provincial health division", PartyKind.COMMUNITY, "the community of {place}",
         "Send a mobile clinic to {place} once a month"),
    ),
    PartyKind.COMMUNITY: (
        ("the youth association of {place}", PartyKind.MISSION, "Civil Affairs",
         "Maintain the football ground of {place} and organise a tournament"),
        ("the elders of {place}", PartyKind.COMMUNITY, "the neighbouring groupement",
         "Return the goats seized after the clash near {place}"),
        ("the management committee of {place}", PartyKind.PARTNER, "the implementing partner",
         "Collect a monthly fee for the maintenance of the water point of {place}"),
    ),
    PartyKind.ARMED_GROUP: (
        ("a representative of the self-defence group", PartyKind.COMMUNITY,
         "the community of {place}", "Remove the roadblock on the market road of {place}"),
        ("a representative of the self-defence group", PartyKind.MISSION, "Child Protection",
         "Release the minors present at the positions near {place}"),
        ("a representative of the self-defence group", PartyKind.COMMUNITY,
         "the farmers of {place}", "Stop collecting a tax on harvests in {place}"),
    ),
    PartyKind.PARTNER: (
        ("{partner}", PartyKind.COMMUNITY, "the community of {place}",
         "Rehabilitate the water point of {place} before the dry season"),
        ("{partner}", PartyKind.COMMUNITY, "the displaced families of {place}",
         "Distribute shelter kits to the newly displaced families of {place}"),
        ("{partner}", PartyKind.COMMUNITY, "the youth of {place}",
         "Open vocational training places for young people of {place}"),
    ),
    PartyKind.OTHER: (
        ("the parish of {place}", PartyKind.COMMUNITY, "the community of {place}",
         "Host the next inter-community prayer for peace in {place}"),
        ("the traders' association", PartyKind.LOCAL_AUTHORITY, "the chief of {place}",
         "Keep the market of {place} open to traders of all groups"),
    ),
}  # fmt: skip

DONE_NOTES = (
    "Seen on the spot during a field visit.",
    "Confirmed by the chief and the women's representative.",
    "Photos shared by the implementing partner; list of participants kept by the team.",
)
BROKEN_NOTES = (
    "Due date passed twice; the party no longer answers calls.",
    "The roadblock was set up again the following week.",
)
CANCELLED_NOTES = (
    "Overtaken by events: the displaced families returned home.",
    "Replaced by a broader commitment of the provincial authorities.",
    "The community withdrew the request after the council.",
)
VERIFICATION_NOTES = {
    "kept": "Asked at the next forum; participants agreed it was done.",
    "partly": "Women said it was done only in one village out of three.",
    "not_kept": "The community says nothing changed on the ground.",
}


@dataclass(frozen=True)
class PlannedPartner:
    acronym: str
    name: str  # a new organisation actor, unless ``reuse`` names a demo actor
    partner_type: str
    reuse: str = ""  # "cso-coord" (the province's coordination) or "cso" (a local CSO)
    notes: str = ""


PARTNERS: tuple[PlannedPartner, ...] = (
    PlannedPartner("UNDP", "United Nations Development Programme", PartnerType.UN_AGENCY),
    PlannedPartner("UNICEF", "United Nations Children's Fund", PartnerType.UN_AGENCY),
    PlannedPartner("UNHCR", "Office of the UN High Commissioner for Refugees",
                   PartnerType.UN_AGENCY),
    PlannedPartner("PBF", "Peacebuilding Fund (demo)", PartnerType.DONOR,
                   notes="Funds the social cohesion projects of the demo."),
    PlannedPartner("APC", "Action for Peaceful Communities (fictional)", PartnerType.INGO),
    PlannedPartner("TSI", "Terres Solidaires International (fictional)", PartnerType.INGO),
    PlannedPartner("FUPD", "Femmes unies pour la paix et le développement (fictionnel)",
                   PartnerType.NNGO),
    PlannedPartner("JEC", "Jeunesse engagée pour la cohésion (fictionnel)", PartnerType.NNGO),
    PlannedPartner("CSC-K", "", PartnerType.CSO, reuse="cso-coord"),
    PlannedPartner("RPT", "", PartnerType.CSO, reuse="cso"),
)  # fmt: skip


@dataclass(frozen=True)
class PlannedProject:
    code: str
    title: str
    project_type: str
    sector: str
    partner: str  # acronym
    funder: str  # acronym or ""
    budget: int
    currency: str
    start_days: int  # days from today (negative: in the past)
    months: int
    status: str
    beneficiaries: int
    deliverables: tuple[str, ...]


PROJECTS: tuple[PlannedProject, ...] = (
    PlannedProject("QIP-2026-01", "rehabilitation of the primary school", ProjectType.QIP,
                   Sector.EDUCATION, "TSI", "", 48_500, "USD", -200, 4, "completed", 620,
                   ("Roof and walls repaired", "Desks for six classrooms", "Latrines built")),
    PlannedProject("QIP-2026-02", "solar lighting of the water point", ProjectType.QIP,
                   Sector.WASH, "FUPD", "", 18_200, "USD", -150, 3, "completed", 2400,
                   ("Six solar lamps installed", "Management committee trained")),
    PlannedProject("QIP-2026-03", "community radio equipment", ProjectType.QIP,
                   Sector.SOCIAL_COHESION, "JEC", "", 22_000, "USD", -120, 3, "completed", 15000,
                   ("Transmitter installed", "Ten journalists trained")),
    PlannedProject("QIP-2026-04", "police post rehabilitation", ProjectType.QIP,
                   Sector.RULE_OF_LAW, "APC", "", 39_900, "USD", -75, 5, "ongoing", 8000,
                   ("Building works", "Furniture and solar kit", "Handover")),
    PlannedProject("QIP-2026-05", "market hangar and drainage", ProjectType.QIP,
                   Sector.LIVELIHOODS, "TSI", "", 31_000, "USD", -40, 4, "ongoing", 3500,
                   ("Hangar built", "Drainage channel dug")),
    PlannedProject("QIP-2026-06", "health centre maternity ward", ProjectType.QIP,
                   Sector.HEALTH, "APC", "", 49_000, "USD", 20, 5, "planned", 5200,
                   ("Works contract signed", "Maternity ward built")),
    PlannedProject("CVR-2026-01", "vocational training for at-risk youth", ProjectType.CVR,
                   Sector.LIVELIHOODS, "JEC", "UNDP", 120_000_000, "CDF", -170, 9, "ongoing",
                   300, ("First cohort trained", "Start-up kits distributed",
                         "Second cohort trained")),
    PlannedProject("CVR-2026-02", "labour-intensive road repair", ProjectType.CVR,
                   Sector.SHELTER, "UNDP", "", 210_000, "USD", -110, 6, "suspended", 450,
                   ("Twelve km of road repaired", "Workers paid in cash")),
    PlannedProject("PBF-2025-01", "inter-community dialogue and land committees",
                   ProjectType.PEACEBUILDING, Sector.SOCIAL_COHESION, "APC", "PBF", 650_000,
                   "USD", -300, 18, "ongoing", 40000,
                   ("Land committees set up in four territories", "Baseline perception survey",
                    "Mid-term review")),
    PlannedProject("PBF-2025-02", "women's participation in local security committees",
                   ProjectType.PEACEBUILDING, Sector.PROTECTION, "FUPD", "PBF", 420_000, "USD",
                   -260, 12, "ongoing", 1800,
                   ("Training of women leaders", "Seats on security committees",
                    "Exchange visits")),
    PlannedProject("HUM-2026-01", "shelter kits for newly displaced families",
                   ProjectType.HUMANITARIAN, Sector.SHELTER, "UNHCR", "", 95_000, "USD", -130, 3,
                   "completed", 4200, ("Registration of families", "Kits distributed")),
    PlannedProject("HUM-2026-02", "child-friendly spaces in displacement sites",
                   ProjectType.HUMANITARIAN, Sector.PROTECTION, "UNICEF", "", 140_000, "USD",
                   -90, 8, "ongoing", 2600,
                   ("Three spaces opened", "Animators trained")),
    PlannedProject("HUM-2026-03", "emergency water trucking", ProjectType.HUMANITARIAN,
                   Sector.WASH, "UNICEF", "", 60_000, "USD", -30, 2, "cancelled", 0,
                   ("Trucking contract",)),
    PlannedProject("DEV-2026-01", "farmers' cooperatives and seed banks",
                   ProjectType.DEVELOPMENT, Sector.FOOD_SECURITY, "CSC-K", "UNDP", 85_000_000,
                   "CDF", -20, 12, "ongoing", 900,
                   ("Cooperatives registered", "Seed banks stocked")),
    PlannedProject("GOV-2026-01", "support to the chiefdom council", ProjectType.OTHER,
                   Sector.GOVERNANCE, "RPT", "", 12_500, "USD", 35, 6, "planned", 120,
                   ("Council members trained", "Public budget hearing")),
)  # fmt: skip
