"""The Pareto figure of `semsiedit eval`: leakage against utility, one point per configuration, the
frontier, and labels placed so that none overlaps another label, a marker or the legend."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def plot_pareto(summaries: list[dict[str, Any]], path: Path, title: str) -> None:
    """Leakage (x, lower is better) against utility (y, higher is better), one point per configuration."""
    import matplotlib.pyplot as plt

    fig = draw_pareto(summaries, title)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp.png")
    fig.savefig(tmp)
    plt.close(fig)
    tmp.replace(path)


def draw_pareto(summaries: list[dict[str, Any]], title: str):
    """The Pareto figure (matplotlib, Agg); labels placed so that none overlaps another or a point."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    use_gold = all("gold_leakage_after" in s for s in summaries)
    xkey = "gold_leakage_after" if use_gold else "leakage_after"
    fig, ax = plt.subplots(figsize=(7.5, 5.5), dpi=120)
    styles = {"semsiedit": ("o", "tab:blue"), "baseline": ("s", "tab:red"), "external": ("D", "tab:green")}
    for kind, (marker, colour) in styles.items():
        points = [s for s in summaries if s["kind"] == kind]
        if points:
            ax.scatter([p[xkey] for p in points], [p["utility"] for p in points], marker=marker, s=70, c=colour,
                       label={"semsiedit": "semsiedit configurations", "baseline": "baselines",
                              "external": "external rewrites"}[kind], zorder=3)
    # The frontier: points not beaten on both axes, left to right.
    frontier = sorted(
        (s for s in summaries if not any(o[xkey] <= s[xkey] and o["utility"] >= s["utility"] and o is not s
                                          and (o[xkey], o["utility"]) != (s[xkey], s["utility"]) for o in summaries)),
        key=lambda s: s[xkey],
    )
    if len(frontier) > 1:
        ax.plot([s[xkey] for s in frontier], [s["utility"] for s in frontier], "--", c="grey", lw=1,
                label="privacy–utility frontier", zorder=2)
    what = "gold-span leakage (judge's spans)" if use_gold else "leakage (detected spans)"
    ax.set_xlabel(f"{what} — lower is better")
    ax.set_ylabel("utility (sentence coverage) — higher is better")
    ax.set_title(title)
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(max(0.0, min(s["utility"] for s in summaries) - 0.1), 1.02)
    ax.grid(True, alpha=0.3)
    legend = ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    place_labels(ax, [(s["name"], s[xkey], s["utility"]) for s in summaries], avoid=[legend])
    return fig


# Offsets (points) tried around a marker, nearest first; then the same directions farther out.
_LABEL_OFFSETS = [(7, 5), (7, -11), (-7, 5), (-7, -11), (0, 10), (0, -16), (10, -3), (-10, -3)]


def place_labels(ax, labels: list[tuple[str, float, float]], *, avoid=(), fontsize: int = 8) -> None:
    """Greedy label placement: each label takes the first candidate position (around its point, then
    farther away, with a leader line) whose box overlaps no label placed before, no marker and none
    of `avoid` (the legend), inside the axes. Boxes come from the renderer, so they are exact."""
    from matplotlib.text import Text

    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    to_px = ax.transData.transform
    marker_r = 6.0 * fig.dpi / 72  # s=70 markers: ~4.2 pt radius, with a margin
    markers = [to_px((x, y)) for _name, x, y in labels]
    taken = [m.get_window_extent(renderer) for m in avoid]
    frame = ax.get_window_extent(renderer)

    def clashes(box) -> float:
        grown = box.expanded(1.0, 1.0).padded(1.5)
        area = 0.0
        for other in taken:
            w = min(grown.x1, other.x1) - max(grown.x0, other.x0)
            h = min(grown.y1, other.y1) - max(grown.y0, other.y0)
            if w > 0 and h > 0:
                area += w * h
        for mx, my in markers:
            dx = max(grown.x0 - mx, 0, mx - grown.x1)
            dy = max(grown.y0 - my, 0, my - grown.y1)
            if dx * dx + dy * dy < marker_r * marker_r:
                area += marker_r * marker_r
        outside = (max(frame.x0 - box.x0, 0) + max(box.x1 - frame.x1, 0)) * box.height
        outside += (max(frame.y0 - box.y0, 0) + max(box.y1 - frame.y1, 0)) * box.width
        return area + outside

    # Crowded points first: they have the fewest free places.
    def crowd(item: tuple[str, float, float]) -> float:
        px = to_px((item[1], item[2]))
        return -sum(1 for m in markers if abs(m[0] - px[0]) < 60 and abs(m[1] - px[1]) < 30)

    for name, x, y in sorted(labels, key=crowd):
        best = None
        for scale in (1, 2, 3, 4, 5, 6):
            for dx, dy in _LABEL_OFFSETS:
                offset = (dx * scale, dy * scale)
                text = ax.annotate(name, (x, y), textcoords="offset points", xytext=offset, fontsize=fontsize,
                                   ha="left" if dx > 0 else "right" if dx < 0 else "center",
                                   arrowprops={"arrowstyle": "-", "color": "grey", "lw": 0.5} if scale > 1 else None)
                text.update_positions(renderer)
                box = Text.get_window_extent(text, renderer)  # the text alone, not its leader line
                cost = clashes(box)
                if best is None or cost < best[0]:
                    if best is not None:
                        best[1].remove()
                    best = (cost, text, box)
                else:
                    text.remove()
                if cost == 0:
                    break
            if best is not None and best[0] == 0:
                break
        assert best is not None
        taken.append(best[2])
