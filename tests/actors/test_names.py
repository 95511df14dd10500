"""Name normalisation, transliteration keys and similarity, evaluated on a labelled set."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from palava.actors.duplicates import NAME_THRESHOLD, blocking_recall
from palava.actors.names import name_similarity, normalise_name, translit_key

PAIRS_FILE = Path(__file__).parent / "data" / "name_pairs.csv"
# Floors the implementation meets on the labelled set at NAME_THRESHOLD (measured: precision
# 0.958, recall 0.976 on 489 pairs; see the printed figures). Raise them when matching improves.
PRECISION_FLOOR = 0.94
RECALL_FLOOR = 0.95
BLOCKING_RECALL_FLOOR = 0.98


def _pairs() -> list[dict[str, str]]:
    with PAIRS_FILE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Chef de groupement Kalambayi MUKENDI", "kalambayi mukendi"),
        ("Dr. Mukwege, Denis", "mukwege denis"),
        ("Hon. Jane Nyandeng", "jane nyandeng"),
        ("Imam Mahmoud Dicko", "mahmoud dicko"),
        ("El Hadj Oumar Tall", "oumar tall"),
        ("Abbé Apollinaire Malumalu", "apollinaire malumalu"),
        ("J.-P. Bemba", "j p bemba"),
        ("JP Bemba", "j p bemba"),
        ("Abd al-Qadir Maïga", "abdel_qadir maiga"),
        ("Mohamed Ould Abdel Aziz", "mohamed ould_abdel_aziz"),
        ("Iyad ag-Ghaly", "iyad ag_ghaly"),
        ("Zine al-Abidine bin Ali", "zine abidine ben_ali"),
        ("N'Diaye", "ndiaye"),
        ("Omar al-Bashir", "omar bashir"),
        # a title alone stays: it is all there is of the name
        ("Imam", "imam"),
        # Cheikh is also a given name: kept unless another title is next to it
        ("Cheikh Tidiane Gadio", "cheikh tidiane gadio"),
        ("El Hadj Cheikh Diallo", "diallo"),
    ],
)
def test_normalise_name_drops_titles_and_joins_particles(raw: str, expected: str) -> None:
    assert normalise_name(raw) == expected


@pytest.mark.parametrize(
    "variants",
    [
        ("Mohamed", "Mohammed", "Muhammad", "Mohammad", "Mouhamed", "Mahamat", "محمد"),
        ("Hussein", "Hussain", "Housseini", "Husayn", "Houssein", "Hossain"),
        ("Abdelkader", "Abdulkadir", "Abdoulkader"),
        ("Keita", "Keyta", "Keïta"),
        ("Coulibaly", "Kulibali", "Koulibaly"),
        ("Tshibangu", "Tchibangu"),
        ("Diarra", "Jara", "Dyarra"),
    ],
)
def test_transliteration_variants_share_one_key(variants: tuple[str, ...]) -> None:
    keys = {translit_key(normalise_name(v).replace(" ", "_")) for v in variants}
    assert len(keys) == 1, keys


def test_hassan_and_hussein_share_a_key_but_are_not_the_same_name() -> None:
    # the key only blocks; the vowels tell them apart in the score
    assert translit_key("hassan") == translit_key("hussein")
    assert name_similarity("Hassan Ali", "Hussein Ali") < NAME_THRESHOLD


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Jean-Pierre Bemba", "J.-P. Bemba"),
        ("Jean-Pierre Bemba", "Bemba Jean-Pierre"),
        ("Joseph Kabila", "KABILA, Joseph"),
        ("Chief Deng Ajak", "Deng Ajak"),
        ("Muhammad Yusuf", "Mohamed Youssouf"),
        ("Abbé Apollinaire Malumalu", "Apollinaire Malu Malu"),
    ],
)
def test_same_person_written_differently_scores_above_the_threshold(a: str, b: str) -> None:
    assert name_similarity(a, b) >= NAME_THRESHOLD
    assert name_similarity(a, b) == name_similarity(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Joseph Kabila", "Jean Kabila"),
        ("Moussa Traoré", "Moussa Touré"),
        ("Germain Katanga", "Germaine Katanga"),
        ("Amadou Diallo", "B. Diallo"),
        ("Amadou Diallo", "Diallo"),
        ("J. K.", "J. K."[::-1]),
    ],
)
def test_different_people_with_similar_names_stay_below_the_threshold(a: str, b: str) -> None:
    assert name_similarity(a, b) < NAME_THRESHOLD


def test_initials_alone_never_identify_anyone() -> None:
    assert name_similarity("J. K.", "J. K.") == 1.0  # identical text is identical...
    assert name_similarity("J. K.", "J. Kabila") <= 0.9  # ...but an initial is weak evidence
    assert name_similarity("J.", "Joseph") <= 0.6


def test_empty_names_are_not_similar() -> None:
    assert name_similarity("", "Joseph Kabila") == 0.0
    assert name_similarity("...", "---") == 0.0


def test_labelled_pairs_precision_and_recall(capsys: pytest.CaptureFixture[str]) -> None:
    # given the hand-labelled set (transliterations, titles, order, initials, hard negatives)
    rows = _pairs()
    assert len(rows) >= 300
    # when every pair is scored at the chosen threshold
    tp = fp = fn = tn = 0
    for row in rows:
        predicted = name_similarity(row["name_a"], row["name_b"]) >= NAME_THRESHOLD
        same = row["same"] == "1"
        tp += predicted and same
        fp += predicted and not same
        fn += (not predicted) and same
        tn += (not predicted) and not same
    precision = tp / (tp + fp)
    recall = tp / (tp + fn)
    with capsys.disabled():
        print(
            f"\nname pairs: {len(rows)} (same {tp + fn}, different {fp + tn}); "
            f"threshold {NAME_THRESHOLD}: precision {precision:.3f}, recall {recall:.3f} "
            f"(tp {tp}, fp {fp}, fn {fn}, tn {tn})"
        )
    # then both stay above their floors
    assert precision >= PRECISION_FLOOR
    assert recall >= RECALL_FLOOR


def test_blocking_brings_together_nearly_every_labelled_duplicate() -> None:
    same = [(r["name_a"], r["name_b"]) for r in _pairs() if r["same"] == "1"]
    assert blocking_recall(same) >= BLOCKING_RECALL_FLOOR


def test_the_labelled_set_is_well_formed() -> None:
    rows = _pairs()
    assert {r["same"] for r in rows} == {"0", "1"}
    assert all(r["name_a"].strip() and r["name_b"].strip() and r["note"] for r in rows)
    pairs = [(r["name_a"], r["name_b"]) for r in rows]
    assert len(pairs) == len(set(pairs)), "a pair is labelled twice"
