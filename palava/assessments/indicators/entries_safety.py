"""Bank entries of the safety and trust domains (see :mod:`.bank` for the versioning rule)."""

from __future__ import annotations

from palava.assessments.indicators import Indicator
from palava.assessments.indicators.builders import _DPO, _HHI, _agree
from palava.assessments.indicators.choices import BETTER_WORSE, TRUST5, YES_NO_DK, _t

SAFETY_TRUST: tuple[Indicator, ...] = (
    # --- safety ---------------------------------------------------------------------------
    _agree(
        "safety_feel_safe",
        "safety",
        _t(
            "I feel safe in my village or neighbourhood.",
            "Je me sens en sécurité dans mon village ou mon quartier.",
            "أشعر بالأمان في قريتي أو حيّي.",
        ),
        _t("Feel safe", "Se sentent en sécurité", "يشعرون بالأمان"),
        _HHI,
        tags=("core",),
    ),
    _agree(
        "safety_feel_safe",
        "safety",
        _t(
            "I feel safe in the village or neighbourhood where I live.",
            "Je me sens en sécurité dans le village ou le quartier où je vis.",
            "أشعر بالأمان في القرية أو الحيّ الذي أعيش فيه.",
        ),
        _t("Feel safe", "Se sentent en sécurité", "يشعرون بالأمان"),
        _HHI + "; v2 clarifies 'my' as the place of residence (minor, comparable with v1)",
        version=2,
        comparable_with=(1,),
        tags=("core",),
    ),
    _agree(
        "safety_walk_night",
        "safety",
        _t(
            "I feel safe walking alone in my area after dark.",
            "Je me sens en sécurité quand je marche seul(e) dans mon secteur la nuit.",
            "أشعر بالأمان عندما أمشي وحدي في منطقتي بعد حلول الظلام.",
        ),
        _t("Safe walking at night", "En sécurité la nuit", "آمنون ليلاً"),
        _HHI,
    ),
    Indicator(
        code="safety_trend_year",
        version=1,
        domain="safety",
        labels=_t(
            "Compared with a year ago, how is security in your area now?",
            "Par rapport à il y a un an, comment est la sécurité dans votre secteur aujourd'hui ?",
            "مقارنةً بما كان عليه الوضع قبل عام، كيف هو الأمن في منطقتك الآن؟",
        ),
        hints=_t("Security improved", "Sécurité améliorée", "تحسّن الأمن"),
        question_type="select_one",
        list_name="better_worse",
        choices=BETTER_WORSE,
        kind="proportion",
        positive=("much_better", "better"),
        source=_HHI,
    ),
    _agree(
        "safety_move_freely",
        "safety",
        _t(
            "I can travel to the market, fields and water points without fear.",
            "Je peux me rendre au marché, aux champs et aux points d'eau sans crainte.",
            "أستطيع الذهاب إلى السوق والحقول ونقاط المياه دون خوف.",
        ),
        _t("Move without fear", "Se déplacent sans crainte", "يتنقّلون دون خوف"),
        _DPO,
    ),
    # --- trust ----------------------------------------------------------------------------
    _agree(
        "trust_mission_protects",
        "trust",
        _t(
            "The UN mission helps to protect civilians in my area.",
            "La mission de l'ONU aide à protéger les civils dans mon secteur.",
            "تساعد بعثة الأمم المتحدة على حماية المدنيين في منطقتي.",
        ),
        _t("Mission protects civilians", "La mission protège les civils", "البعثة تحمي المدنيين"),
        _DPO,
        tags=("core", "mission"),
    ),
    Indicator(
        code="trust_mission",
        version=1,
        domain="trust",
        labels=_t(
            "Do you trust the UN mission?",
            "Faites-vous confiance à la mission de l'ONU ?",
            "هل تثق في بعثة الأمم المتحدة؟",
        ),
        hints=_t("Trust the mission", "Confiance dans la mission", "الثقة في البعثة"),
        question_type="select_one",
        list_name="yes_no_dk",
        choices=YES_NO_DK,
        kind="proportion",
        positive=("yes",),
        source=_HHI,
        tags=("mission",),
    ),
    Indicator(
        code="trust_mission",
        version=2,
        domain="trust",
        labels=_t(
            "How much do you trust the UN mission to act in the interest of people like you?",
            "Dans quelle mesure faites-vous confiance à la mission de l'ONU pour agir dans "
            "l'intérêt de personnes comme vous ?",
            "إلى أي مدى تثق في أن بعثة الأمم المتحدة تعمل لمصلحة أشخاص مثلك؟",
        ),
        hints=_t("Trust the mission", "Confiance dans la mission", "الثقة في البعثة"),
        question_type="select_one",
        list_name="trust5",
        choices=TRUST5,
        kind="proportion",
        positive=("a_lot", "completely"),
        # v1 was yes/no: a new scale is a break in the series.
        source=_HHI + "; v2 replaces yes/no by a five-point scale (not comparable with v1)",
        tags=("core", "mission"),
    ),
    Indicator(
        code="trust_mission_score",
        version=1,
        domain="trust",
        labels=_t(
            "On a scale from 'not at all' to 'completely', how much do you trust the UN "
            "peacekeepers deployed in your area?",
            "Sur une échelle allant de « pas du tout » à « complètement », dans quelle mesure "
            "faites-vous confiance aux Casques bleus déployés dans votre secteur ?",
            "على مقياس من «لا أثق إطلاقاً» إلى «أثق تماماً»، إلى أي مدى تثق في قوات حفظ "
            "السلام المنتشرة في منطقتك؟",
        ),
        hints=_t(
            "Trust in peacekeepers (1-5)",
            "Confiance dans les Casques bleus (1-5)",
            "الثقة في قوات حفظ السلام (1-5)",
        ),
        question_type="select_one",
        list_name="trust5",
        choices=TRUST5,
        kind="mean",
        source=_HHI,
        tags=("mission",),
    ),
    _agree(
        "trust_police",
        "trust",
        _t(
            "I trust the national police to protect people in my area.",
            "Je fais confiance à la police nationale pour protéger les habitants de mon secteur.",
            "أثق في أن الشرطة الوطنية تحمي سكان منطقتي.",
        ),
        _t("Trust the police", "Confiance dans la police", "الثقة في الشرطة"),
        _HHI,
    ),
    _agree(
        "trust_local_authorities",
        "trust",
        _t(
            "The local authorities act in the interest of the people of my area.",
            "Les autorités locales agissent dans l'intérêt des habitants de mon secteur.",
            "تعمل السلطات المحلية لمصلحة سكان منطقتي.",
        ),
        _t(
            "Trust local authorities",
            "Confiance dans les autorités locales",
            "الثقة في السلطات المحلية",
        ),
        _HHI,
    ),
)
