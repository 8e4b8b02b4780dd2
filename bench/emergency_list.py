"""Benchmark: the emergency reduction list at the seed's scale (4,467 enterprises) and a day's draw.

Run by hand: ``.venv/bin/python bench/emergency_list.py [--rows 4467]``. It uses a throw-away
SQLite database under a temporary directory (or ``DATABASE_URL`` if set) and prints figures.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=4467)
    args = parser.parse_args()
    os.environ.setdefault("LANTIAN_VAR_DIR", tempfile.mkdtemp(prefix="lantian-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantian.settings")
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command

    call_command("setup", stdout=io.StringIO())
    from accounts.models import District
    from emergency import draw, draws, listfile, sample, services

    city = District.objects.get(parent=None, name="西安市")
    names = list(District.objects.filter(parent=city).values_list("name", flat=True))

    started = time.perf_counter()
    rows = sample.generate(args.rows, names)
    data = listfile.write_workbook(rows)
    wrote = time.perf_counter() - started
    print(f"generate + write workbook: {args.rows} rows, {len(data) / 1e6:.2f} MB, {wrote:.2f} s")

    started = time.perf_counter()
    run = services.check_list_upload(
        SimpleUploadedFile("bench.xlsx", data), city=city, acting_user="bench"
    )
    checked = time.perf_counter() - started
    print(f"check (read + validate every row): {checked:.2f} s, {args.rows / checked:,.0f} rows/s")
    assert run.status == "checked", run.report[:5]

    started = time.perf_counter()
    services.apply_list(run, acting_user="bench")
    applied = time.perf_counter() - started
    print(f"apply (create enterprises, measures, grade history): {applied:.2f} s")

    rows[len(rows) // 2]["district"] = "不存在区"
    started = time.perf_counter()
    bad = services.check_list_upload(
        SimpleUploadedFile("bad.xlsx", listfile.write_workbook(rows)),
        city=city,
        acting_user="bench",
    )
    print(
        f"a file with one bad row: refused in {time.perf_counter() - started:.2f} s, "
        f"report: {bad.report}"
    )

    pops = draws.populations(city)
    started = time.perf_counter()
    seed = draw.round_seed(draw.new_secret(), "bench", run.created_at.date(), "2024-01-12T00:00:00")
    units = draws.unit_draws(city, run.created_at.date(), "orange", pops)
    picks = sum(len(draw.draw_unit(seed, u.unit.name, u.quota, pops)) for u in units)
    drew = time.perf_counter() - started
    print(f"one day's draw: {len(units)} units, {picks} enterprises, {drew * 1000:.0f} ms")


if __name__ == "__main__":
    main()
