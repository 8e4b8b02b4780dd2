"""Each forensic check finds its fake and leaves the honest look-alike alone."""

import datetime as dt

import pytest

from crosscheck.models import Finding, Rule, Signal
from crosscheck.scenarios import build, images, narratives
from crosscheck.scenarios.build import ISSUED, NOW, local, offset, stripped
from crosscheck.sweep import sweep
from emergency import readings

pytestmark = pytest.mark.django_db
MAY, JUNE = dt.date(2025, 5, 1), dt.date(2025, 6, 1)


@pytest.fixture
def b(registry):
    return build.Builder(seed=3)


def flagged(rule, **facts) -> set[int]:
    """Report or inspection ids the findings of ``rule`` point at."""
    out = set()
    for f in Finding.objects.filter(rule=rule):
        for key in ("reports", "inspections"):
            out |= set(f.facts.get(key, []))
    return out


def shot(b, scene, line, period, **kw):
    return b.site_photo(scene, line, period, **kw)[0]


def file(b, line, period, files, text=None, percent=50, submitted=None):
    text = text or narratives.narrative(b.rng, period.month, b.area(line))
    return b.report(line, period, narrative=text, percent=percent, files=files, submitted=submitted)


# --- photos -------------------------------------------------------------------------------


def test_photo_time_before_the_problem_or_long_before_the_month(b):
    rng, scene = b.rng, images.Scene.random(b.rng)
    honest_line, fake_line = (
        b.line(deadline=dt.date(2025, 9, 1)),
        b.line(deadline=dt.date(2025, 9, 1)),
    )
    before = images.jpeg(images.shoot(scene, rng), rng, taken=local(ISSUED - dt.timedelta(days=60)))
    late_may = images.jpeg(images.shoot(scene, rng), rng, taken=local(dt.date(2025, 5, 27)))
    honest = file(
        b,
        honest_line,
        JUNE,
        [
            (before, "整改前现场.jpg"),
            (late_may, "a.jpg"),
            (stripped(images.shoot(scene, rng), rng), "微信图片.jpg"),
        ],
    )
    fake = file(b, fake_line, JUNE, [(before, "整改后.jpg")])
    old = file(
        b,
        fake_line,
        MAY,
        [(images.jpeg(images.shoot(scene, rng), rng, taken=local(dt.date(2024, 12, 2))), "b.jpg")],
    )
    sweep(now=NOW)
    assert flagged(Rule.PHOTO_TIME) == {fake.pk, old.pk}
    assert honest.pk not in flagged(Rule.PHOTO_TIME)
    finding = Finding.objects.get(key=f"photo_time:report:{fake.pk}")
    assert "问题提出（2024-10-09）之前" in finding.detail


def test_photo_place_far_from_the_registered_site(b):
    rng, scene = b.rng, images.Scene.random(b.rng)
    line = b.line(deadline=dt.date(2025, 9, 1), place=True)
    near = offset(line.site, 400, rng)  # a big site, a GPS off by some hundred metres
    far = offset(line.site, 12_000, rng)
    taken = local(dt.date(2025, 6, 10))
    honest = file(
        b,
        line,
        MAY,
        [
            (
                images.jpeg(
                    images.shoot(scene, rng), rng, taken=local(dt.date(2025, 5, 9)), where=near
                ),
                "a.jpg",
            )
        ],
    )
    fake = file(
        b,
        line,
        JUNE,
        [(images.jpeg(images.shoot(scene, rng), rng, taken=taken, where=far), "b.jpg")],
    )
    sweep(now=NOW)
    assert flagged(Rule.PHOTO_PLACE) == {fake.pk}
    assert honest.pk not in flagged(Rule.PHOTO_PLACE)
    assert "12.0 公里" in Finding.objects.get(rule=Rule.PHOTO_PLACE).detail


@pytest.mark.parametrize(
    "software, edited",
    [
        ("Adobe Photoshop 25.0 (Windows)", True),
        ("美图秀秀", True),
        ("Microsoft Windows Photo Viewer 6.1.7600.16385", False),
        ("今日水印相机 3.2.1", False),
        ("HDR+ 1.0.5", False),
    ],
)
def test_editing_software_but_not_a_viewer_or_a_watermark_camera(b, software, edited):
    line, scene = b.line(deadline=dt.date(2025, 9, 1)), images.Scene.random(b.rng)
    report = file(b, line, JUNE, [(shot(b, scene, line, JUNE, software=software), "a.jpg")])
    sweep(now=NOW)
    assert (report.pk in flagged(Rule.PHOTO_EDITED)) is edited


def test_one_picture_resized_and_cropped_in_another_units_report_but_not_a_second_shot(b):
    rng, scene = b.rng, images.Scene.random(b.rng)
    line, other = b.line(deadline=dt.date(2025, 9, 1)), b.line(deadline=dt.date(2025, 9, 1))
    data, image = b.site_photo(scene, line, MAY)
    first = file(b, line, MAY, [(data, "a.jpg")])
    again = file(b, line, JUNE, [(shot(b, scene.later(rng), line, JUNE), "b.jpg")])  # honest
    copy = file(b, other, JUNE, [(stripped(images.doctor(image, rng), rng), "c.jpg")])
    sweep(now=NOW)
    (finding,) = Finding.objects.filter(rule=Rule.EVIDENCE_REUSE)
    assert set(finding.facts["reports"]) == {first.pk, copy.pk} and not finding.facts["identical"]
    assert again.pk not in finding.facts["reports"]


# --- texts --------------------------------------------------------------------------------


def test_a_narrative_copied_with_new_dates_but_not_standard_wording(b):
    rng = b.rng
    copier, source = b.line(deadline=dt.date(2025, 9, 1)), b.line(deadline=dt.date(2025, 9, 1))
    honest = b.line(deadline=dt.date(2025, 9, 1))
    text = narratives.narrative(rng, 5, b.area(copier))
    first = file(b, copier, MAY, [], text=text)
    lazy = file(b, copier, JUNE, [], text=narratives.renumber(rng, text, 6))
    other_text = narratives.narrative(rng, 6, b.area(source))
    file(b, source, JUNE, [], text=other_text)
    standard = [
        file(b, honest, m, [], text=narratives.mostly_standard(rng, m.month, b.area(honest)))
        for m in (MAY, JUNE)
    ]
    for _ in range(5):  # the programme's standard wording is everybody's
        line = b.line(deadline=dt.date(2025, 9, 1))
        file(b, line, JUNE, [], text=narratives.mostly_standard(rng, 6, b.area(line)))
    sweep(now=NOW)
    (finding,) = Finding.objects.filter(rule=Rule.TEXT_COPY)
    assert finding.facts["reports"] == [first.pk, lazy.pk] and finding.facts["same_line"]
    assert standard[1].pk not in flagged(Rule.TEXT_COPY)


# --- last-minute jumps --------------------------------------------------------------------


def test_a_jump_to_100_before_the_deadline_without_new_evidence_but_not_a_genuine_one(b):
    rng = b.rng
    deadline = dt.date(2025, 6, 20)
    results = {}
    for kind in ("fake", "genuine", "steady"):
        scene = images.Scene.random(rng)
        line = b.line(deadline=deadline)
        data = shot(b, scene, line, MAY)
        before = 85 if kind == "steady" else 20
        file(b, line, MAY, [(data, "a.jpg")], percent=before)
        submitted = local(deadline - dt.timedelta(days=4), 15)
        files = (
            [(data, "a.jpg")]
            if kind == "fake"
            else [(shot(b, scene.later(rng), line, JUNE, submitted=submitted), "b.jpg")]
        )
        results[kind] = file(b, line, JUNE, files, percent=100, submitted=submitted)
    sweep(now=NOW)
    assert flagged(Rule.LATE_JUMP) >= {results["fake"].pk}
    assert results["genuine"].pk not in flagged(Rule.LATE_JUMP)
    assert results["steady"].pk not in flagged(Rule.LATE_JUMP)


# --- inspection ledgers -------------------------------------------------------------------


def test_an_impossible_route_but_not_an_honest_day(b):
    rng = b.rng
    day = dt.date(2025, 1, 14)
    honest_inspector, fake_inspector = b.inspector(), b.inspector()
    honest = [b.visit(e, honest_inspector, at) for e, at in b.day_route(4, honest_inspector, day)]
    near = b.enterprise(offset(build.CENTRE, 2_000, rng))
    far = b.enterprise(offset(build.CENTRE, 35_000, rng))
    fake = [
        b.visit(near, fake_inspector, local(day, 9)),
        b.visit(far, fake_inspector, local(day, 9, 20)),
    ]
    sweep(now=NOW)
    assert flagged(Rule.INSPECTION_TRAVEL) == {i.pk for i in fake}
    assert not {i.pk for i in honest} & flagged(Rule.INSPECTION_TRAVEL)


def test_many_inspections_at_one_minute_or_one_spot_but_not_an_industrial_park(b):
    rng = b.rng
    day = dt.date(2025, 1, 20)
    clerk, desk_clerk, park_inspector = b.inspector(), b.inspector(), b.inspector()
    at = local(day, 16, 30)
    minute = [b.visit(b.enterprise(), clerk, at + dt.timedelta(seconds=k)) for k in range(3)]
    desk = offset(build.CENTRE, 1_000, rng)
    spot = [
        b.visit(e, desk_clerk, t, where=desk)
        for e, t in b.day_route(3, desk_clerk, day + dt.timedelta(days=1))
    ]
    park = [
        b.visit(e, park_inspector, t) for e, t in b.day_route(4, park_inspector, day, park=True)
    ]
    pair = [b.visit(b.enterprise(), b.inspector(), local(day, 11, 5)) for _ in range(2)]
    sweep(now=NOW)
    assert flagged(Rule.INSPECTION_CLONE) == {i.pk for i in minute + spot}
    assert not {i.pk for i in park + pair} & flagged(Rule.INSPECTION_CLONE)


def test_a_pasted_signature_but_not_the_same_person_signing_twice(b):
    rng = b.rng
    day = dt.date(2025, 2, 3)
    inspector = b.inspector()
    same = b.enterprise()
    honest = [b.visit(same, inspector, local(day + dt.timedelta(days=k * 7), 10)) for k in range(2)]
    pasted = images.jpeg(images.signature(rng, 99), rng)
    fake = [
        b.visit(b.enterprise(), inspector, local(day, 14 + k), signature=pasted) for k in range(2)
    ]
    sweep(now=NOW)
    assert flagged(Rule.INSPECTION_REUSE) == {i.pk for i in fake}
    assert Finding.objects.get(rule=Rule.INSPECTION_REUSE).facts["signature"]
    assert not {i.pk for i in honest} & flagged(Rule.INSPECTION_REUSE)


def test_running_recorded_on_an_idle_day_but_not_an_idle_day_recorded_as_such(b):
    day = dt.date(2025, 1, 22)
    inspector = b.inspector()
    liar, truthful, reduced = b.enterprise(), b.enterprise(), b.enterprise()
    for e, factor in ((liar, 0.03), (truthful, 0.02), (reduced, 0.6)):
        b.readings[e.device_mns[0]][1][day] = factor
    fake = b.visit(liar, inspector, local(day, 10))
    honest = b.visit(truthful, inspector, local(day, 12), running=None, findings="企业已停产")
    fine = b.visit(reduced, inspector, local(day, 14))
    previous = readings.set_provider(b.provider)
    try:
        sweep(now=NOW)
    finally:
        readings.set_provider(previous)
    assert flagged(Rule.INSPECTION_IDLE) == {fake.pk}
    assert not {honest.pk, fine.pk} & flagged(Rule.INSPECTION_IDLE)


# --- the air around a closed item ---------------------------------------------------------


def test_a_close_out_while_the_rank_worsens_is_a_weak_signal_with_its_chart(b):
    fake = b.air_scenario("fake_air_worsening")
    honest = b.air_scenario("honest_air_brief_worsening")
    zigzag = b.air_scenario("honest_air_noise")
    b.write_air()
    sweep(now=NOW)
    lines = set(Signal.objects.values_list("line_id", flat=True))
    assert fake.lines <= lines
    assert not (honest.lines | zigzag.lines) & lines
    signal = Signal.objects.filter(line_id=next(iter(fake.lines))).first()  # PM10 and/or 降尘
    assert len(signal.chart["months"]) == len(signal.chart["ranks"]) and signal.chart["run"]
    assert not Finding.objects.filter(line_id=signal.line_id).exists()  # not a finding
