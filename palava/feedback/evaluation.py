"""The triage model on real crisis text: CrisisLexT26 (Olteanu et al., CSCW 2015).

26 crisis events of 2012-2013 (25 in the shared data), about 1,000 labelled tweets each, in
English, Spanish, Italian and Portuguese. Each CSV has the header
``Tweet ID, Tweet Text, Information Source, Information Type, Informativeness`` (with a space
after each comma) and is UTF-8.

The pipeline of :mod:`palava.feedback.classify` is trained on some events and tested on others
(split **by event**, never by row: tweets of one event share names, hashtags and retweets, and a
row split would flatter the model). Two tasks:

* ``informativeness``: "Related and informative" against the rest (related but not
  informative, not related); rows marked "Not applicable" are left out;
* ``information_type``: the six information types (affected individuals, infrastructure and
  utilities, donations and volunteering, caution and advice, sympathy and support, other useful
  information); rows "Not labeled" or "Not applicable" are left out.

``informativeness_3`` keeps the three informativeness classes apart. The fixed held-out events
(:data:`HELD_OUT_EVENTS`) mix four kinds of disaster and three languages.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from palava.feedback.classify import pipeline_build, pipeline_fit
from palava.feedback.training import scores

HEADER = ("Tweet ID", "Tweet Text", "Information Source", "Information Type", "Informativeness")
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_FILES = 100
MAX_TEXT_CHARS = 1000

HELD_OUT_EVENTS: tuple[str, ...] = (
    "2012_Colorado_wildfires",
    "2012_Guatemala_earthquake",
    "2013_Alberta_floods",
    "2013_Boston_bombings",
    "2013_Brazil_nightclub_fire",
    "2013_Sardinia_floods",
    "2013_Typhoon_Yolanda",
)


class CrisisLexError(ValueError):
    """A file that is not a CrisisLexT26 labelled-tweets file."""


@dataclass(frozen=True)
class Tweet:
    event: str
    text: str
    source: str
    information_type: str
    informativeness: str


def _event_name(path: Path) -> str:
    return path.name.split("-tweets_labeled")[0]


def crisislex_read(path: Path) -> list[Tweet]:
    """The labelled tweets of one event file (size-limited; the header must match)."""
    raw = path.read_bytes()
    if len(raw) > MAX_FILE_BYTES:
        raise CrisisLexError(f"{path.name}: larger than {MAX_FILE_BYTES} bytes")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CrisisLexError(f"{path.name}: not UTF-8 ({exc})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = tuple(column.strip() for column in next(reader, []))
    if header != HEADER:
        raise CrisisLexError(f"{path.name}: unexpected header {header!r}")
    event = _event_name(path)
    tweets = []
    for line, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) != len(HEADER):
            raise CrisisLexError(f"{path.name}, line {line}: {len(row)} columns")
        tweets.append(
            Tweet(
                event=event,
                text=row[1][:MAX_TEXT_CHARS],
                source=row[2].strip(),
                information_type=row[3].strip(),
                informativeness=row[4].strip(),
            )
        )
    return tweets


def crisislex_load(directory: Path) -> list[Tweet]:
    """Every event file of the directory (``*-tweets_labeled.csv``), in name order."""
    files = sorted(Path(directory).glob("*-tweets_labeled.csv"))
    if not files:
        raise CrisisLexError(f"no *-tweets_labeled.csv file in {directory}")
    if len(files) > MAX_FILES:
        raise CrisisLexError(f"more than {MAX_FILES} files in {directory}")
    return [tweet for path in files for tweet in crisislex_read(path)]


# --- Tasks -----------------------------------------------------------------------------------


def _informativeness(tweet: Tweet) -> str | None:
    if tweet.informativeness == "Not applicable":
        return None
    return (
        "informative" if tweet.informativeness == "Related and informative" else "not_informative"
    )


def _informativeness_3(tweet: Tweet) -> str | None:
    return {
        "Related and informative": "informative",
        "Related - but not informative": "related_not_informative",
        "Not related": "not_related",
    }.get(tweet.informativeness)


def _information_type(tweet: Tweet) -> str | None:
    if tweet.information_type in ("Not labeled", "Not applicable", ""):
        return None
    return tweet.information_type


TASKS: dict[str, Callable[[Tweet], str | None]] = {
    "informativeness": _informativeness,
    "informativeness_3": _informativeness_3,
    "information_type": _information_type,
}


def crisislex_evaluate(
    tweets: Sequence[Tweet], *, task: str, held_out: Sequence[str] = HELD_OUT_EVENTS
) -> dict[str, Any]:
    """Train on every event but ``held_out``, test on ``held_out``; the scores of
    :func:`palava.feedback.training.scores` plus the split."""
    label_of = TASKS[task]
    held = set(held_out)
    train: list[tuple[str, str]] = []
    test: list[tuple[str, str]] = []
    for tweet in tweets:
        label = label_of(tweet)
        if label:
            (test if tweet.event in held else train).append((tweet.text, label))
    if not train or not test:
        raise CrisisLexError("an empty training or test set: check the held-out events")
    pipeline = pipeline_fit(pipeline_build(), [t for t, _ in train], [lab for _, lab in train])
    predicted = [str(p) for p in pipeline.predict([t for t, _ in test])]
    labels = sorted({label for _, label in train} | {label for _, label in test})
    result = scores([label for _, label in test], predicted, labels)
    return {
        "task": task,
        **result,
        "train_size": len(train),
        "test_size": len(test),
        "train_events": sorted({t.event for t in tweets} - held),
        "test_events": sorted(held),
    }


def crisislex_folds(tweets: Sequence[Tweet], *, task: str, folds: int = 5) -> list[float]:
    """Macro-F1 of each of ``folds`` leave-events-out folds (events dealt round-robin in name
    order, so every event is tested exactly once)."""
    events = sorted({t.event for t in tweets})
    out = []
    for k in range(folds):
        held = events[k::folds]
        out.append(float(crisislex_evaluate(tweets, task=task, held_out=held)["macro_f1"]))
    return out
