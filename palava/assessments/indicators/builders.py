"""Sources of the bank's wording and builders of its common entry shapes (agreement, yes/no)."""

from __future__ import annotations

from palava.assessments.indicators import Indicator
from palava.assessments.indicators.choices import AGREE5, AGREE_POSITIVE, YES_NO_DK

_HHI = "HHI/UNDP Peace, Security and Reconciliation polls (eastern DRC, CAR)"
_DPO = "UN DPO community perception surveys of peacekeeping missions"
_GTS = "Ground Truth Solutions affected-people surveys"
_SCORE = "UNDP/SeeD Social Cohesion and Reconciliation (SCORE) index"


def _agree(
    code: str,
    domain: str,
    labels: dict[str, str],
    hints: dict[str, str],
    source: str,
    *,
    version: int = 1,
    comparable_with: tuple[int, ...] = (),
    tags: tuple[str, ...] = (),
) -> Indicator:
    return Indicator(
        code=code,
        version=version,
        domain=domain,
        labels=labels,
        hints=hints,
        question_type="select_one",
        list_name="agree5",
        choices=AGREE5,
        kind="proportion",
        positive=AGREE_POSITIVE,
        comparable_with=comparable_with,
        source=source,
        tags=tags,
    )


def _yes(
    code: str,
    domain: str,
    labels: dict[str, str],
    hints: dict[str, str],
    source: str,
    *,
    version: int = 1,
    comparable_with: tuple[int, ...] = (),
    tags: tuple[str, ...] = (),
) -> Indicator:
    return Indicator(
        code=code,
        version=version,
        domain=domain,
        labels=labels,
        hints=hints,
        question_type="select_one",
        list_name="yes_no_dk",
        choices=YES_NO_DK,
        kind="proportion",
        positive=("yes",),
        comparable_with=comparable_with,
        source=source,
        tags=tags,
    )
