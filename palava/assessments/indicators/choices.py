"""The bank's shared vocabulary in en/fr/ar: domains, needs, population groups, answer lists."""

from __future__ import annotations

from palava.assessments.indicators import Choice


def _t(en: str, fr: str, ar: str) -> dict[str, str]:
    return {"en": en, "fr": fr, "ar": ar}


DOMAINS: dict[str, dict[str, str]] = {
    "safety": _t("Safety", "Sécurité", "الأمن"),
    "trust": _t("Trust", "Confiance", "الثقة"),
    "accountability": _t("Accountability", "Redevabilité", "المساءلة"),
    "participation": _t("Participation", "Participation", "المشاركة"),
    "assistance": _t("Assistance", "Assistance", "المساعدة"),
    "fairness": _t("Fairness", "Équité", "الإنصاف"),
    "social_cohesion": _t("Social cohesion", "Cohésion sociale", "التماسك الاجتماعي"),
    "information": _t("Information", "Information", "المعلومات"),
}

NEED_CODES: tuple[str, ...] = (
    "water",
    "food",
    "health",
    "education",
    "security",
    "shelter",
    "livelihoods",
    "roads",
    "electricity",
    "justice",
    "documentation",
    "reconciliation",
)

NEED_LABELS: dict[str, dict[str, str]] = {
    "water": _t("Water", "Eau", "المياه"),
    "food": _t("Food", "Nourriture", "الغذاء"),
    "health": _t("Health care", "Soins de santé", "الرعاية الصحية"),
    "education": _t("Education", "Éducation", "التعليم"),
    "security": _t("Security", "Sécurité", "الأمن"),
    "shelter": _t("Shelter", "Abri", "المأوى"),
    "livelihoods": _t(
        "Jobs and livelihoods", "Emploi et moyens de subsistance", "العمل وسبل العيش"
    ),
    "roads": _t("Roads", "Routes", "الطرق"),
    "electricity": _t("Electricity", "Électricité", "الكهرباء"),
    "justice": _t("Justice", "Justice", "العدالة"),
    "documentation": _t(
        "Identity and civil documents",
        "Papiers d'identité et d'état civil",
        "وثائق الهوية والأحوال المدنية",
    ),
    "reconciliation": _t("Reconciliation", "Réconciliation", "المصالحة"),
}

GROUP_CODES: tuple[str, ...] = ("resident", "displaced", "returnee", "host")

GROUP_LABELS: dict[str, dict[str, str]] = {
    "resident": _t("Long-term resident", "Résident de longue date", "مقيم منذ مدة طويلة"),
    "displaced": _t("Internally displaced person", "Personne déplacée interne", "نازح داخلياً"),
    "returnee": _t("Returnee", "Retourné", "عائد"),
    "host": _t("Member of a host family", "Membre d'une famille d'accueil", "فرد من أسرة مضيفة"),
}

# --- shared answer lists -------------------------------------------------------------------

_DK = Choice("dont_know", _t("Don't know", "Ne sait pas", "لا أعرف"))
_REFUSED = Choice("refused", _t("Refused to answer", "Refus de répondre", "رفض الإجابة"))

AGREE5: tuple[Choice, ...] = (
    Choice(
        "strongly_disagree", _t("Strongly disagree", "Pas du tout d'accord", "لا أوافق إطلاقاً"), 1
    ),
    Choice("disagree", _t("Disagree", "Pas d'accord", "لا أوافق"), 2),
    Choice(
        "neither",
        _t("Neither agree nor disagree", "Ni d'accord ni pas d'accord", "لا أوافق ولا أعارض"),
        3,
    ),
    Choice("agree", _t("Agree", "D'accord", "أوافق"), 4),
    Choice("strongly_agree", _t("Strongly agree", "Tout à fait d'accord", "أوافق بشدة"), 5),
    _DK,
    _REFUSED,
)
AGREE_POSITIVE = ("agree", "strongly_agree")

YES_NO_DK: tuple[Choice, ...] = (
    Choice("yes", _t("Yes", "Oui", "نعم"), 1),
    Choice("no", _t("No", "Non", "لا"), 0),
    _DK,
    _REFUSED,
)

BETTER_WORSE: tuple[Choice, ...] = (
    Choice("much_better", _t("Much better", "Bien meilleure", "أفضل بكثير"), 5),
    Choice("better", _t("Somewhat better", "Un peu meilleure", "أفضل قليلاً"), 4),
    Choice("same", _t("About the same", "À peu près la même", "على حالها تقريباً"), 3),
    Choice("worse", _t("Somewhat worse", "Un peu moins bonne", "أسوأ قليلاً"), 2),
    Choice("much_worse", _t("Much worse", "Bien pire", "أسوأ بكثير"), 1),
    _DK,
    _REFUSED,
)

# Ground Truth Solutions' five-point scale ("not at all" .. "completely").
EXTENT5: tuple[Choice, ...] = (
    Choice("not_at_all", _t("Not at all", "Pas du tout", "لا، على الإطلاق"), 1),
    Choice("not_very_much", _t("Not very much", "Pas vraiment", "ليس كثيراً"), 2),
    Choice("somewhat", _t("Somewhat", "Plus ou moins", "إلى حدٍّ ما"), 3),
    Choice("mostly", _t("Mostly", "Oui, en grande partie", "نعم، في الغالب"), 4),
    Choice("completely", _t("Completely", "Oui, complètement", "نعم، تماماً"), 5),
    _DK,
    _REFUSED,
)

# HHI-style trust scale.
TRUST5: tuple[Choice, ...] = (
    Choice("not_at_all", _t("Not at all", "Pas du tout", "لا أثق إطلاقاً"), 1),
    Choice("a_little", _t("A little", "Un peu", "أثق قليلاً"), 2),
    Choice("moderately", _t("Moderately", "Moyennement", "أثق بدرجة متوسطة"), 3),
    Choice("a_lot", _t("A lot", "Beaucoup", "أثق كثيراً"), 4),
    Choice("completely", _t("Completely", "Complètement", "أثق تماماً"), 5),
    _DK,
    _REFUSED,
)

CHOICE_LISTS: dict[str, tuple[Choice, ...]] = {
    "agree5": AGREE5,
    "yes_no_dk": YES_NO_DK,
    "better_worse": BETTER_WORSE,
    "extent5": EXTENT5,
    "trust5": TRUST5,
}
