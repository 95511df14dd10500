"""Build an XLSForm (.xlsx) for a new perception round from bank indicators.

The form has the standard paths of ``bank.STANDARD_PATHS``: a consent question (everything
else is relevant only on "yes"), ``place`` (a select_one over the P-codes given), the
respondent's sex, age (18-110) and group, the chosen indicators in the ``perception`` group
(named by ``question_name``), a ranking of needs (``needs/top_needs``, ODK ``rank`` over
``NEED_CODES``) and the ``start``/``end`` metadata (pyxform adds ``meta/instanceID``). Every
label, hint and constraint message is written in each requested language.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from palava.assessments.indicators import LANGUAGES, Choice, Indicator
from palava.assessments.indicators.bank import (
    GROUP_CODES,
    GROUP_LABELS,
    NEED_CODES,
    NEED_LABELS,
    PERCEPTION_GROUP,
    question_name,
)

LANGUAGE_NAMES: dict[str, str] = {
    "en": "English (en)",
    "fr": "Français (fr)",
    "ar": "العربية (ar)",
}

MAX_PLACES = 5000
_FORM_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,99}$")
_CHOICE_NAME = re.compile(r"^[^\s'\"]{1,64}$")


def _t(en: str, fr: str, ar: str) -> dict[str, str]:
    return {"en": en, "fr": fr, "ar": ar}


TEXT: dict[str, dict[str, str]] = {
    "consent": _t(
        "Hello. We are asking people in this area what they think about security, the UN "
        "mission and the assistance they receive. The interview takes about 15 minutes; your "
        "name is not recorded and you can stop at any time. Do you agree to take part?",
        "Bonjour. Nous demandons aux habitants de ce secteur ce qu'ils pensent de la sécurité, "
        "de la mission de l'ONU et de l'assistance qu'ils reçoivent. L'entretien dure environ "
        "15 minutes ; votre nom n'est pas enregistré et vous pouvez arrêter à tout moment. "
        "Acceptez-vous de participer ?",
        "مرحباً. نسأل سكان هذه المنطقة عن رأيهم في الأمن وبعثة الأمم المتحدة والمساعدة التي "
        "يتلقّونها. تستغرق المقابلة نحو 15 دقيقة، ولن يُسجَّل اسمك، ويمكنك التوقف في أي وقت. "
        "هل توافق على المشاركة؟",
    ),
    "consent_hint": _t(
        "Read the text aloud. Continue only if the person agrees.",
        "Lisez le texte à voix haute. Ne continuez que si la personne accepte.",
        "اقرأ النص بصوت عالٍ. لا تتابع إلا إذا وافق الشخص.",
    ),
    "yes": _t("Yes", "Oui", "نعم"),
    "no": _t("No", "Non", "لا"),
    "no_consent": _t(
        "Thank the person and end the interview.",
        "Remerciez la personne et mettez fin à l'entretien.",
        "اشكر الشخص وأنهِ المقابلة.",
    ),
    "place": _t(
        "Where does the interview take place?",
        "Où se déroule l'entretien ?",
        "أين تُجرى المقابلة؟",
    ),
    "place_hint": _t(
        "Choose the administrative area where the respondent lives.",
        "Choisissez l'entité administrative où vit la personne interrogée.",
        "اختر الوحدة الإدارية التي يعيش فيها المُجيب.",
    ),
    "respondent": _t("About the respondent", "La personne interrogée", "معلومات عن المُجيب"),
    "sex": _t("Sex of the respondent", "Sexe de la personne interrogée", "جنس المُجيب"),
    "female": _t("Female", "Femme", "أنثى"),
    "male": _t("Male", "Homme", "ذكر"),
    "age": _t("How old are you?", "Quel âge avez-vous ?", "كم عمرك؟"),
    "age_hint": _t(
        "In completed years. Interview only people aged 18 or over.",
        "En années révolues. N'interrogez que des personnes de 18 ans ou plus.",
        "بالسنوات الكاملة. لا تُجرِ المقابلة إلا مع من بلغوا 18 عاماً أو أكثر.",
    ),
    "age_constraint": _t(
        "The age must be between 18 and 110.",
        "L'âge doit être compris entre 18 et 110 ans.",
        "يجب أن يكون العمر بين 18 و110 سنوات.",
    ),
    "group": _t(
        "Which of these best describes you?",
        "Laquelle de ces situations vous décrit le mieux ?",
        "أيّ مما يلي يصفك على أفضل وجه؟",
    ),
    "perception": _t(
        "Perceptions of security, trust and assistance",
        "Perceptions de la sécurité, de la confiance et de l'assistance",
        "التصورات حول الأمن والثقة والمساعدة",
    ),
    "needs": _t("Needs of the community", "Besoins de la communauté", "احتياجات المجتمع"),
    "top_needs": _t(
        "Put the needs of your community in order, from the most important to the least important.",
        "Classez les besoins de votre communauté, du plus important au moins important.",
        "رتّب احتياجات مجتمعك من الأكثر أهمية إلى الأقل أهمية.",
    ),
    "top_needs_hint": _t(
        "Read the list, then move the most important need to the top.",
        "Lisez la liste, puis placez le besoin le plus important en haut.",
        "اقرأ القائمة، ثم ضع الحاجة الأكثر أهمية في الأعلى.",
    ),
}

# Interviewer hints per answer list.
LIST_HINTS: dict[str, dict[str, str]] = {
    "agree5": _t(
        "Read the statement, then the five answers. Do not read 'Don't know' or 'Refused'.",
        "Lisez l'affirmation, puis les cinq réponses. Ne lisez pas « Ne sait pas » ni « Refus ».",
        "اقرأ العبارة ثم الإجابات الخمس. لا تقرأ «لا أعرف» ولا «رفض الإجابة».",
    ),
    "yes_no_dk": _t(
        "Do not read the answers.",
        "Ne lisez pas les réponses.",
        "لا تقرأ الإجابات.",
    ),
}
_DEFAULT_HINT = _t(
    "Read the question and the answers. Do not read 'Don't know' or 'Refused'.",
    "Lisez la question et les réponses. Ne lisez pas « Ne sait pas » ni « Refus ».",
    "اقرأ السؤال والإجابات. لا تقرأ «لا أعرف» ولا «رفض الإجابة».",
)


def _text(labels: dict[str, str], lang: str) -> str:
    return labels.get(lang) or labels.get("en") or next(iter(labels.values()), "")


def _plain(value: str) -> str:
    """A name from outside (the gazetteer) as plain label text: no XLSForm ``${...}``
    reference, no line breaks."""
    return " ".join(value.replace("${", "$ {").split())[:255]


def _append(sheet: Any, values: list[str]) -> None:
    """Append a row whose cells are all text (a label starting with "=" is not a formula)."""
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"


class BuildError(ValueError):
    """The form cannot be built from these inputs (the message is shown to the user)."""


def build_xlsform(
    *,
    title: str,
    form_id: str,
    version: str,
    indicators: Sequence[Indicator],
    places: Sequence[tuple[str, dict[str, str]]],
    languages: Sequence[str] = LANGUAGES,
) -> bytes:
    """The XLSForm as ``.xlsx`` bytes. ``places``: ``(pcode, {language: name})`` pairs."""
    langs = [lang for lang in languages if lang in LANGUAGE_NAMES]
    if not langs:
        raise BuildError(_("No supported language."))
    if not _FORM_ID.match(form_id):
        raise BuildError(_("The form id must start with a letter and hold letters, digits or _."))
    if not title.strip():
        raise BuildError(_("The form needs a title."))
    unique_places: dict[str, dict[str, str]] = {}
    for pcode, names in places:
        if pcode and _CHOICE_NAME.match(pcode) and pcode not in unique_places:
            unique_places[pcode] = names
    if not unique_places:
        raise BuildError(_("Choose at least one place."))
    if len(unique_places) > MAX_PLACES:
        raise BuildError(_("Too many places (at most %(max)d).") % {"max": MAX_PLACES})
    chosen: list[Indicator] = []
    names_seen: set[str] = set()
    for ind in indicators:
        name = question_name(ind)
        if name not in names_seen:
            names_seen.add(name)
            chosen.append(ind)
    if not chosen:
        raise BuildError(_("Choose at least one indicator."))

    def cols(prefix: str) -> list[str]:
        return [f"{prefix}::{LANGUAGE_NAMES[lang]}" for lang in langs]

    survey_header = [
        "type",
        "name",
        *cols("label"),
        *cols("hint"),
        "required",
        "relevant",
        "constraint",
        *cols("constraint_message"),
        "appearance",
    ]
    survey: list[list[str]] = []

    def row(
        kind: str,
        name: str,
        label: dict[str, str] | None = None,
        *,
        hint: dict[str, str] | None = None,
        required: bool = False,
        relevant: str = "",
        constraint: str = "",
        constraint_message: dict[str, str] | None = None,
        appearance: str = "",
    ) -> None:
        survey.append(
            [
                kind,
                name,
                *[_text(label, lang) if label else "" for lang in langs],
                *[_text(hint, lang) if hint else "" for lang in langs],
                "yes" if required else "",
                relevant,
                constraint,
                *[_text(constraint_message, lang) if constraint_message else "" for lang in langs],
                appearance,
            ]
        )

    consented = "${consent} = 'yes'"
    row("start", "start")
    row("end", "end")
    row(
        "select_one consent",
        "consent",
        TEXT["consent"],
        hint=TEXT["consent_hint"],
        required=True,
    )
    row("note", "no_consent_note", TEXT["no_consent"], relevant="${consent} = 'no'")
    row(
        "select_one place",
        "place",
        TEXT["place"],
        hint=TEXT["place_hint"],
        required=True,
        relevant=consented,
        appearance="minimal" if len(unique_places) > 12 else "",
    )
    row("begin_group", "respondent", TEXT["respondent"], relevant=consented)
    row("select_one sex", "sex", TEXT["sex"], required=True)
    row(
        "integer",
        "age",
        TEXT["age"],
        hint=TEXT["age_hint"],
        required=True,
        constraint=". >= 18 and . <= 110",
        constraint_message=TEXT["age_constraint"],
    )
    row("select_one respondent_group", "group", TEXT["group"], required=True)
    row("end_group", "respondent")
    row("begin_group", PERCEPTION_GROUP, TEXT["perception"], relevant=consented)
    for ind in chosen:
        row(
            f"{ind.question_type} {ind.list_name}",
            question_name(ind),
            ind.labels,
            hint=LIST_HINTS.get(ind.list_name, _DEFAULT_HINT),
            required=True,
        )
    row("end_group", PERCEPTION_GROUP)
    row("begin_group", "needs", TEXT["needs"], relevant=consented)
    row("rank needs", "top_needs", TEXT["top_needs"], hint=TEXT["top_needs_hint"], required=True)
    row("end_group", "needs")

    choices: list[list[str]] = []

    def choice(list_name: str, name: str, labels: dict[str, str]) -> None:
        choices.append([list_name, name, *[_text(labels, lang) for lang in langs]])

    choice("consent", "yes", TEXT["yes"])
    choice("consent", "no", TEXT["no"])
    for pcode, names in unique_places.items():
        fallback = next((v for v in names.values() if v), pcode)
        choice(
            "place", pcode, {lang: _plain(names.get(lang) or fallback) or pcode for lang in langs}
        )
    choice("sex", "female", TEXT["female"])
    choice("sex", "male", TEXT["male"])
    for code in GROUP_CODES:
        choice("respondent_group", code, GROUP_LABELS[code])
    lists_written: dict[str, tuple[Choice, ...]] = {}
    for ind in chosen:
        if ind.question_type not in ("select_one", "select_multiple"):
            continue
        if ind.list_name in lists_written:
            if lists_written[ind.list_name] != ind.choices:
                raise BuildError(
                    _("Two indicators use the answer list %(name)s differently.")
                    % {"name": ind.list_name}
                )
            continue
        lists_written[ind.list_name] = ind.choices
        for option in ind.choices:
            choice(ind.list_name, option.name, option.labels)
    for code in NEED_CODES:
        choice("needs", code, NEED_LABELS[code])

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "survey"
    _append(sheet, survey_header)
    for line in survey:
        _append(sheet, line)
    choices_sheet = book.create_sheet("choices")
    _append(choices_sheet, ["list_name", "name", *cols("label")])
    for line in choices:
        _append(choices_sheet, line)
    settings = book.create_sheet("settings")
    _append(settings, ["form_title", "form_id", "version", "default_language"])
    _append(settings, [_plain(title), form_id, version, LANGUAGE_NAMES[langs[0]]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
