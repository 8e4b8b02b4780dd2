"""``lantian report``: writes .docx/.xlsx/.pdf, archives an issue once, refuses bad options
with one clear line; with LibreOffice present, page 1 of the PDF is rendered to a PNG kept as
a test artefact (var/artefacts/report-page1.png, or $LANTIAN_ARTEFACTS)."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from docx import Document
from openpyxl import load_workbook

from reports import pdf
from reports.models import Issue
from reports.tests.conftest import ISSUE_DAY, at

pytestmark = pytest.mark.django_db
ARTEFACTS = Path(
    os.environ.get("LANTIAN_ARTEFACTS", Path(__file__).parents[2] / "var" / "artefacts")
)


def run(*args) -> str:
    out = io.StringIO()
    call_command("report", *args, stdout=out)
    return out.getvalue()


def test_monthly_writes_word_and_excel_and_archives_once(december, tmp_path, quick_charts):
    with at(ISSUE_DAY):
        said = run("monthly", "--month", "2023-12", "--out", str(tmp_path / "通报.docx"))
        assert "2023年第1期月度调度通报（审核稿，第1版）" in said
        run("monthly", "--month", "2023-12", "--out", str(tmp_path / "通报.xlsx"))
    assert Issue.objects.count() == 1 and Issue.objects.get().revisions.count() == 2
    doc = Document(tmp_path / "通报.docx")
    assert any("关于2023年12月西安市" in p.text for p in doc.paragraphs)
    book = load_workbook(tmp_path / "通报.xlsx")
    assert book.sheetnames[0] == "总体进展"
    with at(ISSUE_DAY):
        said = run(
            "monthly", "--from", "2023-12-18", "--to", "2023-12-24", "--dry-run",
            "--out", str(tmp_path / "简报.docx"),
        )  # fmt: skip
    assert "试看稿" in said and Issue.objects.count() == 1
    text = [p.text for p in Document(tmp_path / "简报.docx").paragraphs]
    assert "（审核稿）2023年第（待定）期" in text
    assert "2023年12月18日至12月24日西安市大气污染防治工作简报" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2023-13"], "月份应写作 YYYY-MM"),
        (["--month", "2023-12", "--from", "2023-12-01"], "只能选一种"),
        ([], "请给出 --month"),
        (["--from", "2023-12-10", "--to", "2023-12-01"], "早于开始日期"),
        (["--month", "2023-12", "--city", "长安市"], "没有名为“长安市”的城市"),
        (["--month", "2023-12", "--plan", "999999"], "没有编号为 999999 的方案"),
    ],
)
def test_bad_options_end_in_one_clear_line(db, registry, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        run("monthly", *args, "--out", str(tmp_path / "x.docx"))
    with pytest.raises(CommandError, match=r"\.docx、\.pdf 或 \.xlsx"):
        run("monthly", "--month", "2023-12", "--out", str(tmp_path / "x.txt"))


def test_pdf_without_libreoffice_names_what_to_install(monkeypatch):
    monkeypatch.setenv("LANTIAN_SOFFICE", "/nonexistent/soffice")
    with pytest.raises(pdf.PdfUnavailable, match="libreoffice-writer"):
        pdf.to_pdf(b"whatever")


def test_auto_runs_once_per_month(december, quick_charts):
    out = run("auto", "--date", "2024-01-05")
    assert "已自动生成 2023年第1期" in out
    assert run("auto", "--date", "2024-01-06") == ""


def test_pdf_page_one_reads_as_a_bureau_document(december, tmp_path):
    import pdfplumber

    if not pdf.soffice() or not shutil.which("pdftoppm"):
        reason = "LibreOffice (libreoffice-writer) and poppler-utils are not installed"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"the PDF test must run in CI: {reason}")
        pytest.skip(reason)

    with at(ISSUE_DAY):
        run("monthly", "--month", "2023-12", "--out", str(tmp_path / "通报.pdf"))
    with pdfplumber.open(tmp_path / "通报.pdf") as document:
        first = document.pages[0].extract_text()
        assert len(document.pages) >= 3
    compact = "".join(first.split())
    for words in ("调度通报", "2023年第1期", "2024年1月5日", "大气污染防治工作调度情况的通报",
                  "一、总体进展"):  # fmt: skip
        assert words in compact
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile",
         str(tmp_path / "通报.pdf"), str(ARTEFACTS / "report-page1")],
        check=True, timeout=120,
    )  # fmt: skip
    from PIL import Image

    page = Image.open(ARTEFACTS / "report-page1.png").convert("RGB")
    assert page.width > 600
    # The masthead is red: many strongly red pixels in the top quarter.
    top = page.crop((0, 0, page.width, page.height // 4))
    import numpy as np

    pixels = np.asarray(top).astype(int)
    red = int(((pixels[..., 0] > 180) & (pixels[..., 1] < 80) & (pixels[..., 2] < 80)).sum())
    assert red > 500
