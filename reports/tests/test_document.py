"""The generated Word document, read back with python-docx: every figure is checked against
numbers this test computes itself from the ledger, monitoring and air-quality rows."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from docx import Document

from lantian.lib.tz import LOCAL_TZ
from reports import gather, periods, services
from reports.models import Issue
from reports.tests.conftest import DECEMBER, ISSUE_DAY, at

pytestmark = pytest.mark.django_db


def _generate(plan=None):
    scope = gather.resolve_scope(plan_id=plan.pk) if plan else gather.resolve_scope()
    with at(ISSUE_DAY):
        return services.generate(periods.month(DECEMBER), scope, acting_user=None, today=ISSUE_DAY)


def _doc(issue: Issue):
    with issue.current().docx.open("rb") as handle:
        return Document(io.BytesIO(handle.read()))


def _table(doc, *headers):
    """The table whose first row contains all ``headers``, as a list of row texts."""
    for table in doc.tables:
        first = [c.text.strip() for c in table.rows[0].cells]
        if all(any(h == cell for cell in first) for h in headers):
            return [[c.text.strip() for c in row.cells] for row in table.rows]
    raise AssertionError(f"no table with {headers}")


def _rate(part, whole):
    return "—" if not whole else f"{100 * part / whole:.1f}%"


def _expected_units(plan):
    """Per unit, from the raw ledger rows: lines, closed by 31 Dec, overdue on 31 Dec, the
    December report owed (lines not closed by its due day) and received by 31 Dec."""
    from ledger.models import Assignment, ProgressReport

    end = dt.date(2023, 12, 31)
    out = {}
    for line in Assignment.objects.filter(
        task__plan=plan, works=True, withdrawn=False, task__withdrawn=False
    ).select_related("unit", "task"):
        row = out.setdefault(
            line.unit.name, {"lines": 0, "closed": 0, "overdue": 0, "due": 0, "on_time": 0}
        )
        row["lines"] += 1
        closed = line.closed_on is not None and line.closed_on <= end
        row["closed"] += closed
        deadline = line.extended_to or line.task.deadline
        row["overdue"] += not closed and deadline is not None and deadline < end
        if not (line.closed_on and line.closed_on <= end):
            row["due"] += 1
            first = (
                ProgressReport.objects.filter(assignment=line, period=DECEMBER)
                .order_by("submitted_at")
                .first()
            )
            if first and first.submitted_at.astimezone(LOCAL_TZ).date() <= end:
                row["on_time"] += 1
    for row in out.values():
        rates = {
            "on_time": 100 * row["on_time"] / row["due"] if row["due"] else None,
            "overdue": 100 * (row["lines"] - row["overdue"]) / row["lines"],
            "completion": 100 * row["closed"] / row["lines"],
        }
        weights = {"on_time": 30, "overdue": 30, "completion": 25}
        used = {k: w for k, w in weights.items() if rates[k] is not None}
        row["score"] = round(sum(rates[k] * w for k, w in used.items()) / sum(used.values()), 2)
    return out


def check_units_and_overall(doc, december):
    expected = _expected_units(december.plan)
    rows = _table(doc, "排名", "责任单位", "事项", "销号", "逾期", "按时报送率", "得分")
    header, body = rows[0], rows[1:]
    col = {name: header.index(name) for name in header}
    assert {r[col["责任单位"]] for r in body} == set(expected)
    scores = sorted({e["score"] for e in expected.values()}, reverse=True)
    for r in body:
        e = expected[r[col["责任单位"]]]
        assert int(r[col["事项"]]) == e["lines"]
        assert int(r[col["销号"]]) == e["closed"]
        assert int(r[col["逾期"]]) == e["overdue"]
        assert r[col["按时报送率"]] == _rate(e["on_time"], e["due"])
        assert r[col["得分"]] == f"{e['score']:.1f}"
        # Competition ranking: one more than the number of better scores.
        assert int(r[col["排名"]]) == 1 + sum(
            1 for x in expected.values() if x["score"] > e["score"]
        )
    assert [float(r[col["得分"]]) for r in body] == sorted(
        (float(r[col["得分"]]) for r in body), reverse=True
    )
    assert scores  # the table is not empty
    # Lamps on 31 December (ledger.lamps): 鄠邑区 and 临潼区 reported (临潼区 late, but its
    # latest report is December's) and have no deadline; 市城管局 has item 8 overdue, 联席办
    # item 16 overdue.
    lamps = {r[col["责任单位"]]: r[col["亮灯"]] for r in body}
    joint = next(name for name in lamps if "联席办" in name)
    assert (lamps["鄠邑区政府"], lamps["临潼区政府"]) == ("绿灯", "绿灯")
    assert (lamps["西安市城市管理和综合执法局"], lamps[joint]) == ("红灯", "红灯")

    overall = _table(doc, "指标", "本期", "变化")
    by_label = {r[0]: r[1:] for r in overall[1:]}
    total_lines = sum(e["lines"] for e in expected.values())
    total_overdue = sum(e["overdue"] for e in expected.values())
    assert by_label["本期验收销号（项）"][0] == "1"
    assert by_label["逾期未完成（项）"][0] == str(total_overdue)
    due = sum(e["due"] for e in expected.values())
    on_time = sum(e["on_time"] for e in expected.values())
    assert by_label["按时报送率"][0] == _rate(on_time, due)
    assert by_label["累计销号 / 事项总数"][:2] == ["1", str(total_lines)]
    # November: item 16 not yet overdue, item 8 was; no close-out.
    assert by_label["本期验收销号（项）"][1] == "0"
    text = "\n".join(p.text for p in doc.paragraphs)
    assert f"共{total_lines}项" in text and "较上期增加1项" in text


def check_overdue_black_list_and_supervision(doc, december):
    from ledger.models import Assignment

    overdue = _table(doc, "序号", "任务", "责任单位", "整改时限", "逾期天数")[1:]
    # Item 8 (due 31 Oct) is 61 days late on 31 Dec; item 16 (15 Dec) only 16: not listed.
    long_overdue = Assignment.objects.lines().filter(
        task__plan=december.plan, task__no=8, closed_on__isnull=True
    )
    assert len(overdue) == long_overdue.count() > 0
    assert [(r[3], r[4]) for r in overdue] == [("2023-10-31", "61")]
    # 红榜 1 unit, 黑榜 2 (configured below): the last two of the ranking, worst first.
    black = _table(doc, "排名", "责任单位", "得分", "逾期事项")[1:]
    units = _table(doc, "排名", "责任单位", "事项", "销号", "逾期", "按时报送率", "得分")[1:]
    assert [r[1] for r in black] == [r[1] for r in units[-2:]][::-1]
    text = "\n".join(p.text for p in doc.paragraphs)
    assert f"本期考核排名靠前的单位：{units[0][1]}（{units[0][6]}分）。" in text

    supervision = _table(doc, "类别", "事项", "对象单位", "下发日期", "办理时限", "状态")[1:]
    assert sorted((r[0], r[1], r[3]) for r in supervision) == [
        ("催办", "催报十二月进展", "2023-12-12"),
        ("督办", "督办道路扬尘整治", "2023-12-12"),
    ]
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "本期共下发督查督办2件，其中催办1件、督办1件。" in text


def check_monitoring(doc):
    rows = _table(doc, "区县", "扬尘报警", "油烟报警", "按时处置率", "立案率", "联网率")
    by_district = {r[0]: r for r in rows[1:]}
    # 鄠邑区: 3 December dust alarms, 1 handled within 24 h; 1 level-3 alarm with a case;
    # 2 dust monitors, 1 sending; 20 of 62 daily values received, 18 of them valid.
    # 开机率: dust = hours with a value taken while running (18) ÷ hours owed by both
    # monitors in December (2 × 744); the fume monitor never sent its fan state: no rate.
    huyi = by_district["鄠邑区"]
    assert huyi[1:] == [
        "3", "0", _rate(1, 3), _rate(1, 1), _rate(1, 2), f"{100 * 18 / 62:.1f}%",
        _rate(18, 2 * 744), "—",
    ]  # fmt: skip
    # 临潼区: 2 fume alarms, both handled in time; 1 level-3 without a case; 31 of 31 valid.
    lintong = by_district["临潼区"]
    assert lintong[1:] == ["0", "2", _rate(2, 2), _rate(0, 1), _rate(1, 1), "100.0%", "—", "—"]
    total = by_district["合计"]
    assert total[1:] == [
        "3",
        "2",
        _rate(3, 5),
        _rate(1, 2),
        _rate(2, 3),
        f"{100 * min(1, 51 / 93) * (49 / 51):.1f}%",
        _rate(18, 2 * 744),
        "—",
    ]


def check_air_and_dust(doc):
    rows = _table(doc, "排名", "区县", "综合指数", "PM2.5", "PM2.5同比", "PM10")
    header = rows[0]
    by_district = {r[1]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    huyi, lintong = by_district["鄠邑区"], by_district["临潼区"]
    assert (huyi["排名"], huyi["综合指数"], huyi["PM2.5"], huyi["PM10"]) == (
        "1",
        "5.81",
        "62.4",
        "98.6",
    )
    assert huyi["PM2.5同比"] == f"{100 * (62.4 - 80) / 80:+.1f}%"
    assert lintong["PM2.5同比"] == "0.0%"
    assert huyi["优良天数比例"] == _rate(12, 31)
    assert huyi["优良比例同比"] == f"提高{100 * 12 / 31 - 100 * 8 / 31:.1f}个百分点"
    assert huyi["PM2.5目标"] == "—"  # no local PM2.5 target in the regulation data
    from accounts.models import District
    from airquality.services import dustfall_target

    city = District.objects.get(name="西安市", parent=None)
    target = dustfall_target(DECEMBER, city)  # regulation data: the target is not computed

    def verdict(value):
        return "—" if target is None else ("超标" if value > target else "达标")

    dust = _table(doc, "排名", "区县", "去年同期", "同比")
    by_name = {r[1]: r for r in dust[1:]}
    assert by_name["鄠邑区"] == ["1", "鄠邑区", "6.20", verdict(6.2), "7.00", "-11.4%"]
    assert by_name["临潼区"] == ["2", "临潼区", "8.40", verdict(8.4), "—", "—"]
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "全市 PM2.5 平均浓度70.2微克/立方米" in text
    assert "鄠邑区排名第一" in text and "临潼区排名末位" in text


def check_charts(doc, issue):
    shapes = list(doc.inline_shapes)
    assert len(shapes) >= 2
    from PIL import Image

    with issue.current().docx.open("rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    images = [n for n in archive.namelist() if n.startswith("word/media/")]
    assert len(images) == len(shapes) == 5  # trend, units, alarms, PM2.5, dust fall
    for name in images:
        image = Image.open(io.BytesIO(archive.read(name)))
        assert image.format == "PNG"
        assert image.width >= 1200  # 16 cm at 200 dpi: print quality
        assert len(image.convert("L").getcolors(maxcolors=1 << 16)) > 10  # drawn, not blank
    for shape in shapes:
        assert abs(shape.width.mm - 160) < 1


def check_header(doc, issue):
    text = [p.text for p in doc.paragraphs]
    assert issue.number == 1 and issue.year == 2023
    assert "调度通报" in text[0]
    assert text[1] == "（审核稿）2023年第1期"
    assert "2024年1月5日" in text[2]
    assert "关于2023年12月西安市大气污染防治工作调度情况的通报" in text


def test_every_table_and_chart_of_the_document_matches_the_data(december):
    from reports.models import ReportSettings

    settings = ReportSettings.get()
    settings.top_count, settings.bottom_count = 1, 2
    settings.save()
    issue = _generate()
    doc = _doc(issue)
    check_header(doc, issue)
    check_units_and_overall(doc, december)
    check_overdue_black_list_and_supervision(doc, december)
    check_monitoring(doc)
    check_air_and_dust(doc)
    check_charts(doc, issue)


def test_plan_scope_counts_only_that_plan(december, world):
    from ledger.tests.factories import ITEM_EIGHT, import_sample

    other = import_sample(world.office, ITEM_EIGHT, title="另一方案", source=b"other").plan
    other.issued = dt.date(2023, 10, 9)
    other.save()
    from reports.models import ReportSettings

    def lines(scope):
        snapshot = gather.snapshot(periods.month(DECEMBER), scope, ReportSettings.get())
        return snapshot["ledger"]["now"]["lines"]

    whole = lines(gather.resolve_scope())
    only = lines(gather.resolve_scope(plan_id=december.plan.pk))
    assert whole == only + 1  # item 8 of the other plan has one line (市城管局)
    with pytest.raises(gather.ScopeError, match="没有编号为 999999 的方案"):
        gather.resolve_scope(plan_id=999999)
    with pytest.raises(gather.ScopeError, match="没有名为“长安市”的城市"):
        gather.resolve_scope(city_name="长安市")
