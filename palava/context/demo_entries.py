"""The demo knowledge base: what liaison staff would write about the demo places (data only).

Everything is invented: places come from :mod:`palava.places.demo` (P-codes ``CDX...``), linked
leaders and groups from :mod:`palava.actors.demo` (by their plan keys); no real person, group or
event is described. The texts are plausible for an eastern-DRC-like setting: greetings in
Swahili, Lingala and Kinyarwanda, customary chiefs (mwami) and land, market etiquette, church and
mosque practice, sensitivities, gender dynamics and (confidential) security notes.

Each :class:`PlannedEntry` says who wrote it, who edited it (each edit is a revision), who
reviewed it and when, how long it is valid, and its translations; :mod:`palava.context.demo`
replays that story through the knowledge services. Texts are English unless ``language`` says
otherwise; a few were written in French by field staff.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Final, Literal

from palava.actors.models import RecordSensitivity
from palava.context.models import Topic
from palava.missions.models import Role

INTERNAL: Final = int(RecordSensitivity.INTERNAL)
CONFIDENTIAL: Final = int(RecordSensitivity.CONFIDENTIAL)
STRICTLY: Final = int(RecordSensitivity.STRICTLY_CONFIDENTIAL)
PUBLIC: Final = int(RecordSensitivity.PUBLIC)

Outcome = Literal["reviewed", "in_review", "draft", "returned"]


def md(text: str) -> str:
    """A Markdown body written indented in this file, without the indentation."""
    return inspect.cleandoc(text)


@dataclass(frozen=True)
class PlannedTranslation:
    language: str
    title: str
    body: str
    #: Made before the entry's last edit, so it is out of date.
    outdated: bool = False


@dataclass(frozen=True)
class PlannedEdit:
    """A later version of the entry: who made it, why, and the text it replaced."""

    by: str  # role of the editor (the demo user name is the role)
    note: str
    previous_body: str  # the body before this edit


@dataclass(frozen=True)
class PlannedEntry:
    place: str  # P-code or site code
    topic: str
    title: str
    body: str  # the current text (after every edit)
    source: str
    author: str = Role.OFFICER
    reviewer: str | None = Role.MANAGER
    outcome: Outcome = "reviewed"
    sensitivity: int = INTERNAL
    language: str = "en"
    #: Days from today to ``valid_until`` (negative: expired); None: no end date.
    valid_days: int | None = 365
    #: How long ago the review happened (over 365: stale although still valid).
    reviewed_days_ago: int = 20
    actors: tuple[str, ...] = ()  # keys of palava.actors.demo.demo_actors()
    edits: tuple[PlannedEdit, ...] = ()
    translations: tuple[PlannedTranslation, ...] = ()
    review_note: str = ""

    @property
    def first_body(self) -> str:
        return self.edits[0].previous_body if self.edits else self.body

    def body_after(self, edit_index: int) -> str:
        """The text once edit number ``edit_index`` is made."""
        later = self.edits[edit_index + 1 :]
        return later[0].previous_body if later else self.body


_GREETINGS_KIVALUNGA = md(
    """
    Swahili is the common language in markets, churches and most meetings; French is used with
    officials and in writing. Older people in the hills often prefer the local language and
    appreciate even a few words of greeting.

    | Moment | Swahili | Answer |
    |---|---|---|
    | Hello (to one person) | *Hujambo?* / *Habari yako?* | *Sijambo* / *Nzuri* (fine) |
    | Good morning | *Habari ya asubuhi?* | *Nzuri sana* |
    | Welcome | *Karibu* | *Asante* (thank you) |
    | I am sorry / condolences | *Pole* | *Asante* |
    | Goodbye | *Kwaheri* | *Kwaheri* |

    Address older men as *papa* or *baba* and older women as *mama*, followed by the first name
    or title (*Mama Présidente*, *Papa Chef*). Use *mzee* (elder) for a respected old man.
    Never call an adult by the surname alone.
    """
)

_GREETINGS_KIVALUNGA_FR = md(
    """
    Le swahili est la langue commune des marchés, des églises et de la plupart des réunions ; le
    français sert avec les autorités et à l'écrit. Les personnes âgées des collines préfèrent
    souvent la langue locale et apprécient quelques mots de salutation.

    | Moment | Swahili | Réponse |
    |---|---|---|
    | Bonjour (à une personne) | *Hujambo ?* / *Habari yako ?* | *Sijambo* / *Nzuri* (bien) |
    | Bonjour (le matin) | *Habari ya asubuhi ?* | *Nzuri sana* |
    | Bienvenue | *Karibu* | *Asante* (merci) |
    | Désolé / condoléances | *Pole* | *Asante* |
    | Au revoir | *Kwaheri* | *Kwaheri* |

    On appelle les hommes âgés *papa* ou *baba* et les femmes âgées *mama*, suivis du prénom ou
    du titre (*Mama Présidente*, *Papa Chef*). *Mzee* (ancien) marque le respect. On n'appelle
    jamais un adulte par son seul nom de famille.
    """
)

_GREETINGS_KIVALUNGA_AR = md(
    """
    السواحيلية هي اللغة المشتركة في الأسواق والكنائس ومعظم الاجتماعات، وتُستخدم الفرنسية مع
    المسؤولين وفي الكتابة. كبار السن في التلال يفضلون غالبًا اللغة المحلية ويقدّرون بضع كلمات تحية.

    | المناسبة | بالسواحيلية | الرد |
    |---|---|---|
    | مرحبًا (لشخص واحد) | *Hujambo?* / *Habari yako?* | *Sijambo* / *Nzuri* (بخير) |
    | صباح الخير | *Habari ya asubuhi?* | *Nzuri sana* |
    | أهلًا وسهلًا | *Karibu* | *Asante* (شكرًا) |
    | آسف / تعزية | *Pole* | *Asante* |
    | مع السلامة | *Kwaheri* | *Kwaheri* |

    يُنادى كبار السن من الرجال *papa* أو *baba* والنساء *mama* مع الاسم الأول أو اللقب. كلمة
    *mzee* (الشيخ) تعبّر عن الاحترام. لا يُنادى البالغ باسم عائلته وحده.
    """
)

_DOS_KIVALUNGA = md(
    """
    **Do**

    - Greet everyone in the room, starting with the most senior person, and shake hands with
      the right hand (support your right forearm with your left hand for elders).
    - Announce visits to the chief or the *chef de groupement* at least two days ahead, through
      the territory administration.
    - Accept the drink you are offered, even if you only take a sip.
    - Explain who you are, why you came and what will happen with what people tell you.

    **Don't**

    - Don't photograph people, military positions, churches during services or children
      without clear consent.
    - Don't promise projects, jobs or compensation; write down requests and say who decides.
    - Don't ask people which community or ethnic group they belong to.
    - Don't hand out money at meetings, even for transport, unless the programme says so.
    """
)

_DOS_KIVALUNGA_OLD = md(
    """
    **Do**

    - Greet everyone in the room, starting with the most senior person.
    - Announce visits to the chief at least two days ahead.
    - Accept the drink you are offered.

    **Don't**

    - Don't photograph people or military positions without consent.
    - Don't promise projects, jobs or compensation.
    - Don't ask people which community or ethnic group they belong to.
    """
)

_DOS_KIVALUNGA_AR = md(
    """
    **افعل**

    - سلّم على جميع الحاضرين بدءًا بالأكبر مقامًا.
    - أبلغ الزعيم بالزيارة قبل يومين على الأقل.
    - اقبل الشراب الذي يُقدَّم لك.

    **لا تفعل**

    - لا تصوّر الأشخاص أو المواقع العسكرية دون موافقة.
    - لا تَعِد بمشاريع أو وظائف أو تعويضات.
    - لا تسأل الناس عن انتمائهم المجتمعي أو العرقي.
    """
)

_MBUKALE_VISIT_V1 = md(
    """
    The Mwami of Mbukale receives visitors at his residence on weekday mornings. Send a letter
    through the chiefdom secretary.
    """
)

_MBUKALE_VISIT_V2 = md(
    """
    The Mwami of Mbukale receives visitors at his residence on weekday mornings, never on
    Fridays (prayer) or on market day. Send a letter through the chiefdom secretary at least
    three days ahead and say how many people will come.
    """
)

_MBUKALE_VISIT = md(
    """
    The Mwami of Mbukale receives visitors at his residence on weekday mornings, never on
    Fridays (prayer) or on market day. Send a letter through the chiefdom secretary at least
    three days ahead and say how many people will come.

    - The delegation waits to be invited in; the most senior member of the delegation speaks
      first, after the Mwami's spokesperson has introduced the court.
    - The Mwami is addressed as *Mwami* or *Bwana Mwami*, never by his name.
    - Notables sit on his right; do not take a seat before being shown one.
    - Gifts are not expected; if the visit follows a request from the court, a modest contribution
      is handed to the secretary, not to the Mwami, and recorded.

    Since access to the chiefdom is closed (no-go), meetings take place at the territory
    office in Ndemwamba with the Mwami's representative.
    """
)

_LAND_CONFLICT_NESA_V1 = md(
    """
    Nesa and Sune dispute the fields along the stream that marks their boundary. Both chiefs
    claim the right to allocate them.
    """
)

_LAND_CONFLICT_NESA = md(
    """
    The groupements of Nesa and Sune dispute about 300 hectares of fields along the stream that
    marked their boundary before displaced families settled there in 2023. Both chiefs claim the
    right to allocate the land; families who received plots from one chief were chased by young
    men from the other side in February 2025, and movements in Nesa have been restricted since.

    - The two chiefs have met twice under the Imam of Nesa and the pastor of Sune; a third
      session is planned after the harvest.
    - The territory land registry holds a 1970s boundary sketch; both sides contest it.
    - Avoid taking sides on who "owns" the land; speak of "the fields along the stream".
    - Displaced families are caught in the middle and fear losing their harvest.
    """
)


ENTRIES: Final[tuple[PlannedEntry, ...]] = (
    # --- Province of Kivalunga (CDX1): the liaison officer's province ------------------------
    PlannedEntry(
        place="CDX1",
        topic=Topic.LANGUAGES,
        title="Greetings and forms of address in Kivalunga",
        body=_GREETINGS_KIVALUNGA,
        source="Liaison team, compiled from community meetings 2025",
        author=Role.LIAISON,
        reviewer=Role.OFFICER,
        reviewed_days_ago=45,
        valid_days=None,
        translations=(
            PlannedTranslation(
                "fr", "Salutations et formules de politesse au Kivalunga", _GREETINGS_KIVALUNGA_FR
            ),
            PlannedTranslation("ar", "التحية وصيغ المخاطبة في كيفالونغا", _GREETINGS_KIVALUNGA_AR),
        ),
    ),
    PlannedEntry(
        place="CDX1",
        topic=Topic.LEADERSHIP,
        title="Customary chiefs, the state and the land",
        body=md(
            """
            Two hierarchies work side by side. The state has the governor, territory
            administrators and *chefs de secteur*; customary power runs from the *mwami* (king of
            a chefferie) to the *chefs de groupement* and village chiefs (*capita*).

            - The mwami allocates customary land and settles most land and family disputes; his
              court (*baraza*) meets on set days.
            - A visit to a chefferie starts with the mwami or his representative, even when the
              meeting is with the administration.
            - Succession is hereditary and often disputed; two chefferies have rival claimants
              (see the entries for those places).
            - Women rarely hold customary titles in Kivalunga, but several *mamans capita* lead
              villages; in neighbouring Mbeleko three chiefdoms are led by women.
            """
        ),
        source="Provincial division of customary affairs; liaison interviews",
        author=Role.OFFICER,
        reviewer=Role.MANAGER,
        reviewed_days_ago=60,
        actors=("gov-CDX1", "cso-coord-CDX1"),
        edits=(
            PlannedEdit(
                by=Role.LIAISON,
                note="Added the baraza and women chiefs",
                previous_body=md(
                    """
                    Two hierarchies work side by side: the state (governor, territory
                    administrators) and customary chiefs (mwami, chefs de groupement, capita).
                    Start a visit to a chefferie with the mwami or his representative.
                    """
                ),
            ),
        ),
    ),
    PlannedEntry(
        place="CDX1",
        topic=Topic.CUSTOMS,
        title="Hospitality and receiving visitors",
        body=md(
            """
            - Visitors are offered a seat and a drink (tea, soda, sometimes banana beer): accept
              it; refusing food outright is felt as rejection. Say you have eaten if you must.
            - Shake hands with the right hand; with elders, touch your right forearm with your
              left hand. Men and women shake hands, but let women offer their hand first.
            - Meetings start with prayers and introductions that can take half an hour; plan for
              it and do not look at your watch.
            - Bring the agenda to the host first; speakers take turns by seniority.
            - It is polite to arrive slightly late to a home, never to a meeting with a chief.
            """
        ),
        source="Liaison assistants of the Ndemwamba base",
        author=Role.LIAISON,
        reviewer=Role.MANAGER,
        reviewed_days_ago=90,
        translations=(
            PlannedTranslation(
                "fr",
                "L'hospitalité et l'accueil des visiteurs",
                md(
                    """
                    - On offre au visiteur un siège et une boisson (thé, sucré, parfois bière de
                      banane) : acceptez-la ; refuser un repas est ressenti comme un rejet.
                    - Saluez de la main droite ; avec les aînés, touchez votre avant-bras droit de
                      la main gauche. Laissez les femmes tendre la main en premier.
                    - Les réunions commencent par une prière et des présentations qui peuvent durer
                      une demi-heure : prévoyez-le.
                    - Présentez d'abord l'ordre du jour à l'hôte ; on parle par ordre d'ancienneté.
                    - Un léger retard chez un particulier est poli, jamais chez un chef.
                    """
                ),
            ),
        ),
    ),
    PlannedEntry(
        place="CDX1",
        topic=Topic.RELIGION,
        title="Churches and mosques in Kivalunga",
        body=md(
            """
            Most people are Christian: Catholic parishes, Protestant churches and many revival
            churches (*églises de réveil*). Muslims are a minority of about one in ten, more
            numerous among traders in the towns and in Mbukale.

            - Sunday services run from about 8:00 to noon; nothing should be scheduled on Sunday
              morning, and many people keep the whole day.
            - Friday midday prayer (about 12:30 to 14:00) matters in Mbukale and in the town
              markets; avoid meetings with Muslim leaders at that time.
            - Parish peace committees and the interfaith council are trusted mediators; the
              bishop's voice carries across the province.
            - During Ramadan, do not offer food or drinks in daytime meetings with Muslim
              participants; end meetings in time for the evening meal.
            """
        ),
        source="Diocesan justice and peace commission; imam of Mbukale (meeting notes)",
        author=Role.OFFICER,
        reviewer=Role.ADMIN,
        reviewed_days_ago=120,
        actors=("bishop-CDX1", "religious-CDX10106"),
    ),
    PlannedEntry(
        place="CDX1",
        topic=Topic.SENSITIVITIES,
        title="Ethnic labels, origin and citizenship",
        body=md(
            """
            Questions of origin are the most sensitive subject in the province. Who is "from
            here" decides access to land and customary office, and labels have been used to
            mobilise violence.

            - Never ask someone's ethnic group or where "their people" come from; record only
              what a form strictly needs.
            - Avoid the words "natives" and "foreigners" or "newcomers" for groups of citizens;
              say "the communities of X" with the place name.
            - Do not repeat rumours about who supports which armed group.
            - Radio programmes and posters are read through this lens: have the liaison team
              check every public message.
            """
        ),
        source="Civil affairs conflict analysis, 2024; community dialogue forum",
        author=Role.OFFICER,
        reviewer=Role.MANAGER,
        reviewed_days_ago=30,
    ),
    PlannedEntry(
        place="CDX1",
        topic=Topic.DOS_DONTS,
        title="Do's and don'ts for visits in Kivalunga",
        body=_DOS_KIVALUNGA,
        source="Liaison team; lessons from 2024-2025 field visits",
        author=Role.LIAISON,
        reviewer=Role.OFFICER,
        reviewed_days_ago=10,
        edits=(
            PlannedEdit(
                by=Role.MANAGER,
                note="More detail on visits and handshakes; no money at meetings",
                previous_body=_DOS_KIVALUNGA_OLD,
            ),
        ),
        translations=(
            PlannedTranslation(
                "ar", "ما يجب وما لا يجب فعله في كيفالونغا", _DOS_KIVALUNGA_AR, True
            ),
            PlannedTranslation(
                "fr",
                "À faire et à éviter lors des visites au Kivalunga",
                md(
                    """
                    **À faire**

                    - Saluer toutes les personnes présentes, en commençant par la plus âgée, de la
                      main droite (en soutenant l'avant-bras droit de la main gauche avec les
                      aînés).
                    - Annoncer les visites au chef ou au chef de groupement au moins deux jours à
                      l'avance, par l'administration du territoire.
                    - Accepter la boisson offerte, même pour une gorgée.
                    - Dire qui l'on est, pourquoi on vient et ce qui sera fait des informations.

                    **À éviter**

                    - Photographier des personnes, des positions militaires, des églises pendant
                      le culte ou des enfants sans consentement clair.
                    - Promettre des projets, des emplois ou des indemnités.
                    - Demander à quelqu'un sa communauté ou son ethnie.
                    - Distribuer de l'argent en réunion, même pour le transport.
                    """
                ),
            ),
        ),
    ),
    PlannedEntry(
        place="CDX1",
        topic=Topic.GENDER,
        title="Women's participation in community meetings",
        body=md(
            """
            Women attend open meetings but rarely speak when chiefs and elders are present.

            - Hold a separate session with the women's association, with a woman facilitator and
              a woman interpreter.
            - Schedule around fields and water collection: late morning is usually best, never on
              market day.
            - Allow children in the room; provide water.
            - Ask the women's association, not the chief, to invite participants.
            """
        ),
        source="Gender adviser's notes, 2024",
        author=Role.OFFICER,
        reviewer=Role.MANAGER,
        reviewed_days_ago=430,  # stale: not reviewed for over a year
        valid_days=None,
    ),
    PlannedEntry(
        place="CDX1",
        topic=Topic.SECURITY,
        title="Movement rules in Kivalunga",
        body=md(
            """
            - No road movement after 17:30 outside the towns; be back at base before dark.
            - Kukwa and Mbukale are **no-go** (since November and August 2025); Sonduto and
              Susobu are restricted: coordinate with the security cell before any movement.
            - Illegal checkpoints appear on the Ndemwamba-Mwalo road on market days; do not pay,
              do not argue, report the location.
            - Radio checks every hour on the road; two vehicles minimum north of Ndemwamba.
            """
        ),
        source="Sector security cell, weekly assessment",
        sensitivity=CONFIDENTIAL,
        author=Role.OFFICER,
        reviewer=Role.MANAGER,
        reviewed_days_ago=5,
        valid_days=60,
    ),
    PlannedEntry(
        place="CDX1",
        topic=Topic.CONFLICT,
        title="Self-defence groups in Kivalunga: what liaison staff need to know",
        body=md(
            """
            Three self-defence groups claim to protect their communities in the territories of
            Ndoso, Kuki and Mboko. Their commanders have contacts with some chiefs and youth
            groups; they tax markets and roads and recruit young men after clashes.

            - Contact with them goes only through the head of office; liaison staff never meet
              them alone or on their own initiative.
            - Community members who mention them must not be named in any report.
            - Their commanders are listed in the actors registry (strictly confidential).
            """
        ),
        source="Joint mission analysis centre briefing; head of office",
        sensitivity=STRICTLY,
        author=Role.MANAGER,
        reviewer=Role.ADMIN,
        reviewed_days_ago=15,
        valid_days=90,
        actors=("armed-CDX1-1", "armed-CDX1-2", "armed-CDX1-3"),
    ),
    # --- Territory of Ndoso (CDX101) and its chiefdoms ---------------------------------------
    PlannedEntry(
        place="CDX101",
        topic=Topic.LEADERSHIP,
        title="The territorial security council of Ndoso",
        body=md(
            """
            The territory administrator chairs a security council with the police and army
            commanders, the chiefs and two civil society delegates. It meets every first Monday in
            Ndemwamba and is the place to raise protection concerns formally.

            - Send points for the agenda to the administrator's secretary a week ahead.
            - Civil society delegates report back to the chiefdoms; they are good partners for
              messages.
            """
        ),
        source="Territory administration; minutes of council meetings",
        author=Role.LIAISON,
        reviewer=Role.OFFICER,
        reviewed_days_ago=25,
        actors=("council-CDX101", "admin-CDX101"),
    ),
    PlannedEntry(
        place="CDX101",
        topic=Topic.CONFLICT,
        title="Cattle and fields on the Ndoso plateau",
        body=md(
            """
            Herders bring cattle down from the plateau in the dry season (June to September) and
            cross fields that are not yet harvested. Each season brings damaged crops, fines
            that herders refuse to pay and, in bad years, fights between young men.

            - A mixed committee of farmers and herders fixes corridors each May; where it met, the
              season was calmer.
            - Cattle are also savings and are stolen by armed men; herders are armed more often
              than before.
            """
        ),
        source="Farmers' and herders' committee; territory agriculture office",
        author=Role.LIAISON,
        reviewer=Role.OFFICER,
        reviewed_days_ago=200,
    ),
    PlannedEntry(
        place="CDX10105",
        topic=Topic.ASSETS,
        title="Ndemwamba: services and places to meet",
        body=md(
            """
            - **Health**: the general referral hospital and two health centres; the hospital
              hall can host meetings of 60 people.
            - **Schools**: two secondary schools; classrooms are free on Saturday afternoons.
            - **Radio**: the community radio covers the whole territory and runs a Thursday
              evening call-in programme.
            - **Water**: five public taps near the market; queues are long from 6:00 to 8:00.
            - **Meeting places**: the parish hall (ask the parish priest), the chiefdom office.
            """
        ),
        source="Liaison visit, site survey",
        author=Role.LIAISON,
        reviewer=Role.MANAGER,
        reviewed_days_ago=70,
        valid_days=-20,  # stale: validity passed
    ),
    PlannedEntry(
        place="CDX10105002",
        topic=Topic.CUSTOMS,
        title="Market etiquette at the Ndemwamba market",
        body=md(
            """
            The Thursday market draws traders from the whole territory; Monday is a smaller day.

            - Ask before photographing stalls or people, and do not film transactions.
            - Do not park vehicles at the market gates; walk in small groups without weapons.
            - Greet the market committee chair first: the committee collects the market fee and
              knows every trader.
            - Women sell most of the food; talk to the women traders' representative about
              prices and harassment.
            - Bargaining is normal for goods, not for services offered by the committee.
            """
        ),
        source="Traders' association; liaison observation",
        author=Role.LIAISON,
        reviewer=Role.OFFICER,
        reviewed_days_ago=35,
        actors=("traders-CDX10105002",),
        translations=(
            PlannedTranslation(
                "fr",
                "Usages au marché de Ndemwamba",
                md(
                    """
                    Le marché du jeudi attire les commerçants de tout le territoire ; le lundi est
                    un jour plus petit.

                    - Demander avant de photographier des étals ou des personnes.
                    - Ne pas garer de véhicules aux portes du marché ; circuler en petits groupes,
                      sans armes.
                    - Saluer d'abord le président du comité du marché.
                    - Les femmes vendent l'essentiel des vivres : parler à leur représentante des
                      prix et du harcèlement.
                    - Le marchandage est normal pour les biens, pas pour les services du comité.
                    """
                ),
            ),
        ),
    ),
    PlannedEntry(
        place="CDX10104",
        topic=Topic.SECURITY,
        title="Kukwa: no-go and how to keep contact",
        body=md(
            """
            Kukwa is **no-go** since direct threats against mission personnel were reported in
            November 2025. Until the security cell reopens it:

            - Keep contact with the Mwami's representative and the women's association by phone
              through the liaison assistant, and meet them in Ndemwamba.
            - Do not pass on the names of people who call.
            - Incidents reported from Kukwa go to the protection team the same day.
            """
        ),
        source="Security cell; liaison assistant",
        sensitivity=CONFIDENTIAL,
        author=Role.LIAISON,
        reviewer=Role.MANAGER,
        reviewed_days_ago=3,
        valid_days=30,
        actors=("chief-CDX10104", "women-CDX10104"),
    ),
    PlannedEntry(
        place="CDX10104",
        topic=Topic.LEADERSHIP,
        title="Succession of the Mwami of Kukwa",
        body=md(
            """
            The present Mwami was enthroned in 2019; a cousin claims the title and is supported
            by part of the court and by young men of the northern villages. The dispute is before
            the provincial commission on customary succession.

            Do not call either man "the rightful Mwami" in writing; use "the Mwami in office".
            """
        ),
        source="Provincial commission on customary succession (public hearing)",
        author=Role.LIAISON,
        reviewer=None,
        outcome="in_review",
        valid_days=180,
        actors=("chief-CDX10104",),
    ),
    PlannedEntry(
        place="CDX10106",
        topic=Topic.LEADERSHIP,
        title="Visiting the Mwami of Mbukale",
        body=_MBUKALE_VISIT,
        source="Chiefdom secretary; three visits in 2025",
        author=Role.LIAISON,
        reviewer=Role.MANAGER,
        reviewed_days_ago=50,
        actors=("chief-CDX10106",),
        edits=(
            PlannedEdit(
                by=Role.LIAISON,
                note="No visits on Fridays or market day; letter three days ahead",
                previous_body=_MBUKALE_VISIT_V1,
            ),
            PlannedEdit(
                by=Role.OFFICER,
                note="Protocol at the court; meetings in Ndemwamba while no-go",
                previous_body=_MBUKALE_VISIT_V2,
            ),
        ),
        translations=(
            PlannedTranslation(
                "fr",
                "Rendre visite au Mwami de Mbukale",
                md(
                    """
                    Le Mwami de Mbukale reçoit en semaine le matin, jamais le vendredi (prière) ni
                    le jour du marché. Écrire au secrétaire de la chefferie au moins trois jours à
                    l'avance en indiquant le nombre de personnes.
                    """
                ),
                outdated=True,
            ),
        ),
    ),
    PlannedEntry(
        place="CDX10106",
        topic=Topic.RELIGION,
        title="Friday prayer and the Koranic school in Mbukale",
        body=md(
            """
            Mbukale has the largest mosque of the territory. Friday prayer gathers most men of the
            chiefdom centre from about 12:30; the market stops during prayer.

            - The Imam chairs the local interfaith committee with the Catholic parish.
            - The Koranic school runs on weekday afternoons; it is a good channel for messages to
              parents.
            - Dress modestly near the mosque; women visitors cover their shoulders.
            """
        ),
        source="Imam of Mbukale (meeting of March 2025)",
        author=Role.LIAISON,
        reviewer=Role.OFFICER,
        reviewed_days_ago=150,
        actors=("religious-CDX10106",),
    ),
    # --- Territory of Kuki (CDX102) ----------------------------------------------------------
    PlannedEntry(
        place="CDX102",
        topic=Topic.SENSITIVITIES,
        title="Displaced and host families in Kuki",
        body=md(
            """
            Host families have shared fields and houses with displaced people for over two years.
            Aid that goes only to displaced families is resented and has led to theft and threats.

            - Include host families in distributions and in meetings about aid.
            - Do not describe the displaced as "victims" and hosts as "locals" in front of them.
            - Complaints about lists of beneficiaries are the first cause of tension: explain the
              criteria and where to complain.
            """
        ),
        source="Protection cluster; displacement site committees",
        author=Role.LIAISON,
        reviewer=Role.MANAGER,
        reviewed_days_ago=80,
    ),
    PlannedEntry(
        place="CDX10202002",
        topic=Topic.GENDER,
        title="Women and girls at the Bakwa displacement site",
        body=md(
            """
            - Women and girls collect firewood outside the site and report harassment on the
              paths, mostly in the morning; patrols at those hours are welcome.
            - The site committee has two women out of nine members; the women's committee
              meets separately on Tuesdays.
            - Latrines and washing places are not separated by sex in the eastern block.
            - For consultations, send a woman facilitator and meet near the health post, where
              women can come without being noticed.
            """
        ),
        source="Site committee; women's committee meeting",
        sensitivity=CONFIDENTIAL,
        author=Role.LIAISON,
        reviewer=Role.OFFICER,
        reviewed_days_ago=12,
        valid_days=120,
    ),
    # --- Province of Mbeleko (CDX2) ----------------------------------------------------------
    PlannedEntry(
        place="CDX2",
        topic=Topic.LANGUAGES,
        title="Languages of Mbeleko: Swahili, Lingala and Kinyarwanda",
        body=md(
            """
            Swahili is spoken everywhere; French by officials and school leavers. Lingala is the
            language of many soldiers and police, and of traders from the west; Kinyarwanda is
            spoken in the highland groupements.

            | | Lingala | Kinyarwanda |
            |---|---|---|
            | Hello | *Mbote* | *Muraho* |
            | How are you? | *Sango nini?* | *Amakuru?* |
            | Fine | *Malamu* | *Ni meza* |
            | Thank you | *Matondo* | *Murakoze* |

            Choose the language with the host: speaking Lingala at a meeting in the hills can be
            heard as speaking "for the army".
            """
        ),
        source="Liaison assistants (native speakers)",
        author=Role.OFFICER,
        reviewer=Role.MANAGER,
        reviewed_days_ago=100,
        valid_days=None,
        translations=(
            PlannedTranslation(
                "fr",
                "Les langues du Mbeleko : swahili, lingala et kinyarwanda",
                md(
                    """
                    Le swahili est parlé partout ; le français par les autorités et les diplômés.
                    Le lingala est la langue de nombreux militaires et policiers et des
                    commerçants venus de l'ouest ; le kinyarwanda est parlé dans les groupements
                    des hauts plateaux.

                    | | Lingala | Kinyarwanda |
                    |---|---|---|
                    | Bonjour | *Mbote* | *Muraho* |
                    | Comment ça va ? | *Sango nini ?* | *Amakuru ?* |
                    | Bien | *Malamu* | *Ni meza* |
                    | Merci | *Matondo* | *Murakoze* |

                    Choisissez la langue avec l'hôte : parler lingala dans une réunion des
                    collines peut être perçu comme parler « pour l'armée ».
                    """
                ),
            ),
            PlannedTranslation(
                "ar",
                "لغات مبيليكو: السواحيلية واللينغالا والكينيارواندا",
                md(
                    """
                    السواحيلية منتشرة في كل مكان، والفرنسية يتحدث بها المسؤولون والمتعلمون.
                    اللينغالا لغة كثير من الجنود ورجال الشرطة والتجار القادمين من الغرب،
                    والكينيارواندا تُتحدث في تجمعات المرتفعات.

                    | | لينغالا | كينيارواندا |
                    |---|---|---|
                    | مرحبًا | *Mbote* | *Muraho* |
                    | كيف حالك؟ | *Sango nini?* | *Amakuru?* |
                    | بخير | *Malamu* | *Ni meza* |
                    | شكرًا | *Matondo* | *Murakoze* |

                    اختر اللغة بالاتفاق مع المضيف: التحدث باللينغالا في اجتماع في التلال قد يُفهم على
                    أنه حديث «باسم الجيش».
                    """
                ),
            ),
        ),
    ),
    PlannedEntry(
        place="CDX2",
        topic=Topic.RELIGION,
        title="Le diocèse et les comités paroissiaux de paix",
        language="fr",
        body=md(
            """
            Le diocèse couvre toute la province. Ses comités paroissiaux « Justice et Paix »
            documentent les incidents et animent des dialogues entre communautés ; ils sont
            écoutés des deux côtés des conflits fonciers.

            - L'évêque préside le conseil interconfessionnel avec les pasteurs et l'imam
              principal ; une lettre de sa part ouvre beaucoup de portes.
            - Les annonces faites à la messe du dimanche atteignent la majorité des familles.
            - Éviter de tenir des réunions pendant les retraites du clergé (une semaine en
              juillet).
            """
        ),
        source="Commission diocésaine Justice et Paix",
        author=Role.OFFICER,
        reviewer=Role.ADMIN,
        reviewed_days_ago=40,
        actors=("bishop-CDX2",),
        translations=(
            PlannedTranslation(
                "en",
                "The diocese and parish peace committees",
                md(
                    """
                    The diocese covers the whole province. Its parish "Justice and Peace"
                    committees document incidents and run dialogues between communities; both
                    sides of the land disputes listen to them.

                    - The bishop chairs the interfaith council with pastors and the main imam; a
                      letter from him opens many doors.
                    - Announcements at Sunday mass reach most families.
                    - Avoid meetings during the clergy retreat (one week in July).
                    """
                ),
            ),
        ),
    ),
    PlannedEntry(
        place="CDX2",
        topic=Topic.CONFLICT,
        title="Land after displacement in Mbeleko",
        body=md(
            """
            Families returning after displacement often find their fields used by others, sold by
            a relative or reallocated by a chief. Customary allocation and written titles
            (*certificats d'enregistrement*) contradict each other, and land commissions are slow.

            - Most incidents reported to the mission start as land disputes.
            - Boundaries between groupements are contested in at least three places (Nesa and
              Sune among them).
            - Widows and daughters lose land most easily.
            """
        ),
        source="Land conflict survey of the civil affairs section, 2024",
        author=Role.OFFICER,
        reviewer=Role.MANAGER,
        reviewed_days_ago=500,  # stale: not reviewed for over a year
        valid_days=None,
    ),
    PlannedEntry(
        place="CDX2",
        topic=Topic.SECURITY,
        title="Roads and bridges in the rainy season",
        body=md(
            """
            From October to December and March to May, the bridge on the road to Mongolo washes
            out; the roads to Bendu and Lato were repaired in September and October 2025 but
            flood again after heavy rain.

            - Check the road status with the engineers before any movement south of Ndeyo.
            - Vehicles carry a winch and sand mats; plan for a night stop.
            """
        ),
        source="Mission engineers; logistics base of Ndeyo",
        sensitivity=CONFIDENTIAL,
        author=Role.OFFICER,
        reviewer=Role.MANAGER,
        reviewed_days_ago=200,
        valid_days=-45,  # stale: validity passed
    ),
    PlannedEntry(
        place="CDX2",
        topic=Topic.ASSETS,
        title="Channels that reach people in Mbeleko",
        body=md(
            """
            - Two community radios: the Ndeyo station (Swahili and French) and a church station
              (Swahili); both sell airtime for public messages.
            - Church announcements on Sunday and the Friday sermon.
            - Market criers on market days; messages need the market committee's approval.
            - The provincial civil society coordination relays messages to over 80 member
              organisations.
            """
        ),
        source="Public information office",
        author=Role.OFFICER,
        reviewer=Role.MANAGER,
        reviewed_days_ago=55,
        actors=("cso-coord-CDX2",),
    ),
    PlannedEntry(
        place="CDX2",
        topic=Topic.GENDER,
        title="Women's associations and land",
        body=md(
            """
            Women's associations run savings groups (*likelemba*) and collective fields. They are
            the main voice for widows who lose land; chiefs listen to them when the association
            comes with the parish committee.
            """
        ),
        source="Gender desk",
        author=Role.OFFICER,
        reviewer=None,
        outcome="draft",
        valid_days=None,
    ),
    PlannedEntry(
        place="CDX201",
        topic=Topic.CUSTOMS,
        title="Funerals and mourning in Lenyi",
        body=md(
            """
            A death stops work in the village. Mourning (*matanga*) lasts from three days to a
            week; neighbours gather at the family's home day and night.

            - Do not hold meetings in a village during its mourning; postpone and send
              condolences (*pole*) through the chief.
            - A contribution to the family is customary for close partners; give it to the
              family's representative, discreetly.
            - Funerals of chiefs bring the whole chiefdom together for days: check with the
              chiefdom office before planning.
            """
        ),
        source="Liaison assistants; chiefdom secretaries",
        author=Role.OFFICER,
        reviewer=Role.MANAGER,
        reviewed_days_ago=75,
    ),
    PlannedEntry(
        place="CDX20106",
        topic=Topic.CONFLICT,
        title="The Nesa-Sune boundary dispute",
        body=_LAND_CONFLICT_NESA,
        source="Mediation sessions (notes of the religious mediators); territory land office",
        sensitivity=CONFIDENTIAL,
        author=Role.OFFICER,
        reviewer=Role.ADMIN,
        reviewed_days_ago=18,
        valid_days=90,
        actors=("chief-CDX20106", "chief-CDX20104", "religious-CDX20106"),
        edits=(
            PlannedEdit(
                by=Role.MANAGER,
                note="History of the dispute, mediation and advice",
                previous_body=_LAND_CONFLICT_NESA_V1,
            ),
        ),
    ),
    PlannedEntry(
        place="CDX20106",
        topic=Topic.SENSITIVITIES,
        title="Words to avoid in Nesa",
        body=md(
            """
            - Do not call families settled along the stream "squatters" or "occupants"; say
              "families living along the stream".
            - Do not mention the 1970s boundary sketch as proof for either side.
            """
        ),
        source="Religious mediators",
        author=Role.OFFICER,
        reviewer=Role.MANAGER,
        outcome="returned",
        review_note="Please add where the advice comes from and when it was checked.",
        valid_days=90,
    ),
    PlannedEntry(
        place="CDX20101005",
        topic=Topic.DOS_DONTS,
        title="Community visitors at the Ndeyo Operating Base",
        body=md(
            """
            - Community members come to the gate to report incidents: the duty liaison assistant
              receives them outside the gate, in the shaded area, not inside the base.
            - Do not take photographs of visitors; note only what they agree to.
            - Chiefs and religious leaders are received in the meeting room with the duty
              officer; offer water and a seat first.
            """
        ),
        source="Base standing orders (community liaison annex)",
        author=Role.OFFICER,
        reviewer=Role.MANAGER,
        reviewed_days_ago=30,
    ),
    # --- Province of Sanduri (CDX3) ----------------------------------------------------------
    PlannedEntry(
        place="CDX3",
        topic=Topic.LANGUAGES,
        title="Salutations et langues au Sanduri",
        language="fr",
        body=md(
            """
            Le swahili domine ; le kinyarwanda est parlé dans les territoires de Shasi et Mane.
            Les salutations sont longues : on demande des nouvelles de la famille, du travail et
            des champs avant d'aborder le sujet.

            - *Mwaramutse* (kinyarwanda, le matin), *Habari za kazi ?* (swahili, « comment va le
              travail ? »).
            - Remercier avant de partir : *Asante sana* ou *Murakoze cyane*.
            """
        ),
        source="Assistants de liaison de la base de Yande",
        author=Role.OFFICER,
        reviewer=Role.MANAGER,
        reviewed_days_ago=33,
        valid_days=None,
        translations=(
            PlannedTranslation(
                "en",
                "Greetings and languages in Sanduri",
                md(
                    """
                    Swahili dominates; Kinyarwanda is spoken in the territories of Shasi and Mane.
                    Greetings are long: ask about the family, work and fields before coming to the
                    point.

                    - *Mwaramutse* (Kinyarwanda, in the morning), *Habari za kazi?* (Swahili, "how
                      is work?").
                    - Thank people before leaving: *Asante sana* or *Murakoze cyane*.
                    """
                ),
            ),
            PlannedTranslation(
                "ar",
                "التحية واللغات في ساندوري",
                md(
                    """
                    السواحيلية هي السائدة، والكينيارواندا تُتحدث في إقليمي شاسي وماني. التحية طويلة:
                    يُسأل عن الأسرة والعمل والحقول قبل الدخول في الموضوع.

                    - *Mwaramutse* (بالكينيارواندا، صباحًا)، *Habari za kazi?* (بالسواحيلية، «كيف
                      العمل؟»).
                    - اشكر الناس قبل المغادرة: *Asante sana* أو *Murakoze cyane*.
                    """
                ),
            ),
        ),
    ),
    PlannedEntry(
        place="CDX3",
        topic=Topic.LEADERSHIP,
        title="Chiefs and the governor in Sanduri",
        body=md(
            """
            The governor relies on the chiefs to pass messages and to keep young men away from
            armed groups; several chiefs sit in the provincial assembly's customary commission.

            - Announce provincial-level meetings through the governor's cabinet, then inform the
              chiefs: the reverse order offends the cabinet.
            - The civil society coordination is outspoken and trusted by displaced people.
            """
        ),
        source="Head of office; provincial cabinet",
        author=Role.MANAGER,
        reviewer=Role.OFFICER,
        reviewed_days_ago=65,
        actors=("gov-CDX3", "cso-coord-CDX3"),
    ),
    PlannedEntry(
        place="CDX3",
        topic=Topic.CUSTOMS,
        title="Dowry negotiations and weddings",
        body=md(
            """
            Marriages are sealed by the dowry (*dot*) negotiated between the two families, often
            in cattle or goats in the highlands; ceremonies take place on Saturdays, mostly from
            June to September after the harvest.

            - Saturday meetings in the dry season are poorly attended.
            - Dowry debts are a frequent source of family disputes brought to the chiefs.
            """
        ),
        source="Liaison assistants",
        author=Role.OFFICER,
        reviewer=Role.ADMIN,
        reviewed_days_ago=140,
    ),
    PlannedEntry(
        place="CDX3",
        topic=Topic.GENDER,
        title="Women traders on the cross-border roads",
        body=md(
            """
            Women carry most of the small trade between markets. They pay informal fees at every
            checkpoint and report extortion and sexual harassment; few file complaints.

            - The women traders' associations of Yande and Bomundu collect reports; meet them at
              the market on a non-market day.
            - Information about incidents is shared only with their consent and without names.
            """
        ),
        source="Women traders' associations (meetings of 2025)",
        sensitivity=CONFIDENTIAL,
        author=Role.OFFICER,
        reviewer=Role.MANAGER,
        reviewed_days_ago=22,
        valid_days=180,
    ),
    PlannedEntry(
        place="CDX3",
        topic=Topic.CONFLICT,
        title="Transhumance between the highlands and the plains",
        body=md(
            """
            Large herds move from the highlands of Shasi and Mane to the plains between June and
            September. Where corridors are agreed, the season passes without incident; where they
            are not, destroyed crops lead to reprisals against herders and their cattle.

            - The provincial agriculture division publishes the corridors in May.
            - Armed escorts of herds are reported; do not approach them.
            """
        ),
        source="Provincial agriculture division; herders' association",
        author=Role.OFFICER,
        reviewer=Role.MANAGER,
        reviewed_days_ago=300,
    ),
    PlannedEntry(
        place="CDX3",
        topic=Topic.SECURITY,
        title="Movement in Sanduri",
        body=md(
            """
            - Loya and Sundamba are **no-go**; Mbabile (around Kesube), Tiza and Kekwa are
              restricted.
            - Night movement is forbidden outside Yande; the road to Bomundu is escorted on
              Tuesdays and Fridays.
            - Rumours of attacks spread fast by phone before market days: check with the
              security cell rather than cancelling on a rumour.
            """
        ),
        source="Sector security cell",
        sensitivity=CONFIDENTIAL,
        author=Role.OFFICER,
        reviewer=None,
        outcome="in_review",
        valid_days=30,
    ),
    PlannedEntry(
        place="CDX305",
        topic=Topic.ASSETS,
        title="Mane: schools, health posts and the cattle market",
        body=md(
            """
            - The cattle market of Bomundu (Sundays) is the largest of the province.
            - Six health posts; the one in Bomundu has a maternity and a meeting room.
            - The secondary school of Bomundu hosts the territory's youth council.
            """
        ),
        source="Territory office of Mane",
        author=Role.OFFICER,
        reviewer=Role.MANAGER,
        reviewed_days_ago=60,
    ),
    PlannedEntry(
        place="CDX30101",
        topic=Topic.RELIGION,
        title="Loya: mosque, churches and the interfaith committee",
        body=md(
            """
            Loya's population is mixed Muslim and Christian. The Imam and the pastors run an
            interfaith committee that calmed tensions in 2024. Friday prayer and Sunday services
            are both observed; the committee meets on Wednesdays.
            """
        ),
        source="Interfaith committee of Loya",
        author=Role.OFFICER,
        reviewer=Role.MANAGER,
        reviewed_days_ago=240,
        valid_days=-10,  # stale: validity passed
        actors=("religious-CDX30101",),
    ),
    PlannedEntry(
        place="CDX30103001",
        topic=Topic.DOS_DONTS,
        title="Working in Yande",
        body=md(
            """
            - Yande is the province's main town and base: many visitors, many requests. Say
              clearly which programme you work for.
            - Do not buy from children during school hours.
            - Ask the town chief before meeting in the open near the central roundabout: it is
              used for political rallies.
            """
        ),
        source="Yande base liaison team",
        author=Role.OFFICER,
        reviewer=Role.ADMIN,
        reviewed_days_ago=15,
    ),
)
