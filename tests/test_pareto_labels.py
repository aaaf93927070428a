"""Pareto plot labels never overlap each other, a marker or the legend (boxes from matplotlib's renderer)."""

from __future__ import annotations

import itertools

from matplotlib.text import Text

from semsiedit.plots import draw_pareto, plot_pareto


def _summaries() -> list[dict]:
    # A max_iterations sweep lands in a tight cluster, next to the baselines: the crowded case.
    points = [("semsiedit max_iterations=0", "semsiedit", 0.60, 0.950), ("semsiedit max_iterations=1", "semsiedit",
              0.46, 0.905), ("semsiedit max_iterations=2", "semsiedit", 0.44, 0.895),
              ("semsiedit max_iterations=3", "semsiedit", 0.43, 0.890), ("semsiedit (local editor)", "semsiedit",
              0.435, 0.885), ("presidio replace", "baseline", 0.45, 0.875), ("redact", "baseline", 0.30, 0.80),
              ("gpt-5 whole-text rewrite", "external", 0.42, 0.90)]
    return [{"name": n, "kind": k, "leakage_after": x, "utility": y} for n, k, x, y in points]


def _boxes(fig):
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    labels = list(ax.texts)
    for label in labels:
        label.update_positions(renderer)  # where the annotation's text is drawn
    return ax, renderer, [Text.get_window_extent(t, renderer) for t in labels], labels


def test_labels_do_not_overlap_each_other_markers_or_legend():
    summaries = _summaries()
    fig = draw_pareto(summaries, "crowded")
    ax, renderer, boxes, labels = _boxes(fig)
    assert sorted(t.get_text() for t in labels) == sorted(s["name"] for s in summaries)
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b), (a, b)
    legend = ax.get_legend().get_window_extent(renderer)
    frame = ax.get_window_extent(renderer)
    markers = [ax.transData.transform((s["leakage_after"], s["utility"])) for s in summaries]
    radius = 4.2 * fig.dpi / 72  # the markers' radius (s=70 pt^2)
    for box in boxes:
        assert not box.overlaps(legend)
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
        for mx, my in markers:
            dx = max(box.x0 - mx, 0, mx - box.x1)
            dy = max(box.y0 - my, 0, my - box.y1)
            assert dx * dx + dy * dy >= radius * radius


def test_the_naive_placement_would_overlap():
    """The data really is crowded: one fixed offset for every label collides."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 5.5), dpi=120)
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(0.7, 1.02)
    for s in _summaries():
        ax.annotate(s["name"], (s["leakage_after"], s["utility"]), textcoords="offset points", xytext=(6, 6),
                    fontsize=8)
    fig.tight_layout()
    _ax, _renderer, boxes, _labels = _boxes(fig)
    assert any(a.overlaps(b) for a, b in itertools.combinations(boxes, 2))
    plt.close(fig)


def test_plot_pareto_writes_a_png(tmp_path):
    path = tmp_path / "pareto.png"
    plot_pareto(_summaries(), path, "crowded")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
