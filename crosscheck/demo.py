"""Demo: one sweep over the demo data, so the findings page has something to show."""

from crosscheck.sweep import sweep


def load_demo(stdout) -> None:
    result = sweep()
    stdout.write(f"数据核验：发现 {result.found} 条疑点（新增 {result.new}）")
