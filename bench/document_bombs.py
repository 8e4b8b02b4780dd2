"""Benchmark: decompression bombs through the CLI and the web import, peak memory and time.

Run by hand: ``.venv/bin/python bench/document_bombs.py [--size-mb 1024] [--runs 3]``.

Each bomb is a small file (.docx and .xlsx whose main XML part, and a .pdf whose content stream,
inflate to ``--size-mb``). Each run is a fresh process, as users pay it (Python and Django start-up
included): ``lantian plan parse`` (.docx, .pdf), ``lantian importdevices`` and
``lantian emergency import --check`` (.xlsx), and the web plan import (a POST to /plans/import/
through Django's test client against a throw-away SQLite database). Printed per case: the median
wall time and peak resident memory of the process tree (the reader's child process included),
the exit status or HTTP status, the first line of the message, the file and inflated sizes, and
the machine's load. The bound the guard promises: under 300 MB and 15 s, exit status 2 / the
form's error.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LANTIAN = Path(sys.executable).with_name("lantian")

WEB = """
import os, sys, time, resource
os.environ["DJANGO_SETTINGS_MODULE"] = "lantian.settings"
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from accounts.registry import load_registry
from accounts.models import Membership, Unit
load_registry()
user, _ = get_user_model().objects.get_or_create(username="office")  # each run: same database
Membership.objects.get_or_create(user=user, role="office_admin",
    unit=Unit.objects.get(name="市生态环境保护督察整改工作领导小组办公室"))
client = Client()
client.force_login(user)
data = open(sys.argv[1], "rb").read()
started = time.perf_counter()
response = client.post("/plans/import/", {"file": SimpleUploadedFile(sys.argv[2], data)})
elapsed = time.perf_counter() - started
text = response.content.decode()
marker = "压缩炸弹" if "压缩炸弹" in text else ("内存超过" if "内存超过" in text else "")
print(f"{response.status_code}\\t{elapsed:.2f}\\t{marker}")
"""


def measure(command: list[str], env: dict) -> tuple[float, float, int, str]:
    """Wall seconds, peak RSS MB of the process tree, exit status, first stderr/stdout line."""
    probe = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "r = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "wall = time.perf_counter() - t\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "lines = (r.stderr.strip() + '\\n' + r.stdout.strip()).strip().splitlines()\n"
        "said = [s for s in lines if '炸弹' in s or '超过' in s or '过大' in s] or lines[-1:]\n"
        "print(f'{wall:.3f}\\t{peak:.1f}\\t{r.returncode}\\t{said[0] if said else \"\"}')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, *command], capture_output=True, text=True, env=env, cwd=ROOT
    )
    wall, peak, status, line = out.stdout.strip().split("\t", 3)
    return float(wall), float(peak), int(status), line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024, help="inflated size of each bomb")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from lantian.tests import bombs

    work = Path(tempfile.mkdtemp(prefix="lantian-bombs-"))
    size = args.size_mb * bombs.MB
    files = {
        "docx": (work / "bomb.docx", bombs.docx_bomb),
        "xlsx": (work / "bomb.xlsx", bombs.xlsx_bomb),
        "pdf": (work / "bomb.pdf", bombs.pdf_bomb),
    }
    for path, make in files.values():
        path.write_bytes(make(size))
    env = {**os.environ, "LANTIAN_VAR_DIR": str(work / "var")}
    env.pop("DATABASE_URL", None)
    subprocess.run([str(LANTIAN), "setup"], env=env, capture_output=True, check=True)
    web = work / "web.py"
    web.write_text(WEB)
    cases = [
        ("lantian plan parse", "docx", [str(LANTIAN), "plan", "parse", str(files["docx"][0])]),
        ("lantian plan parse", "pdf", [str(LANTIAN), "plan", "parse", str(files["pdf"][0])]),
        ("lantian importdevices", "xlsx", [str(LANTIAN), "importdevices", str(files["xlsx"][0])]),
        (
            "lantian emergency import --check",
            "xlsx",
            [str(LANTIAN), "emergency", "import", str(files["xlsx"][0]), "--check"],
        ),
    ]
    for kind in ("docx", "pdf"):
        web_env = {**env, "LANTIAN_VAR_DIR": str(work / f"web-{kind}")}
        (work / f"web-{kind}").mkdir()
        cases.append(
            (
                "web plan import",
                kind,
                [sys.executable, str(web), str(files[kind][0]), f"bomb.{kind}"],
                web_env,
            )
        )
    print(
        f"bombs inflating to {args.size_mb} MB; {args.runs} runs per case (median); "
        f"load average {os.getloadavg()[0]:.2f} at start; cpus {os.cpu_count()}"
    )
    print(
        f"{'case':34} {'file':>5} {'size':>9} {'wall s':>7} {'peak MB':>8} {'status':>6}  message"
    )
    for case in cases:
        name, kind, command = case[:3]
        case_env = case[3] if len(case) > 3 else env
        results = [measure(command, case_env) for _ in range(args.runs)]
        wall = statistics.median(r[0] for r in results)
        peak = statistics.median(r[1] for r in results)
        status, line = results[-1][2], results[-1][3]
        file_mb = files[kind][0].stat().st_size / bombs.MB
        print(
            f"{name:34} {kind:>5} {file_mb:7.2f}MB {wall:7.2f} {peak:8.1f} {status:>6}  {line[:60]}"
        )
    print(f"load average {os.getloadavg()[0]:.2f} at end")


if __name__ == "__main__":
    main()
