"""Person and group names for matching: normalisation, transliteration folding, phonetic keys.

The same person is written many ways in a registry kept by several teams in several languages:
``Mohamed / Mohammed / Muhammad / Mouhamed / محمد``, ``Abdelkader / Abd al-Qadir``,
``Jean-Pierre / Jean Pierre / J.-P.``, ``KABILA Joseph / Joseph Kabila``, ``Chief Deng Ajak /
Deng Ajak``. Three layers make those comparable:

- :func:`normalise_name` folds case and accents, drops titles and honorifics (en, fr, Arabic in
  Latin letters), splits hyphens and joins name particles (``ould``, ``ag``, ``ben``, ``abd``...)
  to the name they belong to;
- :func:`translit_spelling` rewrites one token into a canonical spelling (``ou``/``u``/``w``,
  ``kh``/``k``, ``dj``/``j``, ``sh``/``ch``, vowel classes, doubled letters, final ``-e``);
- :func:`translit_key` reduces that spelling to its consonant skeleton, a phonetic key used for
  blocking duplicate candidates and as evidence of a match.

:func:`name_similarity` combines them into a score in [0, 1], insensitive to token order.
Everything here is pure (no database) and tuned on ``tests/actors/data/name_pairs.csv``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz

from palava.places.text import fold

# Titles and honorifics dropped from the start of a name (folded forms, one token each).
TITLES: frozenset[str] = frozenset(
    {
        # English
        "mr", "mrs", "ms", "mx", "dr", "doctor", "prof", "professor", "hon", "honourable",
        "honorable", "chief", "paramount", "executive", "headman", "sub", "subchief", "rev",
        "reverend", "rt", "fr", "father", "pastor", "bishop", "archbishop", "sister", "brother",
        "gen", "general", "lt", "ltgen", "col", "colonel", "maj", "major", "capt", "captain",
        "cdr", "commander", "cmdr", "sgt", "sergeant", "brig", "brigadier", "mayor", "governor",
        "commissioner", "senator", "deputy", "his", "her", "excellency", "he", "elder", "king",
        "queen", "prince", "princess", "sir", "madam", "lady", "sultan", "emir", "lamido",
        # French
        "mme", "mlle", "monsieur", "madame", "mademoiselle", "docteur", "pr", "me",
        "maitre", "chef", "coutumier", "notable", "mwami", "mwamikazi", "pasteur", "abbe",
        "pere", "soeur", "frere", "mgr", "monseigneur", "eveque", "cardinal", "cure",
        "ir", "ingenieur", "depute", "senateur", "gouverneur", "maire", "bourgmestre",
        "commissaire", "administrateur", "commandant", "cmdt", "cdt", "capitaine", "lieutenant",
        "adjudant", "son", "excellence", "se", "groupement", "localite", "chefferie", "secteur",
        "village", "quartier", "cellule",
        "papa", "maman", "mama",
        # Arabic and Swahili in Latin letters
        "sheikh", "sheik", "shaykh", "cheikh", "cheick", "shaikh", "imam", "iman", "mufti",
        "ustaz", "oustaz", "ustadh", "oustadh", "marabout", "hadj", "hajj", "haj", "hadji",
        "hajji", "alhaji", "alhadji", "elhadj", "elhaj", "elhadji", "hadja", "hajja", "alhaja",
        "sayyid", "sayed", "sidi", "mzee", "bwana", "mwalimu", "sharif", "cherif", "amir",
    }
)  # fmt: skip
# Titles that are also common given names: dropped only when more name follows them and they
# are written with a title's punctuation or followed by another title (see _strip_titles).
_TITLE_ALSO_NAME: frozenset[str] = frozenset(
    {"cheikh", "cheick", "sidi", "sayed", "sayyid", "sharif", "cherif", "amir", "mama", "papa",
     "sultan", "emir", "king", "prince", "elder", "major", "brother", "sister", "iman"}
)  # fmt: skip
# Words of a title phrase ("chef de groupement", "el hadj") that are dropped with it.
_TITLE_GLUE: frozenset[str] = frozenset({"de", "du", "des", "of", "the", "el", "al", "la", "le"})
# Trailing suffixes.
SUFFIXES: frozenset[str] = frozenset({"jr", "junior", "sr", "ii", "iii", "iv", "phd", "esq"})
# Arabic articles written apart ("Omar al-Bashir", "Abd el Kader", "Abd ar-Rahman").
ARTICLES: frozenset[str] = frozenset(
    {"al", "el", "ul", "il", "ad", "ed", "ar", "er", "as", "es", "ash", "ech", "at", "az", "an"}
)
# Particles meaning "son of", "daughter of", "father of", and their canonical forms; a particle
# is joined to the following token ("ould abdelaziz" -> "ouldabdelaziz").
PARTICLES: dict[str, str] = {
    "ould": "ould", "uld": "ould", "wuld": "ould", "walad": "ould", "weld": "ould",
    "wald": "ould", "ag": "ag", "ben": "ben", "bin": "ben", "ibn": "ben", "bn": "ben",
    "bint": "bint", "bent": "bint", "mint": "mint", "ult": "ult", "welet": "ult",
    "abu": "abu", "abou": "abu", "abo": "abu", "wad": "wad", "agg": "ag",
}  # fmt: skip
# "Servant of" prefixes: joined with an optional article and the next token into one name
# ("Abd al-Qadir" -> "abdelqadir", "Abdoul Kader" -> "abdelkader").
_ABD = frozenset(
    {"abd", "abdel", "abdul", "abdoul", "abdal", "abdil", "abdol", "\u0639\u0628\u062f"}
)
# Connecting words dropped from person and group names alike.
_DROP: frozenset[str] = frozenset(
    {"de", "du", "des", "da", "dos", "van", "von", "wa", "la", "le", "les", "et", "pour",
     "of", "the", "and", "for", "en", "sur"}
)  # fmt: skip

_APOSTROPHES = re.compile("['\u2019\u2018`\u00b4\u02bb\u02bc\u02bf\u02be\u02b9\u02c8]")
_ARABIC = re.compile("[\u0600-\u06ff]")
_ARABIC_LETTERS: dict[str, str] = {
    "\u0627": "a", "\u0623": "a", "\u0625": "i", "\u0622": "a", "\u0671": "a",
    "\u0628": "b", "\u062a": "t", "\u062b": "t", "\u062c": "j", "\u062d": "h", "\u062e": "k",
    "\u062f": "d", "\u0630": "d", "\u0631": "r", "\u0632": "z", "\u0633": "s", "\u0634": "S",
    "\u0635": "s", "\u0636": "d", "\u0637": "t", "\u0638": "z", "\u0639": "", "\u063a": "g",
    "\u0641": "f", "\u0642": "k", "\u0643": "k", "\u0644": "l", "\u0645": "m", "\u0646": "n",
    "\u0647": "h", "\u0629": "a", "\u0648": "u", "\u0624": "u", "\u064a": "i", "\u0626": "i",
    "\u0649": "a", "\u0621": "", "\u06cc": "i", "\u06a9": "k", "\u06af": "g", "\u067e": "b",
}  # fmt: skip

_VOWELS = "aiu"


def _tokens(text: str) -> list[str]:
    text = _APOSTROPHES.sub("", text)
    # "J.-P." -> "j p"; fold() turns every non-word run (hyphens, dots, commas) into one space.
    return fold(text).split()


def _strip_titles(tokens: list[str]) -> list[str]:
    """Drop leading titles (and the glue of title phrases), keeping at least one token."""
    start = 0
    while start < len(tokens) - 1:
        token = tokens[start]
        if token in TITLES:
            if token in _TITLE_ALSO_NAME and not _looks_like_title(tokens, start):
                break
            start += 1
            continue
        if token in ("el", "al") and tokens[start + 1] in TITLES:  # "El Hadj", "Al Haji"
            start += 1
            continue
        if start > 0 and token in _TITLE_GLUE and tokens[start - 1] in TITLES:
            start += 1
            continue
        break
    kept = tokens[start:]
    while len(kept) > 1 and kept[-1] in SUFFIXES:
        kept = kept[:-1]
    return kept


def _looks_like_title(tokens: list[str], index: int) -> bool:
    """A word that is both a title and a given name counts as a title when another title
    precedes or follows it ("El Hadj Cheikh Diallo"), or when the name has three or more words
    after it ("Sidi Mohamed Ould Ahmed" keeps Sidi: it is the given name of a short name)."""
    previous = tokens[index - 1] if index > 0 else ""
    following = tokens[index + 1] if index + 1 < len(tokens) else ""
    return previous in TITLES or (following in TITLES and following not in _TITLE_ALSO_NAME)


def _join_abd(tokens: list[str]) -> list[str]:
    """``abd [al] qadir`` -> ``abdelqadir``."""
    out: list[str] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token in _ABD and index + 1 < len(tokens):
            following = index + 1
            if tokens[following] in ARTICLES and following + 1 < len(tokens):
                following += 1
            joined = tokens[following]
            out.append(token + joined if _ARABIC.search(token) else "abdel_" + joined)
            index = following + 1
            continue
        out.append(token)
        index += 1
    return out


def _split_initials(tokens: list[str]) -> list[str]:
    """``jp`` (written "JP") -> ``j p``: a short token without vowels is a run of initials."""
    out: list[str] = []
    for token in tokens:
        short = 1 < len(token) <= 3 and token.isalpha() and not _ARABIC.search(token)
        if short and not re.search("[aeiouy]", token):
            out.extend(token)
            continue
        out.append(token)
    return out


def normalise_name(name: str) -> str:
    """The comparable form of a name: folded, without titles, particles joined.

    ``"Chef Abd al-Qadir OULD Sidi"`` -> ``"abdelqadir ouldsidi"``;
    ``"J.-P. Bemba"`` -> ``"j p bemba"``; ``"Dr. Mukwege, Denis"`` -> ``"mukwege denis"``.
    """
    tokens = _join_abd(_split_initials(_strip_titles(_tokens(name))))
    out: list[str] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if len(tokens) > 1 and index + 1 < len(tokens):
            if token in PARTICLES:
                nxt = index + 1
                if tokens[nxt] in ARTICLES and nxt + 1 < len(tokens):
                    nxt += 1
                out.append(PARTICLES[token] + "_" + tokens[nxt])
                index = nxt + 1
                continue
            if token in ARTICLES or token in _DROP:
                index += 1
                continue
        out.append(token)
        index += 1
    return " ".join(out)


def _arabic_to_latin(token: str) -> str:
    latin = "".join(_ARABIC_LETTERS.get(ch, ch) for ch in token[1:])
    first = "a" if token[:1] == "\u0639" else _ARABIC_LETTERS.get(token[:1], token[:1])
    latin = first + latin
    if latin.startswith("al") and len(latin) > 4:
        latin = latin[2:]
    return latin


# Ordered rewrite rules from folded Latin spellings to a canonical spelling. "S" stands for the
# "sh" sound (sh / ch / sch / tch / tsh), "j" for j / dj / dy / di+vowel; vowels end in four
# classes: a, i (i, y, ee, ie, ai, ei before a consonant), u (u, o, ou, w) and e (a weak vowel
# written for a, i or a schwa, compatible with any other vowel).
_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"x", "ks"),
        (r"chr", "kr"),
        (r"t?sch|t[cs]h|sh|ch", "S"),
        (r"kh|ck|q", "k"),
        (r"gh|rh(?=[aeiouy])", "g"),
        (r"ph", "f"),
        (r"th", "t"),
        (r"dh", "d"),
        (r"dj|dzh|d[iy](?=[aou])", "j"),
        (r"c(?![eiy])", "k"),
        (r"c", "s"),
        (r"ou|oo|w", "u"),
        (r"ee|ie(?![aeiou])", "i"),
        (r"[ae][iy](?![aeiouy])", "i"),
        (r"y", "i"),
        (r"o", "u"),
        (r"^(.{2,}[^aeiu])a$", r"\1"),
        (r"(?<=[aeiu])h$", ""),
        (r"d$", "t"),
        (r"z", "s"),
        (r"^abd[aeiu]*l(?=[^aeiu])|^abd[aeiu]*(?=[^aeiul])", "abdel"),
        (r"^[aei]l(?=[^aeiu]{1,2}[aeiu].{2,})", ""),
        (r"(.)\1+", r"\1"),
    )
)
_FINAL_E = re.compile(r"(?<=[^aeiouycg])(?<!in)(?<!is)(?<!el)(?<!et)(?<!ll)(?<!tt)e$")
_FEMININE_BASE = ("in", "is", "el", "et", "ien", "al", "ier")


def _spell_part(part: str) -> str:
    if _ARABIC.search(part):
        part = _arabic_to_latin(part)
    elif len(part) > 3:
        part = _FINAL_E.sub("", part)
        if len(part) > 4 and part.endswith("es"):  # French plural: femmes, jeunes
            part = _FINAL_E.sub("", part[:-1])
    for pattern, replacement in _RULES:
        part = pattern.sub(replacement, part)
    return part


@lru_cache(maxsize=65536)
def _spelling_with_e(token: str) -> str:
    return re.sub(r"(.)\1+", r"\1", "".join(_spell_part(p) for p in token.split("_") if p))


@lru_cache(maxsize=65536)
def translit_spelling(token: str) -> str:
    """The canonical spelling of one normalised token.

    ``muhammad``, ``mohamed``, ``mouhamed`` -> ``muhamat``; ``hussein``, ``husayn``,
    ``houssein`` -> ``husin``; ``keita``, ``keyta`` -> ``kit``; ``abdel_qadir``, ``abdelkader``
    -> ``abdalkadir`` / ``abdalkadar``. Vowels keep three classes (a/e, i/y, o/u) so ``hassan``
    and ``hussein`` stay apart.
    """
    return re.sub(r"(.)\1+", r"\1", _spelling_with_e(token).replace("e", "a"))


@lru_cache(maxsize=65536)
def translit_key(token: str) -> str:
    """A phonetic key robust to transliteration: the consonant skeleton of the canonical
    spelling (``mohamed``, ``muhammad``, ``mahamat``, ``محمد`` -> ``mhmt``). A token without
    consonants keys on its spelling."""
    spelling = translit_spelling(token)
    skeleton = re.sub(r"(.)\1+", r"\1", re.sub(f"[{_VOWELS}]", "", spelling))
    return skeleton or spelling


def _vowels_compatible(a: str, b: str) -> bool:
    """The vowel classes of two spellings agree one by one (``e`` agrees with any vowel)."""
    va = re.findall("[aeiu]", _spelling_with_e(a))
    vb = re.findall("[aeiu]", _spelling_with_e(b))
    if len(va) != len(vb):
        return False
    return all(x == y or "e" in (x, y) for x, y in zip(va, vb, strict=True))


def _is_arabic(token: str) -> bool:
    return bool(_ARABIC.search(token))


def _feminine_pair(a: str, b: str) -> bool:
    """French given names that differ only by a feminine ending: Justin / Justine,
    Germain / Germaine, Denis / Denise, Daniel / Danielle, Jean / Jeanne."""
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    tail = long_[len(short) :]
    if not long_.startswith(short) or tail not in ("e", "le", "te", "ne"):
        return False
    return short.endswith(_FEMININE_BASE) or (short.endswith("an") and tail == "ne")


@lru_cache(maxsize=262144)
def token_similarity(a: str, b: str) -> float:
    """How alike two normalised tokens are, in [0, 1]. A single letter is an initial."""
    if a == b:
        return 1.0
    if len(a) == 1 or len(b) == 1:
        if a[0] != b[0]:
            return 0.0
        return 1.0 if len(a) == len(b) else 0.9
    if _feminine_pair(a, b):
        return 0.5
    sa, sb = translit_spelling(a), translit_spelling(b)
    if sa == sb:
        return 0.97
    score = fuzz.ratio(sa, sb) / 100.0
    ka, kb = translit_key(a), translit_key(b)
    if ka == kb and len(ka) >= 2:
        if _is_arabic(a) or _is_arabic(b):
            score = max(score, 0.9)
        elif _vowels_compatible(a, b):
            score = max(score, 0.92)
    elif ka != kb:
        score *= 0.93
    return score


def _tokens_for_matching(name: str) -> list[str]:
    return normalise_name(name).split()


def _join_split_words(short: list[str], long_: list[str]) -> list[str]:
    """Join adjacent words of ``long_`` that another name writes as one ("Malu Malu" /
    "Malumalu", "Abu Bakr" / "Abubakr", "Ben Ali" / "Benali")."""
    targets = {translit_spelling(t) for t in short if len(t) > 1}
    out: list[str] = []
    index = 0
    while index < len(long_):
        if index + 1 < len(long_):
            joined = long_[index] + "_" + long_[index + 1]
            if translit_spelling(joined) in targets:
                out.append(joined)
                index += 2
                continue
        out.append(long_[index])
        index += 1
    return out


def name_similarity(a: str, b: str) -> float:
    """How likely two names denote the same person or group, in [0, 1], ignoring token order.

    Tokens are paired greedily by :func:`token_similarity` (phonetic keys, canonical spellings,
    initials). The score is the mean of the paired similarities pulled towards the weakest pair
    (a different given name with the same surname is a different person), lowered for tokens
    left unpaired, and capped when only one full word matches.
    """
    ta, tb = _tokens_for_matching(a), _tokens_for_matching(b)
    if not ta or not tb:
        return 0.0
    if ta == tb:
        return 1.0
    ta, tb = _join_split_words(tb, ta), _join_split_words(ta, tb)
    if len(ta) > len(tb):
        ta, tb = tb, ta
    pairs = sorted(
        ((token_similarity(x, y), i, j) for i, x in enumerate(ta) for j, y in enumerate(tb)),
        reverse=True,
    )
    used_a: set[int] = set()
    used_b: set[int] = set()
    sims: list[float] = []
    initial_pairs = 0
    for sim, i, j in pairs:
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        sims.append(sim)
        if len(ta[i]) == 1 or len(tb[j]) == 1:
            initial_pairs += 1
        if len(used_a) == len(ta):
            break
    score = 0.5 * (sum(sims) / len(sims)) + 0.5 * min(sims)
    full_pairs = len(sims) - initial_pairs
    if full_pairs == 0:
        score = min(score, 0.6)  # initials alone never identify anyone
    elif full_pairs == 1 and initial_pairs == 0 and len(tb) > 1:
        score = min(score, 0.8)  # one word in common, the other name has more
    unpaired = len(tb) - len(ta)
    score *= 1.0 - 0.04 * unpaired - 0.04 * max(0, unpaired - 2)
    return max(0.0, min(1.0, score))
