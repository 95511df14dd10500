"""Bank entries of the accountability, participation and assistance domains."""

from __future__ import annotations

from palava.assessments.indicators import Indicator
from palava.assessments.indicators.builders import _DPO, _GTS, _SCORE, _agree, _yes
from palava.assessments.indicators.choices import EXTENT5, _t

ACCOUNTABILITY: tuple[Indicator, ...] = (
    # --- accountability -------------------------------------------------------------------
    _yes(
        "accountability_know_complain",
        "accountability",
        _t(
            "Do you know how to make a suggestion or a complaint to the UN mission?",
            "Savez-vous comment faire une suggestion ou une plainte à la mission de l'ONU ?",
            "هل تعرف كيف تقدّم اقتراحاً أو شكوى إلى بعثة الأمم المتحدة؟",
        ),
        _t("Know how to complain", "Savent comment se plaindre", "يعرفون كيف يشتكون"),
        _GTS,
        tags=("core",),
    ),
    _agree(
        "accountability_complaint_heard",
        "accountability",
        _t(
            "If I made a complaint to the mission, I believe it would be taken seriously.",
            "Si je faisais une plainte à la mission, je pense qu'elle serait prise au sérieux.",
            "إذا قدّمت شكوى إلى البعثة، أعتقد أنها ستؤخذ على محمل الجد.",
        ),
        _t("Complaints taken seriously", "Plaintes prises au sérieux", "الشكاوى تؤخذ بجدية"),
        _GTS,
    ),
    _yes(
        "accountability_report_abuse",
        "accountability",
        _t(
            "Would you know where to report abuse or exploitation by UN personnel, "
            "including sexual abuse?",
            "Sauriez-vous où signaler des abus ou de l'exploitation commis par du personnel de "
            "l'ONU, y compris des abus sexuels ?",
            "هل تعرف أين تبلّغ عن الإساءة أو الاستغلال من قِبل موظفي الأمم المتحدة، بما في "
            "ذلك الاعتداء الجنسي؟",
        ),
        _t(
            "Know where to report abuse",
            "Savent où signaler un abus",
            "يعرفون أين يبلّغون عن الإساءة",
        ),
        _DPO + " (conduct and discipline, SEA reporting)",
    ),
    # --- participation --------------------------------------------------------------------
    _yes(
        "participation_consulted",
        "participation",
        _t(
            "In the past twelve months, were people in your community consulted about the "
            "UN mission's activities in your area?",
            "Au cours des douze derniers mois, les membres de votre communauté ont-ils été "
            "consultés sur les activités de la mission de l'ONU dans votre secteur ?",
            "خلال الاثني عشر شهراً الماضية، هل استُشير أفراد مجتمعك بشأن أنشطة بعثة الأمم "
            "المتحدة في منطقتك؟",
        ),
        _t("Community consulted", "Communauté consultée", "استشارة المجتمع"),
        _DPO,
        tags=("core",),
    ),
    _agree(
        "participation_opinion_counts",
        "participation",
        _t(
            "The mission and aid organisations take the opinions of people like me into account.",
            "La mission et les organisations d'aide tiennent compte de l'avis de personnes "
            "comme moi.",
            "تأخذ البعثة ومنظمات الإغاثة آراء أشخاص مثلي بعين الاعتبار.",
        ),
        _t("Opinion counts", "Leur avis compte", "رأيهم مهم"),
        _GTS,
    ),
    _agree(
        "participation_women_decide",
        "participation",
        _t(
            "Women in my community can take part in decisions about local security and peace.",
            "Les femmes de ma communauté peuvent participer aux décisions sur la sécurité et la "
            "paix locales.",
            "تستطيع النساء في مجتمعي المشاركة في القرارات المتعلقة بالأمن والسلام المحليين.",
        ),
        _t(
            "Women take part in decisions",
            "Les femmes participent aux décisions",
            "مشاركة النساء في القرار",
        ),
        _SCORE,
    ),
    # --- assistance -----------------------------------------------------------------------
    Indicator(
        code="assistance_needs_met",
        version=1,
        domain="assistance",
        labels=_t(
            "Does the assistance provided in your area meet your most important needs?",
            "L'assistance fournie dans votre secteur répond-elle à vos besoins les plus "
            "importants ?",
            "هل تلبّي المساعدة المقدَّمة في منطقتك أهمّ احتياجاتك؟",
        ),
        hints=_t(
            "Assistance meets needs (1-5)",
            "L'assistance répond aux besoins (1-5)",
            "المساعدة تلبّي الاحتياجات (1-5)",
        ),
        question_type="select_one",
        list_name="extent5",
        choices=EXTENT5,
        kind="mean",
        source=_GTS + " (relevance question, 1-5 scale)",
        tags=("core",),
    ),
    _agree(
        "assistance_respect",
        "assistance",
        _t(
            "Mission staff and aid workers treat people in my community with respect.",
            "Le personnel de la mission et les humanitaires traitent les gens de ma communauté "
            "avec respect.",
            "يعامل موظفو البعثة وعمّال الإغاثة أفراد مجتمعي باحترام.",
        ),
        _t("Treated with respect", "Traités avec respect", "يُعاملون باحترام"),
        _GTS,
    ),
    _agree(
        "assistance_projects_useful",
        "assistance",
        _t(
            "The projects of the UN mission in my area are useful to the community.",
            "Les projets de la mission de l'ONU dans mon secteur sont utiles à la communauté.",
            "مشاريع بعثة الأمم المتحدة في منطقتي مفيدة للمجتمع.",
        ),
        _t("Mission projects useful", "Projets de la mission utiles", "مشاريع البعثة مفيدة"),
        _DPO + " (quick-impact projects)",
    ),
)
