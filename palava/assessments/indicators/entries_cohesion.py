"""Bank entries of the fairness, social cohesion and information domains."""

from __future__ import annotations

from palava.assessments.indicators import Indicator
from palava.assessments.indicators.builders import _DPO, _GTS, _HHI, _SCORE, _agree, _yes
from palava.assessments.indicators.choices import _t

COHESION: tuple[Indicator, ...] = (
    # --- fairness -------------------------------------------------------------------------
    _agree(
        "fairness_aid_to_neediest",
        "fairness",
        _t(
            "Assistance goes to the people who need it most.",
            "L'assistance va aux personnes qui en ont le plus besoin.",
            "تصل المساعدة إلى الأشخاص الأكثر حاجة إليها.",
        ),
        _t("Aid reaches the neediest", "L'aide va aux plus démunis", "المساعدة تصل للأكثر حاجة"),
        _GTS,
        tags=("core",),
    ),
    _agree(
        "fairness_mission_impartial",
        "fairness",
        _t(
            "The UN mission treats all communities equally, without favouring any group.",
            "La mission de l'ONU traite toutes les communautés de la même manière, sans "
            "favoriser aucun groupe.",
            "تعامل بعثة الأمم المتحدة جميع المجتمعات على قدم المساواة دون تفضيل أي فئة.",
        ),
        _t("Mission impartial", "Mission impartiale", "حياد البعثة"),
        _DPO,
        tags=("mission",),
    ),
    _agree(
        "fairness_justice_equal",
        "fairness",
        _t(
            "People like me are treated fairly by the courts and the justice system.",
            "Les personnes comme moi sont traitées équitablement par les tribunaux et la justice.",
            "يُعامَل أشخاص مثلي بإنصاف من قِبل المحاكم والجهاز القضائي.",
        ),
        _t("Fair justice", "Justice équitable", "عدالة منصفة"),
        _HHI,
    ),
    # --- social cohesion ------------------------------------------------------------------
    _agree(
        "cohesion_trust_other_groups",
        "social_cohesion",
        _t(
            "I trust people from other communities or ethnic groups who live in my area.",
            "Je fais confiance aux personnes d'autres communautés ou ethnies qui vivent dans "
            "mon secteur.",
            "أثق في الأشخاص من المجتمعات أو الجماعات الإثنية الأخرى الذين يعيشون في منطقتي.",
        ),
        _t("Trust other groups", "Confiance envers les autres groupes", "الثقة في الجماعات الأخرى"),
        _SCORE + "; " + _HHI,
        tags=("core",),
    ),
    _agree(
        "cohesion_displaced_relations",
        "social_cohesion",
        _t(
            "Relations between residents and displaced people in my area are good.",
            "Les relations entre les habitants et les personnes déplacées sont bonnes dans mon "
            "secteur.",
            "العلاقات بين السكان والنازحين في منطقتي جيدة.",
        ),
        _t(
            "Good relations with displaced",
            "Bonnes relations avec les déplacés",
            "علاقات جيدة مع النازحين",
        ),
        _HHI,
    ),
    _agree(
        "cohesion_disputes_peaceful",
        "social_cohesion",
        _t(
            "When disputes arise in my community, they are usually settled peacefully.",
            "Quand des conflits surviennent dans ma communauté, ils sont généralement réglés "
            "de manière pacifique.",
            "عندما تنشأ نزاعات في مجتمعي، تُحلّ عادةً بطرق سلمية.",
        ),
        _t("Disputes settled peacefully", "Conflits réglés pacifiquement", "حلّ النزاعات سلمياً"),
        _SCORE,
    ),
    # --- information ----------------------------------------------------------------------
    _agree(
        "information_informed",
        "information",
        _t(
            "I am well informed about what the UN mission does in my area.",
            "Je suis bien informé(e) de ce que fait la mission de l'ONU dans mon secteur.",
            "أنا على اطّلاع جيد على ما تقوم به بعثة الأمم المتحدة في منطقتي.",
        ),
        _t(
            "Well informed about the mission",
            "Bien informés sur la mission",
            "على اطّلاع على عمل البعثة",
        ),
        _HHI,
        tags=("core", "mission"),
    ),
    _yes(
        "information_know_mandate",
        "information",
        _t(
            "Do you know why the UN mission is present in your country?",
            "Savez-vous pourquoi la mission de l'ONU est présente dans votre pays ?",
            "هل تعرف لماذا توجد بعثة الأمم المتحدة في بلدك؟",
        ),
        _t("Know the mission's purpose", "Connaissent le rôle de la mission", "يعرفون دور البعثة"),
        _HHI,
        tags=("mission",),
    ),
    _agree(
        "information_trusted_sources",
        "information",
        _t(
            "I can find reliable information about security in my area when I need it.",
            "Je peux trouver des informations fiables sur la sécurité dans mon secteur quand "
            "j'en ai besoin.",
            "أستطيع الحصول على معلومات موثوقة عن الأمن في منطقتي عندما أحتاج إليها.",
        ),
        _t(
            "Access reliable information",
            "Accès à une information fiable",
            "الوصول إلى معلومات موثوقة",
        ),
        _GTS + "; " + _DPO,
    ),
)
