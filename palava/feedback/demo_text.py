"""Message templates for the demo feedback line: what communities write, in five languages.

Pure data and pure functions (no database): :mod:`palava.feedback.demo` fills the templates
with the demo geography's place names, and ``bench/intake.py`` uses the same generator for
realistic triage and ingest loads. Everything is invented; the wording follows what a community
feedback line in an eastern-DRC-like setting receives (SMS from feature phones, web-form
reports, hotline call notes), written the way people write SMS: accents dropped, abbreviations,
a greeting, a "thank you".

Slots: ``{place}`` and ``{place2}`` (place names as people write them), ``{when}`` (a time
expression), ``{armed}`` (a plural armed actor, nominative), ``{n}`` (3..9) and ``{big}``
(20..300). Templates of the restricted categories (``sea``, ``gbv``, ``child_protection``) stay
factual and non-graphic.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass

LANGUAGES: tuple[str, ...] = ("fr", "en", "ar", "sw", "pt")
LIFE = "life_threatening"
URGENT = "urgent"
ROUTINE = "routine"
SPAM = "spam"  # a pseudo-category: stored as "other", then marked spam by staff


@dataclass(frozen=True)
class Template:
    category: str
    language: str
    urgency: str
    text: str

    @property
    def has_place(self) -> bool:
        return "{place}" in self.text


def _t(category: str, language: str, *rows: tuple[str, str]) -> list[Template]:
    return [Template(category, language, urgency, text) for urgency, text in rows]


_ROWS: list[Template] = [
    # --- security threat -----------------------------------------------------------------------
    *_t(
        "security_threat",
        "en",
        (URGENT, "Armed men seen near {place} {when}, moving towards the village. People are "
                 "afraid, please send a patrol."),
        (URGENT, "{armed} have set up a checkpoint on the road to {place}. They take money and "
                 "phones from everyone."),
        (URGENT, "We received a letter threatening to attack {place} if the chief does not pay. "
                 "Please help us."),
        (LIFE, "Gunshots heard close to {place} right now, {armed} are approaching. Come "
               "quickly!"),
        (ROUTINE, "Strangers with weapons were seen buying food at the market of {place} "
                  "{when}."),
    ),
    *_t(
        "security_threat",
        "fr",
        (URGENT, "Des hommes armés ont été vus près de {place} {when}, ils se dirigent vers le "
                 "village. La population a peur, envoyez une patrouille s'il vous plaît."),
        (URGENT, "{armed} ont érigé une barrière sur la route de {place}, ils rançonnent les "
                 "passants."),
        (URGENT, "Menace d'attaque contre {place}: une lettre a été déposée chez le chef du "
                 "village."),
        (LIFE, "Coups de feu entendus tout près de {place} en ce moment, {armed} avancent vers "
               "nous. Venez vite!"),
        (ROUTINE, "Mouvement suspect d'hommes en tenue militaire entre {place} et {place2} "
                  "{when}."),
        (URGENT, "Les gens fuient {place} car on signale la présence de {armed} dans la forêt."),
    ),
    *_t(
        "security_threat",
        "ar",
        (URGENT, "شوهد رجال مسلحون قرب {place} {when} وهم يتجهون نحو القرية. الناس خائفون، "
                 "نرجو إرسال دورية."),
        (URGENT, "{armed} أقاموا حاجزا على طريق {place} ويأخذون المال من المارة."),
        (URGENT, "وصلتنا رسالة تهديد بمهاجمة {place} إذا لم يدفع الزعيم المال."),
        (LIFE, "إطلاق نار قريب من {place} الآن، المسلحون يقتربون. تعالوا بسرعة!"),
        (ROUTINE, "تحركات مشبوهة لرجال بزي عسكري بين {place} و{place2} {when}."),
    ),
    *_t(
        "security_threat",
        "sw",
        (URGENT, "Watu wenye silaha wameonekana karibu na {place} {when}. Watu wanaogopa, "
                 "tunaomba doria."),
        (LIFE, "Risasi zinasikika karibu na {place} sasa hivi, njooni haraka!"),
    ),
    *_t(
        "security_threat",
        "pt",
        (URGENT, "Homens armados foram vistos perto de {place} {when}. As pessoas têm medo, por "
                 "favor enviem uma patrulha."),
    ),
    # --- violence or incident ------------------------------------------------------------------
    *_t(
        "violence_incident",
        "en",
        (LIFE, "Attack on {place} {when}: {n} people killed and houses burned. Many wounded need "
               "help."),
        (URGENT, "{n} farmers were kidnapped by {armed} near {place} {when}."),
        (LIFE, "Shooting at the market of {place} now, people are wounded, we need help "
               "urgently."),
        (URGENT, "The health centre of {place} was looted {when}. {armed} took all the "
                 "medicines."),
        (URGENT, "A motorbike driver was killed on the road between {place} and {place2} "
                 "{when}. The family asks for justice."),
    ),
    *_t(
        "violence_incident",
        "fr",
        (LIFE, "Attaque à {place} {when}: {n} morts et des maisons incendiées. Plusieurs blessés "
               "ont besoin de soins."),
        (URGENT, "{n} cultivateurs enlevés par {armed} près de {place} {when}."),
        (LIFE, "Fusillade au marché de {place} maintenant, il y a des blessés, au secours!"),
        (URGENT, "Le centre de santé de {place} a été pillé {when}, {armed} ont emporté tous "
                 "les médicaments."),
        (URGENT, "Incursion à {place} {when}: {armed} ont emporté les chèvres et blessé {n} "
                 "personnes."),
        (URGENT, "Un motard a été tué sur l'axe {place}-{place2} {when}."),
    ),
    *_t(
        "violence_incident",
        "ar",
        (LIFE, "هجوم على {place} {when}: قتل {n} أشخاص وأحرقت المنازل. هناك جرحى كثيرون "
               "يحتاجون المساعدة."),
        (URGENT, "اختطف {armed} {n} مزارعين قرب {place} {when}."),
        (LIFE, "إطلاق نار في سوق {place} الآن، يوجد جرحى، النجدة!"),
        (URGENT, "نهب {armed} المركز الصحي في {place} {when} وأخذوا كل الأدوية."),
        (URGENT, "قتل سائق دراجة نارية على الطريق بين {place} و{place2} {when}."),
    ),
    *_t(
        "violence_incident",
        "sw",
        (LIFE, "Shambulio {place} {when}: watu {n} wameuawa na nyumba zimechomwa moto."),
        (URGENT, "Wakulima {n} wametekwa nyara karibu na {place} {when}."),
    ),
    *_t(
        "violence_incident",
        "pt",
        (LIFE, "Ataque em {place} {when}: {n} mortos e casas queimadas. Precisamos de ajuda."),
    ),
    # --- tension or dispute --------------------------------------------------------------------
    *_t(
        "tension_dispute",
        "en",
        (ROUTINE, "Herders' cattle destroyed our fields in {place}. The youth are angry and talk "
                  "about revenge."),
        (URGENT, "Tension at the water point of {place}: displaced and host families fought "
                 "{when}."),
        (ROUTINE, "Land conflict between two families in {place}, they threaten each other. The "
                  "chief cannot settle it."),
        (URGENT, "Young men from {place} and {place2} are gathering with machetes over the "
                 "grazing land."),
        (ROUTINE, "Dispute over the new market fees in {place}, traders refuse to pay and the "
                  "situation is tense."),
    ),
    *_t(
        "tension_dispute",
        "fr",
        (ROUTINE, "Les vaches des éleveurs ont détruit nos champs à {place}. Les jeunes sont "
                  "fâchés et parlent de se venger."),
        (URGENT, "Tension au point d'eau de {place}: bagarre {when} entre déplacés et familles "
                 "d'accueil."),
        (ROUTINE, "Conflit foncier entre deux familles à {place}, ils se menacent. Le chef "
                  "n'arrive pas à régler."),
        (URGENT, "Les jeunes de {place} et de {place2} se regroupent avec des machettes à cause "
                 "des pâturages."),
        (ROUTINE, "Problème de limites de champs à {place}, la communauté demande une "
                  "médiation."),
        (ROUTINE, "Les éleveurs transhumants sont arrivés à {place}, les agriculteurs ont peur "
                  "pour leurs récoltes."),
    ),
    *_t(
        "tension_dispute",
        "ar",
        (ROUTINE, "أبقار الرعاة أتلفت مزارعنا في {place}. الشباب غاضبون ويتحدثون عن الانتقام."),
        (URGENT, "توتر عند نقطة المياه في {place}: شجار {when} بين النازحين والمجتمع المضيف."),
        (ROUTINE, "نزاع على الأرض بين عائلتين في {place}، والزعيم لم يستطع حله."),
        (URGENT, "شباب من {place} و{place2} يتجمعون بالسواطير بسبب المراعي."),
        (ROUTINE, "خلاف بين المزارعين والرعاة حول الماء في {place}، الوضع متوتر."),
    ),
    *_t(
        "tension_dispute",
        "sw",
        (ROUTINE, "Ng'ombe wa wafugaji wameharibu mashamba yetu {place}. Vijana wamekasirika."),
        (URGENT, "Mvutano kwenye kisima cha maji {place} kati ya wakimbizi wa ndani na "
                 "wenyeji."),
    ),
    *_t(
        "tension_dispute",
        "pt",
        (ROUTINE, "Conflito de terra entre duas famílias em {place}, a situação está tensa."),
    ),
    # --- needs: water --------------------------------------------------------------------------
    *_t(
        "need_water",
        "en",
        (URGENT, "No clean water in {place} for {n} days, the pump is broken. Children are "
                 "drinking from the river."),
        (ROUTINE, "The water point at {place} serves too many people, women queue all night. "
                  "Please build a borehole."),
        (ROUTINE, "The well in {place} is dry since the rains stopped."),
    ),
    *_t(
        "need_water",
        "fr",
        (URGENT, "Pas d'eau potable à {place} depuis {n} jours, la pompe est en panne. Les "
                 "enfants boivent l'eau de la rivière."),
        (ROUTINE, "Le point d'eau de {place} est insuffisant, les femmes font la queue toute la "
                  "nuit."),
        (ROUTINE, "La source aménagée de {place} est tarie, nous demandons un forage."),
        (URGENT, "Besoin urgent d'eau au site de {place}, les camions-citernes ne viennent "
                 "plus."),
    ),
    *_t(
        "need_water",
        "ar",
        (URGENT, "لا توجد مياه صالحة للشرب في {place} منذ {n} أيام، المضخة معطلة."),
        (ROUTINE, "نقطة المياه في {place} لا تكفي، النساء ينتظرن طوال الليل."),
        (ROUTINE, "البئر في {place} جفت، نطلب حفر بئر جديدة."),
    ),
    *_t(
        "need_water",
        "sw",
        (URGENT, "Hakuna maji safi {place} kwa siku {n}, pampu imeharibika."),
    ),
    *_t(
        "need_water",
        "pt",
        (URGENT, "Não há água potável em {place} há {n} dias, a bomba está avariada."),
    ),
    # --- needs: food ---------------------------------------------------------------------------
    *_t(
        "need_food",
        "en",
        (URGENT, "Displaced families in {place} have not received food for {n} weeks. People "
                 "are hungry."),
        (ROUTINE, "The harvest failed in {place} and prices at the market doubled. We need food "
                  "aid."),
        (ROUTINE, "The food distribution in {place} skipped our families, we are not on the "
                  "list."),
    ),
    *_t(
        "need_food",
        "fr",
        (URGENT, "Les déplacés de {place} n'ont pas reçu de vivres depuis {n} semaines, les gens "
                 "ont faim."),
        (ROUTINE, "La récolte a échoué à {place} et les prix ont doublé au marché. Nous avons "
                  "besoin d'aide alimentaire."),
        (ROUTINE, "Nos ménages n'ont pas été enregistrés pour la distribution de vivres à "
                  "{place}."),
        (URGENT, "La faim à {place}: les enfants mangent une fois par jour."),
    ),
    *_t(
        "need_food",
        "ar",
        (URGENT, "الأسر النازحة في {place} لم تحصل على طعام منذ {n} أسابيع. الناس جائعون."),
        (ROUTINE, "فشل الحصاد في {place} وتضاعفت الأسعار. نحتاج مساعدات غذائية."),
        (ROUTINE, "لم تسجل عائلاتنا في توزيع الغذاء في {place}."),
    ),
    *_t(
        "need_food",
        "sw",
        (URGENT, "Wakimbizi wa ndani {place} hawajapata chakula kwa wiki {n}. Tuna njaa."),
    ),
    *_t(
        "need_food",
        "pt",
        (URGENT, "As famílias deslocadas em {place} não recebem comida há {n} semanas."),
    ),
    # --- needs: health -------------------------------------------------------------------------
    *_t(
        "need_health",
        "en",
        (URGENT, "Many cases of diarrhoea and vomiting in {place} for {n} days, we fear "
                 "cholera."),
        (ROUTINE, "The health centre in {place} has no medicines and the nurse has left."),
        (LIFE, "A pregnant woman in {place} is bleeding and there is no ambulance, please "
               "help."),
        (URGENT, "Children with fever and rash in {place}, maybe measles. No vaccination here."),
    ),
    *_t(
        "need_health",
        "fr",
        (URGENT, "Plusieurs cas de diarrhée et vomissements à {place} depuis {n} jours, on "
                 "craint le choléra."),
        (ROUTINE, "Le centre de santé de {place} n'a plus de médicaments, l'infirmier est "
                  "parti."),
        (LIFE, "Une femme enceinte saigne à {place}, pas d'ambulance, aidez-nous s'il vous "
               "plaît."),
        (URGENT, "Des enfants ont de la fièvre et des boutons à {place}, peut-être la rougeole."),
        (ROUTINE, "Le paludisme frappe beaucoup d'enfants à {place}, il n'y a pas de "
                  "moustiquaires."),
    ),
    *_t(
        "need_health",
        "ar",
        (URGENT, "حالات كثيرة من الإسهال والقيء في {place} منذ {n} أيام، نخشى الكوليرا."),
        (ROUTINE, "المركز الصحي في {place} بلا أدوية والممرض غادر."),
        (LIFE, "امرأة حامل تنزف في {place} ولا توجد سيارة إسعاف، ساعدونا."),
        (URGENT, "أطفال مصابون بالحمى والطفح الجلدي في {place}، ربما الحصبة."),
    ),
    *_t(
        "need_health",
        "sw",
        (URGENT, "Wagonjwa wengi wa kuhara {place}, tunaogopa kipindupindu."),
    ),
    *_t(
        "need_health",
        "pt",
        (URGENT, "Muitos casos de diarreia em {place}, temos medo da cólera."),
    ),
    # --- needs: shelter ------------------------------------------------------------------------
    *_t(
        "need_shelter",
        "en",
        (URGENT, "More than {big} families who fled to {place} sleep outside, we need "
                 "tarpaulins and blankets."),
        (URGENT, "The rain destroyed the shelters at {place}, people have nowhere to sleep."),
        (ROUTINE, "Houses burned in {place}: the families need plastic sheeting and kitchen "
                  "kits."),
    ),
    *_t(
        "need_shelter",
        "fr",
        (URGENT, "Plus de {big} familles qui ont fui vers {place} dorment dehors, il faut des "
                 "bâches et des couvertures."),
        (URGENT, "La pluie a détruit les abris à {place}, les gens n'ont pas où dormir."),
        (ROUTINE, "Maisons brûlées à {place}: les sinistrés demandent des bâches et des "
                  "ustensiles."),
    ),
    *_t(
        "need_shelter",
        "ar",
        (URGENT, "أكثر من {big} عائلة فرت إلى {place} تنام في العراء، نحتاج أغطية بلاستيكية "
                 "وبطانيات."),
        (URGENT, "دمرت الأمطار الملاجئ في {place} ولا مكان للناس للنوم."),
    ),
    *_t(
        "need_shelter",
        "sw",
        (URGENT, "Familia zaidi ya {big} zilizokimbilia {place} zinalala nje, tunahitaji "
                 "maturubai."),
    ),
    *_t(
        "need_shelter",
        "pt",
        (URGENT, "Mais de {big} famílias que fugiram para {place} dormem ao relento, precisamos "
                 "de lonas."),
    ),
    # --- needs: education ----------------------------------------------------------------------
    *_t(
        "need_education",
        "en",
        (ROUTINE, "The school in {place} has been closed since the attack, the children stay at "
                  "home."),
        (ROUTINE, "Teachers in {place} have not been paid for {n} months and stopped teaching."),
        (ROUTINE, "Displaced children at {place} cannot go to school, there is no classroom."),
    ),
    *_t(
        "need_education",
        "fr",
        (ROUTINE, "L'école de {place} est fermée depuis l'attaque, les enfants restent à la "
                  "maison."),
        (ROUTINE, "Les enseignants de {place} ne sont pas payés depuis {n} mois, ils ont arrêté "
                  "les cours."),
        (ROUTINE, "Les enfants déplacés à {place} ne vont pas à l'école, il n'y a pas de salle "
                  "de classe."),
        (ROUTINE, "L'école primaire de {place} est occupée par des militaires, les élèves ne "
                  "peuvent pas étudier."),
    ),
    *_t(
        "need_education",
        "ar",
        (ROUTINE, "المدرسة في {place} مغلقة منذ الهجوم والأطفال في البيوت."),
        (ROUTINE, "لم يتقاض المعلمون في {place} رواتبهم منذ {n} أشهر."),
        (ROUTINE, "الأطفال النازحون في {place} لا يذهبون إلى المدرسة، لا توجد فصول."),
    ),
    *_t(
        "need_education",
        "sw",
        (ROUTINE, "Shule ya {place} imefungwa tangu shambulio, watoto wanakaa nyumbani."),
    ),
    *_t(
        "need_education",
        "pt",
        (ROUTINE, "A escola de {place} está fechada desde o ataque."),
    ),
    # --- complaints about the mission's conduct ------------------------------------------------
    *_t(
        "conduct_complaint",
        "en",
        (ROUTINE, "A mission vehicle drove very fast through {place} market {when} and hit a "
                  "motorbike. Nobody stopped."),
        (ROUTINE, "We called the base for help when {place} was attacked but the patrol never "
                  "came."),
        (ROUTINE, "Peacekeepers at the checkpoint near {place} insulted the women and took "
                  "their sugar cane."),
        (ROUTINE, "The mission's convoy damaged the bridge at {place} and nobody repaired it."),
    ),
    *_t(
        "conduct_complaint",
        "fr",
        (ROUTINE, "Un véhicule de la mission roulait très vite au marché de {place} {when} et a "
                  "renversé une moto. Personne ne s'est arrêté."),
        (ROUTINE, "Nous avons appelé la base quand {place} était attaqué mais la patrouille "
                  "n'est jamais venue."),
        (ROUTINE, "Des casques bleus au poste près de {place} ont insulté les femmes et pris "
                  "leurs cannes à sucre."),
        (ROUTINE, "Le convoi de la mission a abîmé le pont de {place} et personne ne l'a "
                  "réparé."),
        (ROUTINE, "Les militaires de la base près de {place} jettent leurs déchets dans la "
                  "rivière où nous puisons l'eau."),
    ),
    *_t(
        "conduct_complaint",
        "ar",
        (ROUTINE, "سيارة تابعة للبعثة كانت تسير بسرعة في سوق {place} {when} وصدمت دراجة نارية "
                  "ولم تتوقف."),
        (ROUTINE, "اتصلنا بالقاعدة عند الهجوم على {place} لكن الدورية لم تأت."),
        (ROUTINE, "جنود حفظ السلام عند الحاجز قرب {place} أهانوا النساء."),
        (ROUTINE, "قافلة البعثة أتلفت الجسر في {place} ولم يصلحه أحد."),
    ),
    *_t(
        "conduct_complaint",
        "sw",
        (ROUTINE, "Gari la walinda amani liliendesha kwa kasi sokoni {place} na kugonga "
                  "pikipiki."),
    ),
    *_t(
        "conduct_complaint",
        "pt",
        (ROUTINE, "Um carro da missão atropelou uma mota no mercado de {place} e não parou."),
    ),
    # --- restricted: sexual exploitation and abuse ---------------------------------------------
    *_t(
        "sea",
        "en",
        (URGENT, "A soldier from the base near {place} asks young girls for sex in exchange for "
                 "food. Please stop this."),
        (URGENT, "A 15-year-old girl in {place} is pregnant and says the father is a "
                 "peacekeeper."),
        (URGENT, "A mission staff member offers money to women at {place} in exchange for "
                 "sex."),
    ),
    *_t(
        "sea",
        "fr",
        (URGENT, "Un militaire de la base près de {place} demande des rapports sexuels aux "
                 "jeunes filles contre de la nourriture."),
        (URGENT, "Une fille de 15 ans à {place} est enceinte et dit que le père est un casque "
                 "bleu."),
        (URGENT, "Un agent de la mission propose de l'argent aux femmes de {place} en échange "
                 "de relations sexuelles."),
    ),
    *_t(
        "sea",
        "ar",
        (URGENT, "جندي من القاعدة قرب {place} يطلب علاقات جنسية من الفتيات مقابل الطعام."),
        (URGENT, "فتاة عمرها 15 سنة في {place} حامل وتقول إن الأب من قوات حفظ السلام."),
    ),
    # --- restricted: gender-based violence -----------------------------------------------------
    *_t(
        "gbv",
        "en",
        (URGENT, "Women collecting firewood near {place} were raped by armed men {when}. They "
                 "need medical care."),
        (URGENT, "My neighbour in {place} beats his wife every night, she is badly hurt and "
                 "afraid."),
        (URGENT, "{n} women were assaulted on the way to the fields at {place}."),
    ),
    *_t(
        "gbv",
        "fr",
        (URGENT, "Des femmes qui cherchaient du bois près de {place} ont été violées par des "
                 "hommes armés {when}. Elles ont besoin de soins."),
        (URGENT, "Mon voisin à {place} bat sa femme chaque nuit, elle est gravement blessée."),
        (URGENT, "{n} femmes agressées sur le chemin des champs à {place}."),
    ),
    *_t(
        "gbv",
        "ar",
        (URGENT, "تعرضت نساء يجمعن الحطب قرب {place} للاغتصاب من قبل مسلحين {when}. يحتجن "
                 "رعاية طبية."),
        (URGENT, "جاري في {place} يضرب زوجته كل ليلة وهي مصابة بشدة."),
    ),
    *_t(
        "gbv",
        "sw",
        (URGENT, "Wanawake waliokuwa wakitafuta kuni karibu na {place} wamebakwa {when}."),
    ),
    # --- restricted: child protection ----------------------------------------------------------
    *_t(
        "child_protection",
        "en",
        (URGENT, "{armed} took {n} boys from {place} to join them. The parents are desperate."),
        (URGENT, "A child was separated from her family when people fled {place} and is alone "
                 "at the site."),
        (ROUTINE, "Children in {place} work in the mines instead of going to school."),
        (URGENT, "A 14-year-old girl in {place} is being forced to marry an old man next week."),
    ),
    *_t(
        "child_protection",
        "fr",
        (URGENT, "{armed} ont emmené {n} garçons de {place} pour les enrôler. Les parents sont "
                 "désespérés."),
        (URGENT, "Une enfant a été séparée de sa famille lors de la fuite de {place}, elle est "
                 "seule au site."),
        (ROUTINE, "Des enfants de {place} travaillent dans les carrés miniers au lieu d'aller à "
                  "l'école."),
        (URGENT, "Une fille de 14 ans à {place} va être mariée de force la semaine prochaine."),
    ),
    *_t(
        "child_protection",
        "ar",
        (URGENT, "أخذ {armed} {n} أولاد من {place} لتجنيدهم. الأهل في حالة يأس."),
        (URGENT, "طفلة انفصلت عن عائلتها أثناء الفرار من {place} وهي وحدها في الموقع."),
        (URGENT, "فتاة عمرها 14 سنة في {place} ستزوج بالقوة الأسبوع القادم."),
    ),
    *_t(
        "child_protection",
        "sw",
        (URGENT, "Watoto {n} wamechukuliwa na {armed} kutoka {place} kujiunga nao."),
    ),
    # --- rumour or misinformation --------------------------------------------------------------
    *_t(
        "rumour",
        "en",
        (ROUTINE, "People in {place} say the peacekeepers are spreading the disease. Is it "
                  "true?"),
        (URGENT, "A message is circulating that {armed} will attack {place} on Sunday. Everyone "
                 "is preparing to flee."),
        (ROUTINE, "They say the vaccine given at {place} makes women sterile, so mothers refuse "
                  "it."),
        (ROUTINE, "Rumour in {place}: the mission will close its base and leave next month."),
    ),
    *_t(
        "rumour",
        "fr",
        (ROUTINE, "On dit à {place} que les casques bleus propagent la maladie. Est-ce vrai?"),
        (URGENT, "Un message circule que {armed} vont attaquer {place} dimanche. Tout le monde "
                 "se prépare à fuir."),
        (ROUTINE, "Rumeur à {place}: le vaccin rendrait les femmes stériles, les mamans "
                  "refusent."),
        (ROUTINE, "Les gens racontent que la mission va fermer sa base près de {place} le mois "
                  "prochain."),
        (ROUTINE, "On raconte que la mission soutient un groupe armé contre les gens de "
                  "{place}."),
    ),
    *_t(
        "rumour",
        "ar",
        (ROUTINE, "يقول الناس في {place} إن قوات حفظ السلام تنشر المرض. هل هذا صحيح؟"),
        (URGENT, "رسالة متداولة تقول إن هجوما سيقع على {place} يوم الأحد. الجميع يستعد للفرار."),
        (ROUTINE, "يقولون إن اللقاح في {place} يسبب العقم للنساء."),
        (ROUTINE, "إشاعة في {place} أن البعثة ستغلق قاعدتها وترحل الشهر القادم."),
    ),
    *_t(
        "rumour",
        "sw",
        (ROUTINE, "Watu wa {place} wanasema walinda amani wanaeneza ugonjwa. Ni kweli?"),
    ),
    *_t(
        "rumour",
        "pt",
        (ROUTINE, "Diz-se em {place} que a missão vai fechar a base. É verdade?"),
    ),
    # --- information request -------------------------------------------------------------------
    *_t(
        "information_request",
        "en",
        (ROUTINE, "When will the food distribution take place in {place}?"),
        (ROUTINE, "How can I contact the mission office in {place}?"),
        (ROUTINE, "Is the road from {place} to {place2} safe to travel this week?"),
        (ROUTINE, "Where can we report a missing person from {place}?"),
        (ROUTINE, "What is the number to call when there is an attack?"),
    ),
    *_t(
        "information_request",
        "fr",
        (ROUTINE, "Quand aura lieu la distribution de vivres à {place}?"),
        (ROUTINE, "Comment joindre le bureau de la mission à {place}?"),
        (ROUTINE, "La route de {place} à {place2} est-elle sûre cette semaine?"),
        (ROUTINE, "Où peut-on signaler une personne disparue de {place}?"),
        (ROUTINE, "Quel numéro appeler en cas d'attaque?"),
    ),
    *_t(
        "information_request",
        "ar",
        (ROUTINE, "متى سيتم توزيع الغذاء في {place}؟"),
        (ROUTINE, "كيف يمكنني الاتصال بمكتب البعثة في {place}؟"),
        (ROUTINE, "هل الطريق من {place} إلى {place2} آمن هذا الأسبوع؟"),
        (ROUTINE, "ما هو الرقم الذي نتصل به عند وقوع هجوم؟"),
    ),
    *_t(
        "information_request",
        "sw",
        (ROUTINE, "Usambazaji wa chakula {place} utafanyika lini?"),
    ),
    *_t(
        "information_request",
        "pt",
        (ROUTINE, "Quando será a distribuição de alimentos em {place}?"),
    ),
    # --- positive feedback ---------------------------------------------------------------------
    *_t(
        "positive_feedback",
        "en",
        (ROUTINE, "Thank you for the patrol in {place}, we slept peacefully for the first time "
                  "in weeks."),
        (ROUTINE, "Thanks to the mission for repairing the bridge at {place}."),
        (ROUTINE, "The dialogue meeting in {place} helped a lot, the farmers and herders now "
                  "talk to each other."),
    ),
    *_t(
        "positive_feedback",
        "fr",
        (ROUTINE, "Merci pour la patrouille à {place}, nous avons enfin dormi tranquilles."),
        (ROUTINE, "Merci à la mission pour la réparation du pont de {place}."),
        (ROUTINE, "La réunion de dialogue à {place} a beaucoup aidé, agriculteurs et éleveurs "
                  "se parlent maintenant."),
        (ROUTINE, "Bravo aux casques bleus qui ont escorté les commerçants jusqu'à {place}."),
    ),
    *_t(
        "positive_feedback",
        "ar",
        (ROUTINE, "شكرا على الدورية في {place}، نمنا بسلام لأول مرة منذ أسابيع."),
        (ROUTINE, "شكرا للبعثة على إصلاح الجسر في {place}."),
        (ROUTINE, "اجتماع الحوار في {place} ساعد كثيرا، المزارعون والرعاة يتحدثون الآن."),
    ),
    *_t(
        "positive_feedback",
        "sw",
        (ROUTINE, "Asante kwa doria {place}, tumelala kwa amani."),
    ),
    *_t(
        "positive_feedback",
        "pt",
        (ROUTINE, "Obrigado pela patrulha em {place}, dormimos em paz."),
    ),
    # --- other ---------------------------------------------------------------------------------
    *_t(
        "other",
        "en",
        (ROUTINE, "Hello, is this the mission number?"),
        (ROUTINE, "Please call me back."),
        (ROUTINE, "I want to work for the mission, how do I apply?"),
        (ROUTINE, "test"),
    ),
    *_t(
        "other",
        "fr",
        (ROUTINE, "Bonjour, c'est bien le numéro de la mission?"),
        (ROUTINE, "Rappelez-moi s'il vous plaît."),
        (ROUTINE, "Je cherche du travail à la mission, comment postuler?"),
        (ROUTINE, "test"),
    ),
    *_t(
        "other",
        "ar",
        (ROUTINE, "مرحبا، هل هذا رقم البعثة؟"),
        (ROUTINE, "أرجو الاتصال بي."),
        (ROUTINE, "أريد العمل مع البعثة، كيف أتقدم؟"),
    ),
    *_t("other", "sw", (ROUTINE, "Habari, hii ni namba ya walinda amani?")),
    *_t("other", "pt", (ROUTINE, "Bom dia, este é o número da missão?")),
    # --- spam (stored as "other"; staff mark it spam) ------------------------------------------
    *_t(
        SPAM,
        "en",
        (ROUTINE, "CONGRATULATIONS! You have won 500 USD. Send your PIN code to claim your "
                  "prize."),
    ),
    *_t(
        SPAM,
        "fr",
        (ROUTINE, "Félicitations! Vous avez gagné 50 000 FC. Envoyez 1 000 FC de crédit pour "
                  "recevoir votre prix."),
        (ROUTINE, "Promo: 5 Go d'internet pour 500 FC seulement, tapez *123# maintenant."),
    ),
    *_t(SPAM, "ar", (ROUTINE, "مبروك! ربحت جائزة 500 دولار، أرسل رمزك السري لاستلامها.")),
]  # fmt: skip

TEMPLATES: tuple[Template, ...] = tuple(_ROWS)
CATEGORIES: tuple[str, ...] = tuple(dict.fromkeys(t.category for t in TEMPLATES))


def templates_for(category: str, language: str) -> tuple[Template, ...]:
    """The templates of ``category`` in ``language``, falling back to French then English."""
    for lang in (language, "fr", "en"):
        found = _INDEX.get((category, lang))
        if found:
            return found
    raise KeyError(category)


_INDEX: dict[tuple[str, str], tuple[Template, ...]] = {}
for _template in TEMPLATES:
    _INDEX[(_template.category, _template.language)] = (
        *_INDEX.get((_template.category, _template.language), ()),
        _template,
    )

WHEN: dict[str, tuple[str, ...]] = {
    "en": ("this morning", "last night", "yesterday evening", "at dawn today", "yesterday",
           "a few hours ago"),
    "fr": ("ce matin", "cette nuit", "hier soir", "à l'aube", "hier", "il y a quelques heures"),
    "ar": ("هذا الصباح", "الليلة الماضية", "مساء أمس", "فجر اليوم", "أمس", "قبل ساعات"),
    "sw": ("asubuhi hii", "usiku wa jana", "jana jioni", "jana"),
    "pt": ("esta manhã", "ontem à noite", "hoje de madrugada", "ontem"),
}  # fmt: skip
ARMED: dict[str, tuple[str, ...]] = {
    "en": ("armed men", "militiamen", "men in uniform", "armed bandits", "fighters"),
    "fr": ("des hommes armés", "des miliciens", "des hommes en uniforme", "des bandits armés",
           "des éléments armés"),
    "ar": ("مسلحون", "عناصر ميليشيا", "رجال بزي عسكري", "قطاع طرق مسلحون"),
    "sw": ("watu wenye silaha", "wanamgambo", "majambazi"),
    "pt": ("homens armados", "milicianos"),
}  # fmt: skip
# Said instead of a place name when the sender does not name one (the web form's place field
# may still give it).
NO_PLACE: dict[str, tuple[str, ...]] = {
    "en": ("our village", "our area", "the village"),
    "fr": ("notre village", "chez nous", "notre localité"),
    "ar": ("قريتنا", "منطقتنا"),
    "sw": ("kijiji chetu",),
    "pt": ("a nossa aldeia",),
}
GREETING: dict[str, tuple[str, ...]] = {
    "en": ("Hello, ", "Good morning. ", "Hello mission, ", "Dear peacekeepers, "),
    "fr": ("Bonjour, ", "Bjr ", "Bonsoir, ", "Bonjour la mission, "),
    "ar": ("السلام عليكم، ", "مرحبا، ", "إلى البعثة: "),
    "sw": ("Habari, ", "Jambo, "),
    "pt": ("Bom dia, ",),
}
SIGN_OFF: dict[str, tuple[str, ...]] = {
    "en": (" Thank you.", " Thanks", " Please help."),
    "fr": (" Merci.", " Merci beaucoup", " Aidez-nous."),
    "ar": (" شكرا.", " جزاكم الله خيرا."),
    "sw": (" Asante.",),
    "pt": (" Obrigado.",),
}
URGENT_PREFIX: dict[str, tuple[str, ...]] = {
    "en": ("URGENT: ", "SOS ", "Help! "),
    "fr": ("URGENT: ", "SOS ", "Au secours! "),
    "ar": ("عاجل: ", "نداء استغاثة: "),
    "sw": ("HARAKA: ",),
    "pt": ("URGENTE: ",),
}
HOTLINE_PREFIX: dict[str, tuple[str, ...]] = {
    "en": ("Missed call returned. Caller reports: ", "Call received. Caller says: "),
    "fr": ("Rappel après un bip. L'appelant signale: ", "Appel reçu. L'appelant dit: "),
    "ar": ("اتصال بعد رنة. المتصل يبلغ: ", "مكالمة واردة. يقول المتصل: "),
    "sw": ("Simu imepokelewa. Mpigaji anasema: ",),
    "pt": ("Chamada recebida. O autor diz: ",),
}
_SMS_FR: tuple[tuple[str, str], ...] = (
    ("s'il vous plaît", "svp"),
    ("beaucoup", "bcp"),
    ("nous ", "ns "),
    ("pour ", "pr "),
    ("dans ", "ds "),
    ("quelques", "qq"),
)
_SMS_EN: tuple[tuple[str, str], ...] = (("please", "pls"), ("people", "ppl"), ("you", "u"))
_ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
_SLOT = re.compile(r"\{(place2?|when|armed|n|big)\}")


@dataclass(frozen=True)
class Filled:
    """A composed message body and what it was made from."""

    text: str
    template: Template


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    )


def fill(
    template: Template,
    rng: random.Random,
    *,
    place: str = "",
    place2: str = "",
    n: int | None = None,
) -> str:
    """The template with every slot filled (``place`` empty: "our village" and the like)."""
    lang = template.language
    values = {
        "place": place or rng.choice(NO_PLACE[lang]),
        "place2": place2 or rng.choice(NO_PLACE[lang]),
        "when": rng.choice(WHEN[lang]),
        "armed": rng.choice(ARMED[lang]),
        "n": str(n if n is not None else rng.randint(3, 9)),
        "big": str(rng.choice((20, 30, 45, 60, 80, 120, 150, 200, 300))),
    }
    text = _SLOT.sub(lambda m: values[m.group(1)], template.text)
    return text[0].upper() + text[1:] if text else text


def _greets(text: str, language: str) -> bool:
    start = text.casefold()
    return any(start.startswith(g.strip(" ,.:").casefold()) for g in GREETING[language])


def roughen(text: str, language: str, urgency: str, rng: random.Random) -> str:
    """Write ``text`` the way people type an SMS: greetings, abbreviations, lost accents."""
    if urgency == LIFE and rng.random() < 0.35:
        text = rng.choice(URGENT_PREFIX[language]) + text
    elif rng.random() < 0.2 and not _greets(text, language):
        greeting = rng.choice(GREETING[language])
        text = greeting + (text[0].lower() + text[1:] if language in ("en", "fr") else text)
    if rng.random() < 0.15:
        text = text + rng.choice(SIGN_OFF[language])
    if language == "fr":
        if rng.random() < 0.4:
            text = strip_accents(text)
        if rng.random() < 0.2:
            for long, short in _SMS_FR:
                text = text.replace(long, short)
    elif language == "en" and rng.random() < 0.12:
        for long, short in _SMS_EN:
            text = text.replace(long, short)
    elif language == "ar" and rng.random() < 0.3:
        text = text.translate(_ARABIC_DIGITS)
    if language in ("en", "fr", "sw", "pt"):
        roll = rng.random()
        if roll < 0.12:
            text = text.lower()
        elif roll < 0.15:
            text = text.upper()
    if urgency == LIFE and rng.random() < 0.3:
        text = text.rstrip(".!") + "!!"
    return text


def compose(
    template: Template,
    rng: random.Random,
    *,
    place: str = "",
    place2: str = "",
    n: int | None = None,
    rough: bool = True,
) -> Filled:
    text = fill(template, rng, place=place, place2=place2, n=n)
    if rough:
        text = roughen(text, template.language, template.urgency, rng)
    return Filled(text=text, template=template)
