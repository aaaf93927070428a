"""The HTML review page (`rewrite --html`, `report RESULTS.jsonl --html`), checked in a real headless chromium."""

from __future__ import annotations

import html
import itertools
import json
import re
from pathlib import Path

import pytest
from browser import REQUIRE_ENV, Browser, browser_required, find_chromium
from cli_runner import run_main

from semsiedit import rewrite_texts
from semsiedit.highlights import edit_highlights

DOCS = [
    {"ID": "a", "answer": "Patient Maria Gonzalez was diagnosed with HIV and depression. Call 555-123-4567."},
    {"ID": "b", "answer": "The weather in spring is mild and the trains run on time."},
    {"ID": "c", "answer": "Tom Brandt stole money from the company and lied to the auditors. "
                          "<script>alert(1)</script>"},
    {"ID": "d", "answer": "Greta Lindholm, a devout Catholic, is bankrupt after her divorce."},
]


@pytest.fixture(scope="module")
def results_jsonl(tmp_path_factory) -> Path:
    """A real rewrite's JSONL output, with the review page written by the same run."""
    folder = tmp_path_factory.mktemp("review")
    data = folder / "data.jsonl"
    data.write_text("".join(json.dumps(d) + "\n" for d in DOCS), encoding="utf-8")
    mp = pytest.MonkeyPatch()
    try:
        capsys = _Capture()
        code, _out, err = run_main(["rewrite", str(data), "--id-field", "ID", "-o", str(folder / "out.jsonl"),
                                    "--html", str(folder / "rewrite.html")], mp, capsys)
        assert code == 0, err
    finally:
        mp.undo()
    return folder / "out.jsonl"


class _Capture:
    """capsys for a module-scoped fixture: stdout/stderr of the in-process run are not needed."""

    def readouterr(self):
        return "", ""


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_highlights_point_at_the_edits_in_the_final_text():
    texts = [d["answer"] for d in DOCS]
    for result in rewrite_texts(texts, score=False):
        spans = edit_highlights(result)
        assert all(0 <= s["start"] < s["end"] <= len(result.rewritten) for s in spans)
        assert all(a["end"] <= b["start"] for a, b in itertools.pairwise(spans))  # no overlaps
        if len(result.rounds) == 1:  # one round: each region is exactly what its edit wrote
            accepted = sorted((d.edit for d in result.rounds[0].decisions if d.accepted), key=lambda e: e.start)
            assert [result.rewritten[s["start"] : s["end"]] for s in spans] == [e.replacement for e in accepted]
        for m in re.finditer(r"Person [A-Z]+\b", result.rewritten):  # every surrogate is inside a highlight
            assert any(s["start"] <= m.start() and m.end() <= s["end"] for s in spans), (result.rewritten, m)
        assert all("original" not in s for s in spans)
        assert any(s["findings"] for s in spans) or not spans


def test_page_is_self_contained_escaped_and_hides_values(results_jsonl):
    page = (results_jsonl.parent / "rewrite.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # nothing loads from the network
    for value in ("Maria Gonzalez", "Tom Brandt", "555-123-4567", "HIV"):
        assert value not in page
    assert page.count('<article class="doc"') == len(DOCS)
    assert "<mark" in page and "data-detail=" in page
    # needs_review as the run's risk thresholds set it, with its reasons.
    flags = re.findall(r'<article class="doc" id="doc-\d+" data-order="\d+" data-needs-review="(\d)"', page)
    records = _records(results_jsonl)
    assert flags == ["1" if r["semsiedit"]["needs_review"] else "0" for r in records]
    for r in records:
        for reason in r["semsiedit"]["review_reasons"]:
            assert html.escape(reason) in page


def test_show_values_shows_the_original_spans(tmp_path, monkeypatch, capsys):
    data = tmp_path / "note.txt"
    data.write_text(DOCS[0]["answer"], encoding="utf-8")
    code, _out, err = run_main(["rewrite", str(data), "--show-values", "--html", str(tmp_path / "v.html"),
                                "--no-score"], monkeypatch, capsys)
    assert code == 0, err
    page = (tmp_path / "v.html").read_text(encoding="utf-8")
    assert re.search(r'data-detail="[^"]*original: [^"]*Maria Gonzalez', page) and "original values shown" in page


def test_report_command(results_jsonl, tmp_path, monkeypatch, capsys):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    records = _records(results_jsonl)
    # The needs_review field as the risk thresholds set it (both shapes a report may carry).
    for record in records:
        record["semsiedit"]["needs_review"], record["semsiedit"]["review_reasons"] = False, []
    records[0]["semsiedit"]["needs_review"] = True
    records[3]["semsiedit"]["needs_review"] = {"value": True, "reasons": ["utility loss above 20%"]}
    results = tmp_path / "results.jsonl"
    results.write_text("".join(json.dumps(r) + "\n" for r in records) + "not json\n{\"x\": 1}\n", encoding="utf-8")
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([0, 1], [1, 0])
    fig.savefig(tmp_path / "pareto.png")
    plt.close(fig)

    code, out, err = run_main(["report", str(results), "--html", str(tmp_path / "r.html")], monkeypatch, capsys)
    assert code == 0, err
    assert out == "" and err.count("skipped") == 2
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in page and "needs review" in page and "utility loss above 20%" in page

    code, out, err = run_main(["report", str(results)], monkeypatch, capsys)
    summary = json.loads(out)
    assert code == 0 and summary["documents"] == len(DOCS) and summary["needs_review"] == 2

    (tmp_path / "empty.jsonl").write_text("{}\n")
    code, out, err = run_main(["report", str(tmp_path / "empty.jsonl"), "--html", str(tmp_path / "e.html")],
                              monkeypatch, capsys)
    assert code == 2 and "no rewrite records" in err and not (tmp_path / "e.html").exists()
    code, out, err = run_main(["report", str(tmp_path / "missing.jsonl")], monkeypatch, capsys)
    assert code == 2 and "no such file" in err


@pytest.fixture(scope="module")
def browser():
    binary = find_chromium()
    if binary is None:
        if browser_required():
            pytest.fail(f"{REQUIRE_ENV}=1 but chromium is not installed", pytrace=False)
        pytest.skip("chromium is not installed (apt-get install chromium)")
    b = Browser(binary)
    yield b
    b.close()


@pytest.mark.slow
def test_browser_collects_page_errors(browser, tmp_path):
    """The harness itself: a page that throws is caught, so a clean page means something."""
    bad = tmp_path / "bad.html"
    bad.write_text("<html><body><script>console.error('boom'); throw new Error('x')</script></body></html>")
    browser.open(bad.as_uri())
    errors = browser.errors()
    assert any("exception" in e for e in errors) and any("boom" in e for e in errors)


@pytest.mark.slow
def test_review_page_in_a_real_browser(browser, results_jsonl, tmp_path, monkeypatch, capsys):
    records = _records(results_jsonl)
    for i, record in enumerate(records):  # the real flags vary with the thresholds: fix them here
        record["semsiedit"]["needs_review"] = i == 0
    results = tmp_path / "results.jsonl"
    results.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    page = tmp_path / "review.html"
    assert run_main(["report", str(results), "--html", str(page)], monkeypatch, capsys)[0] == 0

    browser.open(page.as_uri())
    assert browser.errors() == []
    assert browser.eval("document.body.getAttribute('data-ready')") == "1"
    count = "+document.getElementById('shown').getAttribute('data-count')"
    visible_ids = "[...document.querySelectorAll('article.doc')].filter(d => !d.hidden).map(d => d.id)"
    assert browser.eval(count) == len(DOCS)

    browser.eval("document.getElementById('f-needs').click()")  # the checkbox, as a user clicks it
    assert browser.eval(visible_ids) == ["doc-1"]
    browser.eval("document.getElementById('f-needs').click()")
    assert browser.eval(count) == len(DOCS)

    with_privacy = [f"doc-{i + 1}" for i, r in enumerate(records)
                    if r["semsiedit"]["findings_before"]["privacy"]
                    or any(h["category"] == "privacy" for h in r["semsiedit"]["highlights"])]
    assert 0 < len(with_privacy) < len(DOCS)
    browser.eval("var s = document.getElementById('f-category'); s.value = 'privacy';"
                 "s.dispatchEvent(new Event('change', {bubbles: true}))")
    assert sorted(browser.eval(visible_ids)) == sorted(with_privacy)
    assert browser.eval("location.hash") == "#category=privacy"

    # Sorting by utility, lowest first, reorders the documents in the DOM.
    browser.eval("var s = document.getElementById('f-category'); s.value = 'all'; s.dispatchEvent(new Event('change'));"
                 "var o = document.getElementById('f-sort'); o.value = 'utility'; o.dispatchEvent(new Event('change'))")
    order = browser.eval("[...document.querySelectorAll('article.doc')].map(d => +d.dataset.utility)")
    assert order == sorted(order)

    # Keyboard: j moves to the next document, k back; a click on a highlight shows its finding.
    browser.eval("document.dispatchEvent(new KeyboardEvent('keydown', {key: 'j'}));"
                 "document.dispatchEvent(new KeyboardEvent('keydown', {key: 'j'}))")
    second = browser.eval("document.querySelectorAll('article.doc')[1].id")
    assert browser.eval("document.body.dataset.current") == second
    browser.eval("document.dispatchEvent(new KeyboardEvent('keydown', {key: 'k'}))")
    assert browser.eval("document.querySelector('article.doc.current') === document.querySelectorAll('article.doc')[0]")
    browser.eval("document.querySelector('.text mark').click()")
    detail = browser.eval("document.querySelector('.pop').textContent")
    assert "finding:" in detail and "severity" in detail and "source" in detail
    assert browser.errors() == []

    # A shared view: the state comes from the URL.
    browser.open(page.as_uri() + "?shared#needs_review=1")  # a new load, not a same-page hash change
    assert browser.eval(visible_ids) == ["doc-1"] and browser.errors() == []
