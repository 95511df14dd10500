"""The demo cultural calendar: events of the demo places besides the standard holidays (data).

National days of a DRC-like country, weekly market days of several towns (P-codes and site codes
of :mod:`palava.places.demo`), the two harvest seasons, transhumance, a chief's court day, a
monthly community work morning and a few one-off local ceremonies. The Islamic and Christian
holidays themselves come from :func:`palava.context.calendar_services.holidays_install`.

One-off ceremonies are dated relative to the day the demo is loaded (``once_days``: from today,
``once_length``: how many days), so the demo always has one coming up and one in the past.
Titles are English, with French and Arabic in ``titles``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from palava.context.models import EventCategory
from palava.context.recurrence import RuleKind


@dataclass(frozen=True)
class PlannedEvent:
    key: str  # slug, unique per place in the demo
    place: str | None  # P-code, site code, or None (mission-wide)
    category: str
    title: str
    fr: str
    ar: str
    rule_kind: str
    rule: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    warn: bool = True
    once_days: int = 0  # ONCE events: first day, counted from today
    once_length: int = 1


def _weekly(*weekdays: int) -> dict[str, Any]:
    return {"weekdays": list(weekdays)}


MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = range(7)

EVENTS: Final[tuple[PlannedEvent, ...]] = (
    # --- National days (mission-wide) ---------------------------------------------------
    PlannedEvent(
        key="martyrs-day",
        place=None,
        category=EventCategory.NATIONAL,
        title="Martyrs of Independence Day",
        fr="Journée des martyrs de l'indépendance",
        ar="يوم شهداء الاستقلال",
        rule_kind=RuleKind.FIXED_ANNUAL,
        rule={"month": 1, "day": 4},
        note="Public holiday: administration closed; commemorations in the territory capitals.",
    ),
    PlannedEvent(
        key="heroes-days",
        place=None,
        category=EventCategory.NATIONAL,
        title="National Heroes' Days",
        fr="Journées des héros nationaux",
        ar="أيام الأبطال الوطنيين",
        rule_kind=RuleKind.FIXED_ANNUAL,
        rule={"month": 1, "day": 16, "duration_days": 2},
        note="Two public holidays; officials attend ceremonies and are not available.",
    ),
    PlannedEvent(
        key="labour-day",
        place=None,
        category=EventCategory.NATIONAL,
        title="Labour Day",
        fr="Fête du travail",
        ar="عيد العمال",
        rule_kind=RuleKind.FIXED_ANNUAL,
        rule={"month": 5, "day": 1},
        note="Public holiday; marches of workers' unions in the towns.",
    ),
    PlannedEvent(
        key="independence-day",
        place=None,
        category=EventCategory.NATIONAL,
        title="Independence Day",
        fr="Fête de l'indépendance",
        ar="عيد الاستقلال",
        rule_kind=RuleKind.FIXED_ANNUAL,
        rule={"month": 6, "day": 30},
        note=(
            "Parades in every territory capital in the morning; administration closed. Avoid "
            "road movements near the parade grounds; police and army are busy with the parade."
        ),
    ),
    PlannedEvent(
        key="parents-day",
        place=None,
        category=EventCategory.NATIONAL,
        title="Parents' Day",
        fr="Fête des parents",
        ar="عيد الآباء",
        rule_kind=RuleKind.FIXED_ANNUAL,
        rule={"month": 8, "day": 1},
        note="Public holiday spent with the family; few people attend meetings.",
    ),
    # --- Seasons --------------------------------------------------------------------------
    PlannedEvent(
        key="harvest-season-a",
        place=None,
        category=EventCategory.SEASON,
        title="Bean and sorghum harvest (first season)",
        fr="Récolte des haricots et du sorgho (saison A)",
        ar="حصاد الفاصوليا والذرة الرفيعة (الموسم الأول)",
        rule_kind=RuleKind.SEASON,
        rule={"start_month": 2, "start_day": 1, "end_month": 3, "end_day": 31},
        note=(
            "Families are in the fields from dawn to early afternoon: hold meetings late in the "
            "afternoon. Thefts of crops and disputes over fields rise."
        ),
    ),
    PlannedEvent(
        key="harvest-season-b",
        place=None,
        category=EventCategory.SEASON,
        title="Bean and sorghum harvest (second season)",
        fr="Récolte des haricots et du sorgho (saison B)",
        ar="حصاد الفاصوليا والذرة الرفيعة (الموسم الثاني)",
        rule_kind=RuleKind.SEASON,
        rule={"start_month": 7, "start_day": 1, "end_month": 8, "end_day": 31},
        note="Fields first: meetings late in the afternoon; weddings on Saturdays after it.",
    ),
    PlannedEvent(
        key="planting-season",
        place="CDX3",
        category=EventCategory.SEASON,
        title="Planting season in Sanduri",
        fr="Saison des semis au Sanduri",
        ar="موسم الزراعة في ساندوري",
        rule_kind=RuleKind.SEASON,
        rule={"start_month": 9, "start_day": 1, "end_month": 10, "end_day": 15},
        note="Mornings in the fields; good for planning, no need to avoid the dates.",
        warn=False,
    ),
    PlannedEvent(
        key="transhumance",
        place="CDX3",
        category=EventCategory.SEASON,
        title="Transhumance season (highlands to plains)",
        fr="Saison de transhumance (des hauts plateaux vers les plaines)",
        ar="موسم الترحال الرعوي (من المرتفعات إلى السهول)",
        rule_kind=RuleKind.SEASON,
        rule={"start_month": 6, "start_day": 1, "end_month": 9, "end_day": 30},
        note=(
            "Herds cross fields on the corridors agreed in May; tension between herders and "
            "farmers. Check the corridors before planning activities on them."
        ),
    ),
    PlannedEvent(
        key="transhumance-ndoso",
        place="CDX101",
        category=EventCategory.SEASON,
        title="Herds come down from the Ndoso plateau",
        fr="Descente des troupeaux du plateau de Ndoso",
        ar="نزول القطعان من هضبة ندوسو",
        rule_kind=RuleKind.SEASON,
        rule={"start_month": 6, "start_day": 15, "end_month": 9, "end_day": 15},
        note="Crop damage and fines disputed; the farmers' and herders' committee is busy.",
    ),
    # --- Weekly market days ---------------------------------------------------------------
    PlannedEvent(
        key="market-ndemwamba",
        place="CDX10105",
        category=EventCategory.MARKET,
        title="Ndemwamba market days",
        fr="Jours de marché de Ndemwamba",
        ar="أيام سوق ندموامبا",
        rule_kind=RuleKind.WEEKLY,
        rule=_weekly(MONDAY, THURSDAY),
        note=(
            "Thursday is the big market (Monday smaller): traders and buyers away from the "
            "villages, checkpoints on the Ndemwamba-Mwalo road. No meetings before 14:00."
        ),
    ),
    PlannedEvent(
        key="market-mwalo",
        place="CDX10206",
        category=EventCategory.MARKET,
        title="Mwalo market day",
        fr="Jour de marché de Mwalo",
        ar="يوم سوق موالو",
        rule_kind=RuleKind.WEEKLY,
        rule=_weekly(TUESDAY),
        note="Women traders leave at dawn; meetings with women's groups are not possible.",
    ),
    PlannedEvent(
        key="market-keki",
        place="CDX10306",
        category=EventCategory.MARKET,
        title="Keki market day",
        fr="Jour de marché de Keki",
        ar="يوم سوق كيكي",
        rule_kind=RuleKind.WEEKLY,
        rule=_weekly(SATURDAY),
        note="Markets close about 15:00.",
    ),
    PlannedEvent(
        key="market-ndeyo",
        place="CDX20101",
        category=EventCategory.MARKET,
        title="Ndeyo market day",
        fr="Jour de marché de Ndeyo",
        ar="يوم سوق ندييو",
        rule_kind=RuleKind.WEEKLY,
        rule=_weekly(WEDNESDAY),
        note="The road from the south is crowded with bicycles and porters from early morning.",
    ),
    PlannedEvent(
        key="market-libeba",
        place="CDX20204",
        category=EventCategory.MARKET,
        title="Libeba market (every second Friday)",
        fr="Marché de Libeba (un vendredi sur deux)",
        ar="سوق ليبيبا (كل يوم جمعة ثانٍ)",
        rule_kind=RuleKind.WEEKLY,
        rule={"weekdays": [FRIDAY], "interval_weeks": 2, "anchor": "2026-01-02"},
        note="Traders come from the neighbouring territories; the chief is at the market.",
    ),
    PlannedEvent(
        key="market-yande",
        place="CDX30103",
        category=EventCategory.MARKET,
        title="Yande market day",
        fr="Jour de marché de Yande",
        ar="يوم سوق ياندي",
        rule_kind=RuleKind.WEEKLY,
        rule=_weekly(SATURDAY),
        note="Rumours of attacks spread before market days: check with the security cell.",
    ),
    PlannedEvent(
        key="cattle-market-bomundu",
        place="CDX30504002",
        category=EventCategory.MARKET,
        title="Bomundu cattle market",
        fr="Marché au bétail de Bomundu",
        ar="سوق الماشية في بوموندو",
        rule_kind=RuleKind.WEEKLY,
        rule=_weekly(SUNDAY),
        note="The largest cattle market of the province; herders and armed escorts in town.",
    ),
    # --- Local customs and ceremonies -----------------------------------------------------
    PlannedEvent(
        key="baraza-mbukale",
        place="CDX10106",
        category=EventCategory.CEREMONY,
        title="Court day (baraza) of the Mwami of Mbukale",
        fr="Jour de la cour (baraza) du Mwami de Mbukale",
        ar="يوم مجلس (بارازا) موامي مبوكالي",
        rule_kind=RuleKind.MONTHLY_NTH_WEEKDAY,
        rule={"weekday": TUESDAY, "n": 1},
        note="The Mwami and notables hear disputes all day; no visits to the court.",
    ),
    PlannedEvent(
        key="salongo-mbeleko",
        place="CDX2",
        category=EventCategory.OTHER,
        title="Community work morning (salongo)",
        fr="Matinée de travaux communautaires (salongo)",
        ar="صباح العمل المجتمعي (سالونغو)",
        rule_kind=RuleKind.MONTHLY_NTH_WEEKDAY,
        rule={"weekday": SATURDAY, "n": 1},
        note="Roads and markets are cleaned until about 11:00; shops and offices open late.",
    ),
    PlannedEvent(
        key="enthronement-nozi",
        place="CDX10205",
        category=EventCategory.CEREMONY,
        title="Enthronement of the new Mwami of Nozi",
        fr="Intronisation du nouveau Mwami de Nozi",
        ar="تنصيب الموامي الجديد في نوزي",
        rule_kind=RuleKind.ONCE,
        once_days=40,
        once_length=3,
        note=(
            "Three days of ceremonies with chiefs from the whole province; the mission is "
            "invited to the last day only. Crowds on the roads; no other activity in Nozi."
        ),
    ),
    PlannedEvent(
        key="reconciliation-nesa-sune",
        place="CDX20106",
        category=EventCategory.CEREMONY,
        title="Reconciliation ceremony of Nesa and Sune",
        fr="Cérémonie de réconciliation de Nesa et Sune",
        ar="مراسم المصالحة بين نيسا وسوني",
        rule_kind=RuleKind.ONCE,
        once_days=75,
        note="Planned after the harvest by the religious mediators; date still to be confirmed.",
    ),
    PlannedEvent(
        key="harvest-festival-mane",
        place="CDX305",
        category=EventCategory.CEREMONY,
        title="Harvest festival of Mane",
        fr="Fête des récoltes de Mane",
        ar="مهرجان الحصاد في ماني",
        rule_kind=RuleKind.ONCE,
        once_days=-30,
        once_length=2,
        note="Dances and cattle exhibitions in Bomundu.",
    ),
    PlannedEvent(
        key="commemoration-mbemba",
        place="CDX10203",
        category=EventCategory.CEREMONY,
        title="Day of remembrance of the 2023 displacement",
        fr="Journée du souvenir du déplacement de 2023",
        ar="يوم ذكرى نزوح عام 2023",
        rule_kind=RuleKind.FIXED_ANNUAL,
        rule={"month": 9, "day": 14},
        note="Prayers and a march to the displacement site; emotions run high, keep a low profile.",
    ),
)
