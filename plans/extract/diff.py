"""What changed between two extractions of the same plan (a revised version)."""

from __future__ import annotations


def _units(item: dict) -> list[str]:
    names = item.get("responsible") or []
    return list(dict.fromkeys([*names, *(item.get("implementers") or [])]))


def diff_extractions(old: dict, new: dict) -> list[str]:
    """Human-readable changes from ``old`` to ``new``: tasks added/removed, deadlines and units."""
    changes: list[str] = []
    for key, label in (("title", "标题"), ("doc_no", "文号"), ("issued", "发文日期")):
        if (old.get(key) or None) != (new.get(key) or None):
            changes.append(f"{label}：{old.get(key) or '无'} → {new.get(key) or '无'}")
    before = {item["no"]: item for item in old.get("items", [])}
    after = {item["no"]: item for item in new.get("items", [])}
    for no in sorted(after.keys() - before.keys()):
        changes.append(f"新增任务 {no}：{after[no].get('title', '')}")
    for no in sorted(before.keys() - after.keys()):
        changes.append(f"删除任务 {no}：{before[no].get('title', '')}")
    for no in sorted(before.keys() & after.keys()):
        a, b = before[no], after[no]
        if a.get("title") != b.get("title"):
            changes.append(f"任务 {no} 标题：{a.get('title')} → {b.get('title')}")
        if a.get("deadline") != b.get("deadline") or a.get("deadline_raw") != b.get("deadline_raw"):
            changes.append(
                f"任务 {no} 时限：{a.get('deadline_raw') or a.get('deadline') or '无'} → "
                f"{b.get('deadline_raw') or b.get('deadline') or '无'}"
            )
        old_units, new_units = _units(a), _units(b)
        added = [u for u in new_units if u not in old_units]
        removed = [u for u in old_units if u not in new_units]
        if added:
            changes.append(f"任务 {no} 新增责任单位：{'、'.join(added)}")
        if removed:
            changes.append(f"任务 {no} 移除责任单位：{'、'.join(removed)}")
        for key, label in (("acceptance", "验收单位"), ("lead", "牵头单位")):
            if (a.get(key) or []) != (b.get(key) or []):
                changes.append(
                    f"任务 {no} {label}：{'、'.join(a.get(key) or []) or '无'} → "
                    f"{'、'.join(b.get(key) or []) or '无'}"
                )
        count_a, count_b = len(a.get("measures") or []), len(b.get("measures") or [])
        if count_a != count_b:
            changes.append(f"任务 {no} 措施：{count_a} 条 → {count_b} 条")
        old_ms = sorted(ms["date"] or "" for m in a.get("measures") or [] for ms in m["milestones"])
        new_ms = sorted(ms["date"] or "" for m in b.get("measures") or [] for ms in m["milestones"])
        if old_ms != new_ms:
            changes.append(
                f"任务 {no} 节点日期：{'、'.join(old_ms) or '无'} → {'、'.join(new_ms) or '无'}"
            )
    return changes
