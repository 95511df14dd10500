"""``palava crisislex_eval DIR``: the triage model's macro-F1 on CrisisLexT26, split by event."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from palava.feedback.evaluation import (
    TASKS,
    CrisisLexError,
    crisislex_evaluate,
    crisislex_folds,
    crisislex_load,
)


class Command(BaseCommand):
    help = (
        "Train the triage pipeline on some CrisisLexT26 events and test it on others (fixed "
        "held-out events, or leave-events-out folds); prints JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="the folder of *-tweets_labeled.csv")
        parser.add_argument("--task", choices=sorted(TASKS), action="append")
        parser.add_argument(
            "--folds", type=int, default=0, help="also run this many leave-events-out folds"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            tweets = crisislex_load(options["directory"])
        except (OSError, CrisisLexError) as exc:
            raise CommandError(str(exc)) from None
        report: dict[str, Any] = {"tweets": len(tweets)}
        for task in options["task"] or ["informativeness", "information_type"]:
            start = time.perf_counter()
            result = crisislex_evaluate(tweets, task=task)
            entry: dict[str, Any] = {
                "macro_f1": result["macro_f1"],
                "accuracy": result["accuracy"],
                "train_size": result["train_size"],
                "test_size": result["test_size"],
                "per_class_f1": {c["label"]: c["f1"] for c in result["per_class"]},
                "test_events": result["test_events"],
                "seconds": round(time.perf_counter() - start, 1),
            }
            if options["folds"]:
                folds = crisislex_folds(tweets, task=task, folds=options["folds"])
                entry["folds_macro_f1"] = [round(f, 4) for f in folds]
                entry["folds_mean_macro_f1"] = round(sum(folds) / len(folds), 4)
            report[task] = entry
        self.stdout.write(json.dumps(report, indent=2))
