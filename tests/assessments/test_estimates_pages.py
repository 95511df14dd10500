"""Estimates pages through the test client: overview, a round by breakdown with suppression,
trend, map and its GeoJSON, the HXL export, the charts, and who may see them (partners and
viewers see aggregates, never a submission)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from palava.assessments.estimate_charts import Bar, TrendLine, bars_svg, trend_svg
from palava.assessments.estimate_export import CUSTOM_ATTRIBUTES as DECLARED
from palava.assessments.estimate_export import EXPORT_COLUMNS
from palava.assessments.models import Round
from palava.assessments.stats import Estimate
from palava.missions.models import Membership, Mission, Role
from palava.places.models import AdminUnit
from palava.places.services import membership_scope_set
from tests.assessments.test_estimates import answer, make_round, population
from tests.factories import AdminUnitFactory, MembershipFactory, MissionFactory
from tests.places.geo import square

pytestmark = pytest.mark.django_db

HXL_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "hxl" / "hxl-core-schema"
# Attributes Palava adds to the core vocabulary (HXL allows new attributes; hashtags must be core).
CUSTOM_ATTRIBUTES = {
    "series",
    "round",
    "version",
    "breakdown",
    "mean",
    "ci",
    "low",
    "high",
    "se",
    "weighted",
    "deff",
    "small_n",
    "suppressed",
    "population",
}
CODE = "safety_feel_safe"
PATH = f"perception/{CODE}"


def world(
    *, rounds: int = 2, men: int = 3, women: int = 12
) -> tuple[Mission, list[Round], AdminUnit, AdminUnit]:
    """Two places with boundaries and population; per round and place ``women`` women (shares
    rising by round) and ``men`` men — few enough to be suppressed by sex."""
    mission = MissionFactory()
    a = AdminUnitFactory(
        mission=mission, level=1, pcode="AA01", name="Alpha", boundary=square(0, 0, 1, 1)
    )
    b = AdminUnitFactory(
        mission=mission, level=1, pcode="BB01", name="Beta", boundary=square(1, 0, 2, 1)
    )
    AdminUnitFactory(
        mission=mission, level=1, pcode="CC01", name="Gamma", boundary=square(2, 0, 3, 1)
    )
    for unit in (a, b):
        population(unit, "f", "18-59", 1000)
        population(unit, "m", "18-59", 1000)
    made = []
    for number in range(1, rounds + 1):
        rnd = make_round(mission, number=number, indicator_map={CODE: {"path": PATH, "version": 1}})
        for offset, unit in enumerate((a, b)):
            for i in range(women):
                yes = i < women * (0.2 + 0.5 * (number - 1)) + 2 * offset
                answer(rnd, unit, "agree" if yes else "disagree", sex="f", path=PATH)
            for i in range(men):
                answer(rnd, unit, "agree" if i % 2 else "disagree", sex="m", path=PATH)
        made.append(rnd)
    return mission, made, a, b


def login(client_for: object, member: Membership) -> Client:
    return client_for(member.user)  # type: ignore[operator, no-any-return]


def url(name: str, mission: Mission, **kwargs: object) -> str:
    return reverse(f"estimates:{name}", kwargs={"mission_slug": mission.slug, **kwargs})


# --------------------------------------------------------------------------- pages


def test_partner_sees_the_overview_and_no_submission(client_for: object) -> None:
    mission, rounds, _a, _b = world()
    partner = MembershipFactory(mission=mission, role=Role.PARTNER)

    response = login(client_for, partner).get(url("overview", mission))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Feel safe" in body
    assert "<svg" in body
    assert "<title" in body
    assert rounds[-1].name in body
    assert "significant" in body  # change since round 1 with its wording
    assert "uuid:" not in body  # no instance id, no row
    assert "/submissions/" not in body


def test_overview_empty_state(client_for: object) -> None:
    mission = MissionFactory()
    viewer = MembershipFactory(mission=mission, role=Role.VIEWER)

    response = login(client_for, viewer).get(url("overview", mission))

    assert response.status_code == 200
    assert "No estimates yet." in response.content.decode()


def test_round_page_by_sex_suppresses_small_domains(client_for: object) -> None:
    mission, rounds, _a, _b = world(men=2)  # 4 men in all: fewer than 5
    viewer = MembershipFactory(mission=mission, role=Role.VIEWER)
    client = login(client_for, viewer)

    response = client.get(url("round", mission, round_id=rounds[1].public_id) + "?by=sex")

    body = response.content.decode()
    assert response.status_code == 200
    assert "Women" in body
    assert "Men" in body
    assert "Too few respondents to show" in body
    assert "too few respondents to show" in body  # in the chart too
    assert "small sample" in body  # 24 women: fewer than 30
    men_row = re.search(r"<th scope=\"row\" dir=\"auto\">Men</th>(.*?)</tr>", body, re.S)
    assert men_row is not None
    assert "%" not in men_row.group(1)


def test_round_page_unknown_by_falls_back_and_unknown_round_404(client_for: object) -> None:
    mission, rounds, _a, _b = world(rounds=1)
    viewer = MembershipFactory(mission=mission, role=Role.VIEWER)
    client = login(client_for, viewer)

    ok = client.get(url("round", mission, round_id=rounds[0].public_id) + "?by=<script>")
    other = MissionFactory()
    foreign = make_round(other)
    missing = client.get(url("round", mission, round_id=foreign.public_id))

    assert ok.status_code == 200
    assert "<script>" not in ok.content.decode()
    assert missing.status_code == 404


def test_round_page_empty_round(client_for: object) -> None:
    mission = MissionFactory()
    rnd = make_round(mission)
    member = MembershipFactory(mission=mission, role=Role.PARTNER)

    response = login(client_for, member).get(url("round", mission, round_id=rnd.public_id))

    assert response.status_code == 200
    assert "No interviews in this round yet." in response.content.decode()


def test_trend_page_with_lines_by_sex(client_for: object) -> None:
    mission, _rounds, _a, _b = world(rounds=3, men=15)
    member = MembershipFactory(mission=mission, role=Role.PARTNER)
    client = login(client_for, member)

    plain = client.get(url("trend", mission, series="perception", code=CODE))
    by_sex = client.get(url("trend", mission, series="perception", code=CODE) + "?by=sex")
    no_series = client.get(url("trend", mission, series="nope", code=CODE))
    unknown = client.get(url("trend", mission, series="nope", code="not_an_indicator"))

    body = plain.content.decode()
    assert plain.status_code == 200
    assert body.count('class="trend-point line-0"') == 3
    assert "Round 3" in body
    assert "not significant" in body or "significant" in body
    sex_body = by_sex.content.decode()
    assert 'class="trend line-1"' in sex_body
    assert 'class="trend line-2"' in sex_body
    assert no_series.status_code == 200  # a bank indicator not measured yet: an empty page
    assert unknown.status_code == 404


def test_trend_page_without_measurements(client_for: object) -> None:
    mission = MissionFactory()
    make_round(mission)
    member = MembershipFactory(mission=mission, role=Role.VIEWER)

    response = login(client_for, member).get(url("trend", mission, series="perception", code=CODE))

    assert response.status_code == 200
    assert "No round of this series measured this indicator yet." in response.content.decode()


def test_map_page_and_geojson(client_for: object) -> None:
    mission, rounds, _a, _b = world(rounds=1)
    # A third place in the frame with only 2 respondents: shown as too few.
    gamma = AdminUnit.objects.get(mission=mission, pcode="CC01")
    for value in ("agree", "disagree"):
        answer(rounds[0], gamma, value, path=PATH)
    member = MembershipFactory(mission=mission, role=Role.PARTNER)
    client = login(client_for, member)

    page = client.get(url("map", mission, round_id=rounds[0].public_id, code=CODE))
    data = client.get(url("map_data", mission, round_id=rounds[0].public_id, code=CODE))
    missing = client.get(url("map", mission, round_id=rounds[0].public_id, code="nope"))
    unmeasured = client.get(
        url("map_data", mission, round_id=rounds[0].public_id, code="trust_police")
    )

    assert page.status_code == 200
    assert "estimate-map.js" in page.content.decode()
    assert data.status_code == 200
    assert data["Content-Type"] == "application/geo+json"
    features = {f["properties"]["code"]: f for f in data.json()["features"]}
    assert set(features) == {"AA01", "BB01", "CC01"}
    alpha = features["AA01"]["properties"]
    assert alpha["n"] == 15
    assert not alpha["suppressed"]
    assert alpha["bin"] in range(5)
    assert alpha["ci_text"]
    assert features["AA01"]["geometry"]["type"] == "Polygon"
    gamma_props = features["CC01"]["properties"]
    assert gamma_props["suppressed"]
    assert gamma_props["value"] is None
    assert gamma_props["n"] is None
    assert gamma_props["bin"] is None
    assert missing.status_code == 404
    assert unmeasured.status_code == 200
    assert unmeasured.json()["features"] == []


def test_map_geojson_respects_scope(client_for: object) -> None:
    mission, rounds, a, _b = world(rounds=1)
    member = MembershipFactory(mission=mission, role=Role.PARTNER)
    membership_scope_set(actor=None, membership=member, units=[a])

    data = login(client_for, member).get(
        url("map_data", mission, round_id=rounds[0].public_id, code=CODE)
    )

    assert [f["properties"]["code"] for f in data.json()["features"]] == ["AA01"]


def test_outsider_gets_404(client_for: object) -> None:
    mission, rounds, _a, _b = world(rounds=1)
    outsider = MembershipFactory(role=Role.ADMIN)  # another mission

    response = login(client_for, outsider).get(url("round", mission, round_id=rounds[0].public_id))

    assert response.status_code == 404


# --------------------------------------------------------------------------- export


def _hxl_vocabulary() -> tuple[set[str], set[str]]:
    if not HXL_DIR.is_dir():
        pytest.skip("HXL dictionary not found")
    with (HXL_DIR / "hashtag.hxl.csv").open(encoding="utf-8") as f:
        tags = {row[0] for row in csv.reader(f) if row and row[0].startswith("#")}
    with (HXL_DIR / "attribute.hxl.csv").open(encoding="utf-8") as f:
        attributes = {row[0].lstrip("+") for row in csv.reader(f) if row and row[0].startswith("+")}
    tags.discard("#valid_tag")
    return tags, attributes


def test_export_hashtags_are_valid_hxl() -> None:
    tags, attributes = _hxl_vocabulary()
    pattern = re.compile(r"^#[a-z][a-z0-9_]*(\+[a-z][a-z0-9_]*)*$")
    seen = set()
    for column in EXPORT_COLUMNS:
        assert pattern.match(column.hashtag), column.hashtag
        tag, *attrs = column.hashtag.split("+")
        assert tag in tags, f"{tag} is not a core HXL hashtag"
        for attr in attrs:
            assert attr in attributes or attr in CUSTOM_ATTRIBUTES, f"+{attr} is undeclared"
        spec = (tag, frozenset(attrs))
        assert spec not in seen, f"two columns tagged {column.hashtag}"
        seen.add(spec)
    assert DECLARED == CUSTOM_ATTRIBUTES  # the module documents the same additions


def test_export_csv_rows_and_suppression(client_for: object) -> None:
    mission, rounds, _a, _b = world(rounds=1, men=2)
    member = MembershipFactory(mission=mission, role=Role.PARTNER)

    response = login(client_for, member).get(
        url("export_csv", mission, round_id=rounds[0].public_id)
    )

    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.csv"')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, tags, data = rows[0], rows[1], rows[2:]
    assert tags == [c.hashtag for c in EXPORT_COLUMNS]
    col = {t: i for i, t in enumerate(tags)}
    overall = [r for r in data if r[col["#meta+breakdown"]] == "all"]
    assert len(overall) == 1
    assert overall[0][col["#indicator+code"]] == CODE
    pct = float(overall[0][col["#value+pct"]])
    low, high = float(overall[0][col["#value+ci+low"]]), float(overall[0][col["#value+ci+high"]])
    assert low < pct < high
    assert low >= 0
    assert high <= 100
    men = [r for r in data if r[col["#meta+breakdown"]] == "sex" and r[col["#group+code"]] == "m"]
    assert men
    assert men[0][col["#meta+suppressed"]] == "1"
    assert men[0][col["#value+pct"]] == ""
    assert men[0][col["#respondee+num"]] == ""
    place = [r for r in data if r[col["#meta+breakdown"]] == "place"]
    assert {r[col["#adm1+code"]] for r in place} == {"AA01", "BB01"}
    assert len(header) == len(tags)


def test_export_xlsx(client_for: object) -> None:
    import openpyxl

    mission, rounds, _a, _b = world(rounds=1)
    member = MembershipFactory(mission=mission, role=Role.VIEWER)

    response = login(client_for, member).get(
        url("export_xlsx", mission, round_id=rounds[0].public_id)
    )

    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    sheet = book.worksheets[0]
    second = next(sheet.iter_rows(min_row=2, max_row=2, values_only=True))
    assert list(second) == [c.hashtag for c in EXPORT_COLUMNS]


# --------------------------------------------------------------------------- charts


def _est(value: float, n: int = 40) -> Estimate:
    return Estimate(value, 0.05, value - 0.1, value + 0.1, n, float(n), 1.5, n < 30)


def test_bars_chart_mirrors_for_right_to_left() -> None:
    bars = [Bar("Everyone", 0.5, 0.4, 0.6, 40, False), Bar("Men", None, None, None, 0, True, "few")]

    ltr = str(bars_svg(bars, title="T", description="D", chart_id="c"))
    rtl = str(bars_svg(bars, title="T", description="D", chart_id="c", rtl=True))

    assert 'role="img"' in ltr
    assert '<title id="c-title">T</title>' in ltr
    assert "few" in ltr
    assert "50 %" in ltr
    assert 'text-anchor="end">Everyone' in ltr
    assert 'text-anchor="start">Everyone' in rtl
    assert ltr != rtl


def test_trend_chart_draws_points_and_intervals() -> None:
    lines = [TrendLine("Everyone", "line-0", [_est(0.2), None, _est(0.6, n=10)])]

    svg = str(trend_svg(lines, ["R1", "R2", "R3"], title="T", description="D", chart_id="t"))

    assert svg.count("<circle") == 2
    assert "point-small" in svg  # n = 10
    assert svg.count('class="ci"') == 2


def test_arabic_page_mirrors_the_chart(client_for: object) -> None:
    mission, rounds, _a, _b = world(rounds=1)
    member = MembershipFactory(mission=mission, role=Role.VIEWER)
    client = login(client_for, member)
    page = url("round", mission, round_id=rounds[0].public_id)

    english = client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    arabic = client.get(page, HTTP_ACCEPT_LANGUAGE="ar").content.decode()

    label = re.compile(r'<text class="chart-label" x="([0-9.]+)" y="[0-9.]+" text-anchor="(\w+)"')
    en_x, en_anchor = label.findall(english)[0]
    ar_x, ar_anchor = label.findall(arabic)[0]
    assert (en_anchor, ar_anchor) == ("end", "start")
    assert float(ar_x) == pytest.approx(640 - float(en_x))


@pytest.mark.parametrize("name", ["overview", "round", "map_data", "export_csv"])
def test_query_count_does_not_grow_with_interviews(client_for: object, name: str) -> None:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for women in (6, 18):
        mission, rounds, _a, _b = world(rounds=2, women=women)
        member = MembershipFactory(mission=mission, role=Role.PARTNER)
        client = login(client_for, member)
        kwargs: dict[str, object] = {}
        if name != "overview":
            kwargs["round_id"] = rounds[1].public_id
        if name == "map_data":
            kwargs["code"] = CODE
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(name, mission, **kwargs)).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]
