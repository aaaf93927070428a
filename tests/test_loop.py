"""Loop logic with small scripted stages (no models): rounds, guards, fallbacks, termination.

The real detectors, editors and the real LLM server are exercised in test_rewrite_e2e.py and
test_llm_loop.py; these tests pin the orchestration rules themselves.
"""

from __future__ import annotations

import re
import threading
import time
from types import SimpleNamespace

import pytest

from semsiedit.batching import ordered_map
from semsiedit.config import Settings
from semsiedit.errors import LLMError
from semsiedit.loop import EditingLoop
from semsiedit.types import Document, Edit, Finding, Usage

NAMES = {"Maria Gonzalez": "Person A", "John Smith": "Person B", "Person A": "Person C"}


class RegexDetector:
    """Flags a fixed set of names and 'HIV' (as privacy); counts its calls."""

    def __init__(self, names=NAMES):
        self.names = names
        self.calls = 0

    def detect_many(self, texts):
        self.calls += 1
        out = []
        for text in texts:
            found = [
                Finding(m.start(), m.end(), m.group(), "pii", "PERSON", 2, 0.9, "regex")
                for name in self.names
                for m in re.finditer(re.escape(name), text)
            ]
            found += [Finding(m.start(), m.end(), m.group(), "privacy", "health", 3, 0.9, "regex")
                      for m in re.finditer(r"\bHIV\b", text)]
            found.sort(key=lambda f: f.start)
            for i, f in enumerate(found, 1):
                f.id = f"f{i}"
            out.append(found)
        return out


class PassCritic:
    def critique(self, text, context, detected):
        return SimpleNamespace(findings=detected, usage=Usage(), notes=[])


class TableEditor:
    """A local editor stand-in: names -> surrogates, HIV -> a generalisation."""

    def propose(self, text, context, findings):
        edits = []
        for f in findings:
            replacement = NAMES.get(f.text, "a chronic health condition")
            strategy = "pseudonym" if f.category == "pii" else "generalise"
            edits.append(Edit(f.start, f.end, f.text, replacement, [f.id], f.category, "local", strategy))
        return SimpleNamespace(edits=edits, usage=Usage(), notes=[])


class ScriptedLLMEditor:
    """Returns the scripted replacement per finding text; raises when told to."""

    def __init__(self, replies=None, error: LLMError | None = None):
        self.replies = replies or {}
        self.error = error

    def propose(self, text, context, findings):
        if self.error:
            raise self.error
        edits = [
            Edit(f.start, f.end, f.text, self.replies[f.text], [f.id], f.category, "llm", "llm")
            for f in findings
            if f.text in self.replies
        ]
        return SimpleNamespace(edits=edits, usage=Usage(calls=1, completion_tokens=7), notes=[])


def make_loop(editor=None, **settings):
    local = TableEditor()
    return EditingLoop(
        Settings(**settings), RegexDetector(), PassCritic(), editor or local, local, None, uses_llm=editor is not None
    )


TEXT = "Note: Maria Gonzalez (HIV positive) met John Smith.\r\nNothing else — ünïcode stays."


def test_local_loop_rewrites_and_stops_when_clean():
    result = make_loop().run(Document("d", TEXT))
    expected = "Note: Person A (a chronic health condition positive) met Person B.\r\nNothing else — ünïcode stays."
    assert result.rewritten == expected
    assert result.path == "local"
    assert len(result.rounds) == 1  # round 2's detection found only our own surrogates
    assert [f.text for f in result.findings_before] == ["Maria Gonzalez", "HIV", "John Smith"]
    assert result.findings_after == []
    assert result.edits_applied == 3


def test_own_surrogate_is_not_re_edited_forever():
    # The detector flags "Person A" too; it lies inside text we wrote, so the loop leaves it.
    result = make_loop(max_iterations=3).run(Document("d", "Maria Gonzalez called."))
    assert result.rewritten == "Person A called."
    assert len(result.rounds) == 1



def test_hit_spanning_two_of_our_surrogates_is_not_re_edited():
    """A detector that tags "Person A and Person B" as one name: made of our own surrogates and a
    joiner, so it is not a new finding (it used to be re-edited into "Person C")."""
    loop = make_loop(max_iterations=3)
    loop.detector = RegexDetector({"Maria Gonzalez": "", "John Smith": "", "Person A and Person B": ""})
    result = loop.run(Document("d", "Maria Gonzalez and John Smith called."))
    assert result.rewritten == "Person A and Person B called."
    assert len(result.rounds) == 1 and result.findings_after == []


def test_hit_spanning_a_surrogate_and_original_words_is_still_new():
    loop = make_loop(max_iterations=1)
    loop.detector = RegexDetector({"Maria Gonzalez": "", "Person A Rodriguez": ""})
    result = loop.run(Document("d", "Maria Gonzalez Rodriguez called."))
    assert [f.text for f in result.findings_after] == ["Person A Rodriguez"]

def test_zero_iterations_only_detects():
    result = make_loop(max_iterations=0).run(Document("d", TEXT))
    assert result.rewritten == TEXT
    assert result.rounds == []
    assert result.findings_after == result.findings_before


def test_rejected_llm_edit_falls_back_to_local_for_that_span():
    llm = ScriptedLLMEditor({
        "Maria Gonzalez": "the patient",
        "HIV": "HIV",  # keeps the value: must be rejected
        "John Smith": "",  # deletes content: must be rejected
    })
    result = make_loop(llm).run(Document("d", TEXT))
    assert result.rewritten.startswith("Note: the patient (a chronic health condition positive) met Person B.")
    assert result.path == "fallback"
    decisions = result.rounds[0].decisions
    rejected = {d.edit.original: d.reason for d in decisions if not d.accepted}
    assert rejected["HIV"].startswith("keeps_value")
    assert rejected["John Smith"].startswith("deletes_content")
    assert result.fallbacks == 2
    assert result.usage.calls == 1


def test_llm_failure_gives_the_local_rewrite_and_says_so():
    llm = ScriptedLLMEditor(error=LLMError("timeout", "timed out"))
    result = make_loop(llm).run(Document("d", TEXT))
    assert result.rewritten == make_loop().run(Document("d", TEXT)).rewritten
    assert result.path == "fallback"
    assert any("editor failed (timeout)" in n for n in result.rounds[0].notes)
    assert result.usage.failures == 1


def test_llm_edit_that_reintroduces_a_value_elsewhere_is_rejected():
    llm = ScriptedLLMEditor({"HIV": "a condition Maria Gonzalez has", "Maria Gonzalez": "the patient",
                             "John Smith": "a colleague"})
    result = make_loop(llm).run(Document("d", TEXT))
    assert "Maria Gonzalez" not in result.rewritten


def test_batch_keeps_documents_independent_and_ordered():
    docs = [Document(str(i), t) for i, t in enumerate(["John Smith.", "", "Nothing here.", TEXT])]
    results = make_loop(jobs=3).run_many(docs)
    assert [r.id for r in results] == ["0", "1", "2", "3"]
    assert results[0].rewritten == "Person B."
    assert results[1].rewritten == "" and results[2].rewritten == "Nothing here."



class SlowLLMEditor(ScriptedLLMEditor):
    """An LLM editor whose reply time depends on the document, so documents finish out of order;
    records how many calls overlapped."""

    def __init__(self, replies):
        super().__init__(replies)
        self.lock = threading.Lock()
        self.now = self.max = 0

    def propose(self, text, context, findings):
        with self.lock:
            self.now += 1
            self.max = max(self.max, self.now)
        time.sleep(0.02 * (len(text) % 5))
        with self.lock:
            self.now -= 1
        return super().propose(text, context, findings)


def test_llm_documents_run_concurrently_and_come_back_in_input_order():
    texts = [f"Doc {i}{'!' * i}: Maria Gonzalez (HIV positive) met John Smith." for i in range(12)]
    replies = {"Maria Gonzalez": "the patient", "HIV": "a chronic condition", "John Smith": "a nurse"}

    def run(jobs):
        llm = SlowLLMEditor(replies)
        loop = EditingLoop(Settings(jobs=jobs), RegexDetector(), PassCritic(), llm, TableEditor(), None,
                           uses_llm=True)
        pairs = list(loop.run_iter(Document(str(i), t) for i, t in enumerate(texts)))
        return pairs, llm.max

    serial, serial_overlap = run(1)
    parallel, parallel_overlap = run(4)
    assert serial_overlap == 1 and parallel_overlap > 1
    assert [d.id for d, _ in parallel] == [str(i) for i in range(12)]
    assert all(d.id == r.id for d, r in parallel)
    assert [r.rewritten for _, r in parallel] == [r.rewritten for _, r in serial]
    assert parallel[3][1].rewritten == "Doc 3!!!: the patient (a chronic condition positive) met a nurse."


def test_ordered_map_keeps_order_reads_lazily_and_raises():
    read = []

    def items():
        for i in range(20):
            read.append(i)
            yield i

    def work(i):
        time.sleep(0.01 * ((7 * i) % 4))
        return i * i

    out = ordered_map(work, items(), workers=3, ahead=5)
    first = next(out)
    assert first == (0, 0)
    assert len(read) <= 6  # the window, plus the one that filled it
    assert list(out) == [(i, i * i) for i in range(1, 20)]

    def broken(i):
        if i == 3:
            raise ValueError("document 3")
        return i

    with pytest.raises(ValueError, match="document 3"):
        list(ordered_map(broken, range(10), workers=2, ahead=4))


class FixedUtilityScorer:
    """Scores every candidate with a fixed utility; records what it was asked."""

    def __init__(self, utility):
        self.utility = utility
        self.seen = []

    def score_many(self, items):
        from semsiedit.types import Scores

        items = list(items)
        self.seen.extend(items)
        return [Scores(self.utility, self.utility, 0, 0, 0, 0, 1.0) for _ in items]


def test_llm_round_below_utility_floor_falls_back_to_local():
    llm = ScriptedLLMEditor({"Maria Gonzalez": "someone", "HIV": "a condition", "John Smith": "someone else"})
    local = TableEditor()
    scorer = FixedUtilityScorer(0.2)
    loop = EditingLoop(Settings(utility_floor=0.5), RegexDetector(), PassCritic(), llm, local, scorer, uses_llm=True)
    result = loop.run(Document("d", TEXT))
    assert result.rewritten == make_loop().run(Document("d", TEXT)).rewritten
    assert any(d.reason.startswith("utility_floor") for d in result.rounds[0].decisions)
    assert result.path == "fallback"


def test_llm_round_above_utility_floor_is_kept():
    llm = ScriptedLLMEditor({"Maria Gonzalez": "the patient", "HIV": "a chronic condition", "John Smith": "a nurse"})
    loop = EditingLoop(Settings(), RegexDetector(), PassCritic(), llm, TableEditor(), FixedUtilityScorer(0.9),
                       uses_llm=True)
    result = loop.run(Document("d", TEXT))
    assert result.rewritten.startswith("Note: the patient (a chronic condition positive) met a nurse.")
    assert result.path == "llm"


class RecordingLLMEditor(ScriptedLLMEditor):
    def __init__(self, replies):
        super().__init__(replies)
        self.texts = []

    def propose(self, text, context, findings):
        self.texts.append(text)
        return super().propose(text, context, findings)


def test_huge_document_is_edited_chunk_by_chunk_with_right_offsets():
    paragraph = "Maria Gonzalez visited the clinic on Monday and talked for a while about the weather. " * 4
    text = "\n\n".join([paragraph.strip()] * 12)  # ~4 KB, well past chunk_chars=600
    llm = RecordingLLMEditor({"Maria Gonzalez": "the patient"})
    loop = EditingLoop(Settings(chunk_chars=600), RegexDetector(), PassCritic(), llm, TableEditor(), None,
                       uses_llm=True)
    result = loop.run(Document("big", text))
    assert result.rewritten == text.replace("Maria Gonzalez", "the patient")
    assert len(llm.texts) > 1 and all(len(t) <= 600 for t in llm.texts)
    assert result.path == "llm"


def test_five_megabyte_document_keeps_every_byte_and_offset():
    """A 5 MB text: the LLM sees chunks cut at paragraph/sentence boundaries; the output is exact."""
    paragraph = ("Ordinary notes about the weather, the harvest and the village fair go on a while. " * 7).strip()
    paragraphs = [paragraph] * 9000
    for i in range(0, 9000, 900):
        paragraphs[i] = "Maria Gonzalez (HIV positive) came by.\r\n" + paragraphs[i]
    text = "\r\n\r\n".join(paragraphs) + " Ünïcödé — end."
    assert len(text.encode()) > 5_000_000
    llm = RecordingLLMEditor({"Maria Gonzalez": "the visitor", "HIV": "a chronic condition"})
    loop = EditingLoop(Settings(), RegexDetector(), PassCritic(), llm, TableEditor(), None, uses_llm=True)
    result = loop.run(Document("huge", text))
    expected = text.replace("Maria Gonzalez", "the visitor").replace("HIV", "a chronic condition")
    assert result.rewritten == expected
    assert len(llm.texts) == 10 and all(len(t) <= Settings().chunk_chars for t in llm.texts)


def test_short_values_are_matched_as_whole_words():
    """A detected "ER" must not make "Person A" look like a leak (it once blocked every name edit)."""
    loop = make_loop(editor=None)
    loop.detector = RegexDetector({"ER": "", "Maria Gonzalez": ""})  # "ER" flagged as PII
    result = loop.run(Document("d", "Maria Gonzalez went to the ER."))
    # "Person A" contains the letters "er": a substring check used to reject this edit.
    assert result.rewritten.startswith("Person A went to the ")
    assert all(d.accepted for r in result.rounds for d in r.decisions)
