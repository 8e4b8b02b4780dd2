"""Charts of an issue as print-quality PNG (200 dpi, Chinese labels), drawn from the snapshot.

Each function takes the snapshot and returns PNG bytes, or None when there is nothing to draw.
The output depends only on the snapshot (no dates, no software version in the metadata), so
an archived issue redraws the same images.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable

from reports.fonts import cjk_font_path

DPI = 200
WIDTH_IN = 6.3  # 16 cm: the text width of an A4 page with the template's margins
RED, GREEN, BLUE, GREY, ORANGE = "#c0392b", "#2e8b57", "#2f6db5", "#8c8c8c", "#e08a1e"
LAMP_NAMES = {"green": "绿灯", "yellow": "黄灯", "red": "红灯", "grey": "灰灯"}
LAMP_COLOURS = {"green": GREEN, "yellow": "#d4a017", "red": RED, "grey": GREY}
_lock = threading.Lock()  # pyplot's state is global; web workers may draw at once
_ready = False


def _setup():
    global _ready
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib import font_manager, rcParams

    if not _ready:
        path = cjk_font_path()
        font_manager.fontManager.addfont(path)
        names = [f.name for f in font_manager.fontManager.ttflist if f.fname == path]
        name = next((n for n in names if n.endswith(" SC")), names[0] if names else None)
        rcParams["font.family"] = [name] if name else ["sans-serif"]
        rcParams["axes.unicode_minus"] = False
        rcParams["font.size"] = 9
        rcParams["svg.hashsalt"] = "lantian"
        _ready = True
    import matplotlib.pyplot as plt

    return plt


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": "lantian"})
    return buffer.getvalue()


def _draw(fn: Callable) -> bytes:
    with _lock:
        plt = _setup()
        fig = fn(plt)
        try:
            return _png(fig)
        finally:
            plt.close(fig)


def _margins(fig, *, left=0.55, bottom=0.45, top=0.32, right=0.15) -> None:
    """Fixed margins in inches: tight_layout would draw every chart twice to find them."""
    width, height = fig.get_size_inches()
    fig.subplots_adjust(
        left=left / width, right=1 - right / width, bottom=bottom / height, top=1 - top / height
    )


def _style(ax) -> None:
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)


def _labels(ax, bars, fmt="{:g}") -> None:
    for bar in bars:
        height = bar.get_height()
        ax.annotate(
            fmt.format(height),
            (bar.get_x() + bar.get_width() / 2, height),
            ha="center",
            va="bottom",
            fontsize=7,
            xytext=(0, 1),
            textcoords="offset points",
        )


def units_chart(snapshot: dict) -> bytes | None:
    """Horizontal bars: each unit's score, best at the top, coloured by its lamp."""
    units = snapshot["ledger"]["units"][:30]
    if not units:
        return None

    def draw(plt):
        fig, ax = plt.subplots(figsize=(WIDTH_IN, 0.6 + 0.24 * len(units)))
        names = [u["unit"] for u in units][::-1]
        scores = [u["score"] for u in units][::-1]
        colours = [LAMP_COLOURS.get(u.get("lamp") or "", BLUE) for u in units][::-1]
        bars = ax.barh(names, scores, color=colours, height=0.6)
        for bar, score in zip(bars, scores, strict=True):
            ax.annotate(
                f"{score:.1f}",
                (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                va="center",
                fontsize=7,
                xytext=(2, 0),
                textcoords="offset points",
            )
        ax.set_xlim(0, 105)
        from matplotlib.patches import Patch

        shown = [
            c for c in ("green", "yellow", "red", "grey") if any(u.get("lamp") == c for u in units)
        ]
        if shown:
            ax.legend(
                handles=[Patch(color=LAMP_COLOURS[c], label=LAMP_NAMES[c]) for c in shown],
                frameon=False,
                fontsize=7,
                loc="lower right",
            )
        ax.set_xlabel("考核得分（条形颜色为亮灯）")
        longest = max(len(name) for name in names)
        _margins(fig, left=0.15 + longest * 7 / 72, bottom=0.5)
        ax.set_title("各责任单位考核得分", fontsize=10)
        ax.spines["top"].set_visible(False)
        ax.spines["right"].set_visible(False)
        ax.tick_params(axis="y", labelsize=7)
        return fig

    return _draw(draw)


def trend_chart(snapshot: dict) -> bytes | None:
    """Lines: items closed and overdue at the end of each of the last six months."""
    trend = snapshot["ledger"]["trend"]
    if not trend or not any(t["lines"] for t in trend):
        return None

    def draw(plt):
        fig, ax = plt.subplots(figsize=(WIDTH_IN, 2.6))
        labels = [t["label"] for t in trend]
        for key, name, colour in (("closed", "累计销号", GREEN), ("overdue", "逾期未完成", RED)):
            values = [t[key] for t in trend]
            ax.plot(labels, values, marker="o", color=colour, label=name, linewidth=1.6)
            for x, y in zip(labels, values, strict=True):
                ax.annotate(str(y), (x, y), fontsize=7, xytext=(0, 4), textcoords="offset points")
        ax.set_ylabel("事项数")
        ax.set_title("近六个月整改事项销号与逾期情况", fontsize=10)
        ax.legend(frameon=False, fontsize=8)
        ax.set_ylim(bottom=0)
        _style(ax)
        _margins(fig, bottom=0.35)
        return fig

    return _draw(draw)


def air_chart(snapshot: dict) -> bytes | None:
    """Bars: each district's PM2.5, with last year's value and the target when known."""
    rows = [r for r in snapshot["air"]["rows"] if r["pm25"] is not None]
    if not rows:
        return None

    def draw(plt):
        fig, ax = plt.subplots(figsize=(WIDTH_IN, 2.9))
        names = [r["district"] for r in rows]
        x = list(range(len(rows)))
        bars = ax.bar(
            [i - 0.2 for i in x], [r["pm25"] for r in rows], width=0.4, color=BLUE, label="本期"
        )
        _labels(ax, bars)
        last = [r["pm25_last_year"] for r in rows]
        if any(v is not None for v in last):
            ax.bar(
                [i + 0.2 for i in x],
                [v or 0 for v in last],
                width=0.4,
                color=GREY,
                label="去年同期",
            )
        target = snapshot["air"]["targets"]["pm25"]
        if target is not None:
            ax.axhline(target, color=RED, linestyle="--", linewidth=1, label=f"目标 {target:g}")
        ax.set_xticks(x, names, rotation=45, ha="right", fontsize=7)
        ax.set_ylabel("PM2.5（微克/立方米）")
        ax.set_title("各区县 PM2.5 平均浓度", fontsize=10)
        ax.legend(frameon=False, fontsize=8)
        _style(ax)
        _margins(fig, bottom=0.75)
        return fig

    return _draw(draw)


def dust_chart(snapshot: dict) -> bytes | None:
    """Bars: each district's dust fall, red over the target, with the target line."""
    dust = snapshot["air"].get("dust")
    if not dust or not dust["rows"]:
        return None

    def draw(plt):
        fig, ax = plt.subplots(figsize=(WIDTH_IN, 2.7))
        rows = dust["rows"]
        colours = [RED if r["over_target"] else GREEN for r in rows]
        bars = ax.bar([r["district"] for r in rows], [r["value"] for r in rows], color=colours)
        _labels(ax, bars, "{:.2f}")
        if dust["target"] is not None:
            ax.axhline(
                dust["target"],
                color=RED,
                linestyle="--",
                linewidth=1,
                label=f"目标 {dust['target']:g}",
            )
            ax.legend(frameon=False, fontsize=8)
        ax.set_ylabel("降尘量（吨/平方公里·月）")
        ax.set_title("各区县降尘量", fontsize=10)
        ax.tick_params(axis="x", rotation=45, labelsize=7)
        for label in ax.get_xticklabels():
            label.set_horizontalalignment("right")
        _style(ax)
        _margins(fig, bottom=0.75)
        return fig

    return _draw(draw)


def alarms_chart(snapshot: dict) -> bytes | None:
    """Stacked bars: dust and fume exceedance alarms per district."""
    rows = [r for r in snapshot["monitoring"]["rows"] if r["alarms"] or r["devices"]]
    if not rows or not any(r["alarms"] for r in rows):
        return None

    def draw(plt):
        fig, ax = plt.subplots(figsize=(WIDTH_IN, 2.5))
        names = [r["district"] for r in rows]
        dust = [r["dust_alarms"] for r in rows]
        fume = [r["fume_alarms"] for r in rows]
        ax.bar(names, dust, color=ORANGE, label="扬尘报警")
        ax.bar(names, fume, bottom=dust, color=BLUE, label="油烟报警")
        ax.set_ylabel("报警次数")
        ax.set_title("各区县在线监测超标报警", fontsize=10)
        ax.legend(frameon=False, fontsize=8)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.tick_params(axis="x", rotation=45, labelsize=7)
        _style(ax)
        _margins(fig, bottom=0.75)
        return fig

    return _draw(draw)


CHARTS: dict[str, tuple[str, Callable[[dict], bytes | None]]] = {
    "units": ("各责任单位考核得分", units_chart),
    "trend": ("近六个月销号与逾期", trend_chart),
    "alarms": ("在线监测超标报警", alarms_chart),
    "air": ("各区县 PM2.5", air_chart),
    "dust": ("各区县降尘量", dust_chart),
}


def render_all(snapshot: dict) -> dict[str, bytes | None]:
    return {key: fn(snapshot) for key, (_title, fn) in CHARTS.items()}
