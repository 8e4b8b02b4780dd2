"""Demo data: the two example plans of ``examples/plans/`` imported into the ledger (idempotent:
the ledger recognises a document it already holds by its SHA-256 and creates nothing new)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings

from plans.extract import ExtractError, parse_file

EXAMPLES = Path(settings.BASE_DIR) / "examples" / "plans"


def load_demo(stdout) -> None:
    import_examples(stdout)


def import_examples(stdout) -> None:
    """Import each example plan once. A document the ledger holds in any revision is not
    imported again: the demo gives the seed plans a derived revision (``ledger.demo``), and
    the seed text must not come back as a revision of its own."""
    try:
        from ledger.models import PlanRevision
        from ledger.services import import_plan_extraction
    except ImportError:
        stdout.write("方案导入：台账模块未安装，跳过示例方案导入\n")
        return
    for path in sorted(EXAMPLES.glob("*.txt")):
        data = path.read_bytes()
        if PlanRevision.objects.filter(sha256=hashlib.sha256(data).hexdigest()).exists():
            stdout.write(f"方案导入：{path.name} 已存在\n")
            continue
        try:
            extraction = parse_file(data, filename=path.name)
        except ExtractError as exc:
            stdout.write(f"方案导入：{path.name} 无法解析：{exc}\n")
            continue
        outcome = import_plan_extraction(
            extraction, source_name=path.name, source_bytes=data, city=None, acting_user=None
        )
        state = "已导入" if outcome.created else "已存在"
        stdout.write(f"方案导入：{path.name} {state}（{len(extraction['items'])} 项任务）\n")
