"""API schemas of inclusion (``api_inclusion``)."""

from __future__ import annotations

from datetime import date

from ninja import Field, Schema

_P = 64


class InclusionQuery(Schema):
    date_from: str | None = Field(
        None, alias="from", max_length=_P, description="First day (YYYY-MM-DD)."
    )
    date_to: str | None = Field(None, alias="to", max_length=_P, description="Last day.")
    place: str | None = Field(
        None, max_length=_P, description="P-code: places inside it (default: its children)."
    )
    level: str | None = Field(None, max_length=_P, description="Admin level of the places.")
    grain: str | None = Field(None, max_length=_P, description="month (default) or quarter.")

    def params(self) -> dict[str, str]:
        found = {
            "from": self.date_from,
            "to": self.date_to,
            "place": self.place,
            "level": self.level,
            "grain": self.grain,
        }
        return {key: value for key, value in found.items() if value}


class CoverageQuery(Schema):
    place: str | None = Field(None, max_length=_P, description="P-code: places inside it.")
    level: str | None = Field(None, max_length=_P, description="Admin level of the places.")
    days: str | None = Field(
        None, max_length=_P, description="Window in days (default: the mission's setting)."
    )

    def params(self) -> dict[str, str]:
        found = {"place": self.place, "level": self.level, "days": self.days}
        return {key: value for key, value in found.items() if value}


class ShareOut(Schema):
    numerator: float
    denominator: float
    share: float | None = Field(..., description="numerator / denominator; null when 0 people.")


class MeasureOut(Schema):
    participants: ShareOut
    population: ShareOut | None
    target_pct: int
    gap_pp: float | None = Field(..., description="Participants minus population, in points.")
    below_target: bool


class FiguresOut(Schema):
    people_counted: int
    sex_not_recorded: int
    age_not_recorded: int
    population_year: int | None
    women: MeasureOut
    youth: MeasureOut
    minority: MeasureOut
    flags: list[str]


class PlaceFiguresOut(Schema):
    code: str
    name: str
    level: int
    figures: FiguresOut


class InclusionPlacesOut(Schema):
    date_from: date
    date_to: date
    place: str | None
    places: list[PlaceFiguresOut]
    total: FiguresOut


class PeriodFiguresOut(Schema):
    start: date
    figures: FiguresOut


class InclusionPeriodsOut(Schema):
    date_from: date
    date_to: date
    place: str | None
    grain: str
    periods: list[PeriodFiguresOut]


class CoveragePlaceOut(Schema):
    code: str
    name: str
    level: int
    state: str = Field(..., description="recent, earlier or never.")
    last_held: date | None


class CoverageOut(Schema):
    days: int
    today: date
    counts: dict[str, int]
    places: list[CoveragePlaceOut]
