"""The agentic editing loop: detect -> critique -> rewrite -> verify, at most N rounds (SPEC §2).

Two schedules, one set of stages:
- `jobs == 1`, or no LLM: documents move through the rounds in lock-step batches on one thread,
  so each round runs the detectors once over the whole batch and the batch is scored with one
  batched encode (spaCy, Presidio and MiniLM batch well).
- `jobs > 1` with an LLM: every document runs its own rounds on a worker thread, 2 x jobs
  documents at a time, while the client allows `jobs` requests in flight; so documents waiting
  for replies overlap the others' local work (detection, editing, scoring). Lock-step batches
  would leave the LLM idle while one thread detects and scores between the waves
  (benchmarks/bench_concurrency.py measures it). The detectors run under a lock (spaCy and
  Presidio are not documented as thread-safe); the embedder has its own lock.
Results come back in input order either way. One document's failure never touches another's: it
is recorded on that document's result.
"""

from __future__ import annotations

import bisect
import inspect
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, Protocol

from semsiedit.batching import batches, ordered_map
from semsiedit.config import Settings
from semsiedit.editing.spans import group_overlapping
from semsiedit.errors import LLMError
from semsiedit.profile import Profile, apply_profile, choose_profile
from semsiedit.prompts import prompt_hashes
from semsiedit.span_index import SpanIndex
from semsiedit.text import normalize_ws, values_pattern
from semsiedit.types import Document, DocumentResult, Edit, EditDecision, Finding, RoundRecord, Usage
from semsiedit.verify import check_edit, normalise

LLM_SOURCE = "llm-critic"
_WORD = re.compile(r"\w+")
_JOINERS = frozenset({"and", "or", "with", "nor", "plus"})  # words that join two of our surrogates
_SURROGATE_WORDS = frozenset({"Person", "User"})  # the first word of the local editor's stand-ins
_NAME_LABELS = frozenset({"PERSON", "LOCATION", "GPE", "ORGANIZATION", "ORG", "NRP", "FAC"})
LOCKSTEP_BATCH = 16  # documents per lock-step batch (jobs == 1): enough for spaCy/MiniLM batching


class Detector(Protocol):
    def detect_many(self, texts: Sequence[str]) -> list[list[Finding]]: ...


class Critic(Protocol):
    def critique(self, text: str, context: str | None, detected: list[Finding]): ...


class Editor(Protocol):
    def propose(self, text: str, context: str | None, findings: list[Finding]): ...


class Scorer(Protocol):
    def score_many(self, items): ...


@dataclass
class _State:
    """One document's progress through the rounds."""

    doc: Document
    text: str
    result: DocumentResult
    # Regions (in the current text) written by accepted edits: detectors' hits inside them are our
    # own surrogates or hedges, not new leaks, unless they repeat an original sensitive value.
    edited: SpanIndex[tuple[int, int]] = field(default_factory=lambda: SpanIndex(span=_itself))
    original_values: set[str] = field(default_factory=set)
    original_pattern: re.Pattern[str] | None = None  # all of original_values at once (values_pattern)
    # After one LLM failure (already retried by the client) the document finishes on the local path:
    # a dead server must not cost every remaining stage its own round of retries.
    llm_down: bool = False
    profile: Profile | None = None  # chosen on the first round's findings (semsiedit/profile.py)
    # A stage whose reply did not parse even after the client's one repair is not asked again in
    # this document (a weak model's garbage would otherwise cost every round two more requests).
    failed_stages: set[str] = field(default_factory=set)
    llm_spent: float = 0.0  # seconds waited on the LLM for this document (per-document deadline)
    done: bool = False
    started: float = field(default_factory=time.perf_counter)


class EditingLoop:
    """Orchestrates the stages; owns no model itself, so every backend can be swapped."""

    def __init__(
        self,
        settings: Settings,
        detector: Detector,
        critic: Critic,
        editor: Editor,
        local_editor: Editor,
        scorer: Scorer | None = None,
        *,
        uses_llm: bool = False,
        circuit_breaker: int = 5,
    ) -> None:
        self.settings = settings
        self.detector = detector
        self.critic = critic
        self.editor = editor
        self.local_editor = local_editor
        self.scorer = scorer
        self.uses_llm = uses_llm
        self.hashes = prompt_hashes()
        # Circuit breaker: after this many documents in a row whose LLM calls failed, the rest of the
        # run uses the local path at once instead of waiting out timeouts and retries per document.
        self.circuit_breaker = circuit_breaker
        self.consecutive_failures = 0
        self.llm_disabled = False
        self._lock = threading.Lock()
        self._detect_lock = threading.Lock()

    # -- public -------------------------------------------------------------------------------
    def run(self, doc: Document) -> DocumentResult:
        return self._finish(self._edit([doc]))[0]

    def run_many(self, docs: Iterable[Document]) -> list[DocumentResult]:
        return [result for _doc, result in self.run_iter(docs)]

    def run_iter(self, docs: Iterable[Document]) -> Iterator[tuple[Document, DocumentResult]]:
        """(document, result) pairs in input order, each as soon as it and those before it are done.

        `docs` is read lazily (a few batches or `4 * jobs` documents ahead at most), so a large
        JSONL dataset streams in flat memory.
        """
        jobs = self.settings.jobs
        if jobs == 1 or not self.uses_llm:
            yield from self._run_local(docs)
            return
        # Twice as many documents in progress as LLM requests allowed (the client holds `jobs`
        # slots): while some documents wait for replies, the others detect, edit and score.
        workers = 2 * jobs
        for doc, results in ordered_map(lambda d: self._finish(self._edit([d])), docs, workers=workers,
                                        ahead=2 * workers):  # fmt: skip
            yield doc, results[0]

    def _run_local(self, docs: Iterable[Document]) -> Iterator[tuple[Document, DocumentResult]]:
        """Lock-step batches; a batch is scored on a second thread while the next is detected and edited.

        Detection (spaCy, Presidio, the static vectors) keeps one core busy and scoring (MiniLM on ONNX
        Runtime, which releases the GIL) the other. When detection also ran MiniLM, the overlap was
        slower on 2 cores (session 3, torch); since the detector reads static vectors it pays (RESULTS.md,
        session 23). Without a scorer there is nothing to overlap.
        """
        if self.scorer is None or not self.settings.score:
            for batch in batches(docs, LOCKSTEP_BATCH):
                yield from zip(batch, self._finish(self._edit(batch)), strict=True)
            return
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="semsiedit-score") as pool:
            pending = None
            for batch in batches(docs, LOCKSTEP_BATCH):
                states = self._edit(batch)
                if pending is not None:
                    yield from zip(pending[0], pending[1].result(), strict=True)
                pending = (batch, pool.submit(self._finish, states))
            if pending is not None:
                yield from zip(pending[0], pending[1].result(), strict=True)

    # -- a group of documents in lock-step --------------------------------------------------------
    def _edit(self, docs: Sequence[Document]) -> list[_State]:
        """Every round for a group of documents, in lock-step (one detector call per round)."""
        states = [
            _State(doc, doc.text, DocumentResult(id=doc.id, original=doc.text, rewritten=doc.text, path=self._path()))
            for doc in docs
        ]
        for state in states:
            state.result.prompt_hashes = dict(self.hashes) if self.uses_llm else {}
        for iteration in range(self.settings.max_iterations + 1):
            active = [s for s in states if not s.done]
            if not active:
                break
            self._round(active, iteration)
        return states

    def _finish(self, states: list[_State]) -> list[DocumentResult]:
        from semsiedit.review import mark

        self._score(states)
        for state in states:
            state.result.rewritten = state.text
            state.result.elapsed_s = time.perf_counter() - state.started
            mark(state.result, self.settings)
        return [s.result for s in states]

    # -- one round ----------------------------------------------------------------------------
    def _round(self, states: list[_State], iteration: int) -> None:
        # From the second round on, the detector re-parses only the sentences the edits changed.
        originals = [s.doc.text if s.text != s.doc.text else None for s in states]
        detected = self._detect([s.text for s in states], [s.doc.context for s in states], originals)
        critiques = [self._critique(state, found) for state, found in zip(states, detected, strict=True)]
        last = iteration == self.settings.max_iterations
        to_edit: list[tuple[_State, list[Finding], RoundRecord]] = []
        for state, (findings, record) in zip(states, critiques, strict=True):
            if iteration == 0:
                state.result.findings_before = findings
                state.original_values = {normalise(f.text) for f in findings if f.category == "pii"}
                state.original_pattern = values_pattern(state.original_values)
            state.result.findings_after = findings
            if not findings or last:
                state.done = True
                state.result.usage.add(record.usage)
                if findings and record.usage.calls + record.usage.cached_calls and state.result.rounds:
                    # The closing check's LLM cost belongs to the last round.
                    state.result.rounds[-1].usage.add(record.usage)
                    state.result.rounds[-1].notes.extend(record.notes)
                continue
            record.iteration = iteration + 1
            record.findings = findings
            to_edit.append((state, findings, record))
        if not to_edit:
            return
        proposals = [self._propose(state, findings, record) for state, findings, record in to_edit]
        for (_state, _findings, record), decisions in zip(to_edit, proposals, strict=True):
            record.decisions = decisions
        self._utility_guard(to_edit)
        for state, _findings, record in to_edit:
            before = state.text
            state.text = self._apply(state, record.decisions)
            state.result.rounds.append(record)
            state.result.usage.add(record.usage)
            if state.text == before and self.editor is self.local_editor:
                # The local editor is deterministic: the same text gets the same findings and the
                # same (no) edits in every later round, so the document is done.
                state.done = True

    def _utility_guard(self, to_edit: list[tuple[_State, list[Finding], RoundRecord]]) -> None:
        """Guard (c): a round of LLM edits that drops the text's utility below the floor is
        replaced by the local editor's edits for the same findings (the local editor is the floor)."""
        if self.scorer is None or self.editor is self.local_editor:
            return
        llm_rounds = [item for item in to_edit if any(d.accepted and d.edit.editor == "llm" for d in item[2].decisions)]
        if not llm_rounds:
            return
        candidates = [(s.doc.text, self._preview(s, r.decisions), []) for s, _f, r in llm_rounds]
        for (state, findings, record), scores in zip(llm_rounds, self.scorer.score_many(candidates), strict=True):
            if scores.utility >= self.settings.utility_floor:
                continue
            for decision in record.decisions:
                if decision.accepted:
                    decision.accepted, decision.reason = False, f"utility_floor: {scores.utility:.2f}"
            record.notes.append(f"utility {scores.utility:.2f} below floor: local editor used for this round")
            state.result.path = "fallback"
            local = self.local_editor.propose(state.text, state.doc.context, findings,
                                              **_profiled(self.local_editor, state))
            index = SpanIndex(findings)
            for edit in local.edits:
                edit.strategy = f"fallback:{edit.strategy}"
                reason = self._reject_reason(state, edit, index, local=True)
                record.decisions.append(EditDecision(edit, accepted=reason is None, reason=reason or ""))

    @staticmethod
    def _preview(state: _State, decisions: list[EditDecision]) -> str:
        from semsiedit.editing.apply import apply_edits

        return apply_edits(state.text, [d.edit for d in decisions if d.accepted])

    # -- stages -------------------------------------------------------------------------------
    def _detect(
        self, texts: list[str], contexts: list[str | None], originals: list[str | None] | None = None
    ) -> list[list[Finding]]:
        with self._detect_lock:
            # The questions help the learned detector, the originals save parsing; other detectors
            # (scripted ones in tests) may take neither.
            accepted = inspect.signature(self.detector.detect_many).parameters
            extra: dict[str, Any] = {}
            if any(contexts) and "contexts" in accepted:
                extra["contexts"] = contexts
            if originals is not None and any(o is not None for o in originals) and "originals" in accepted:
                extra["originals"] = originals
            return self.detector.detect_many(texts, **extra)

    def _critique(self, state: _State, detected: list[Finding]) -> tuple[list[Finding], RoundRecord]:
        record = RoundRecord(iteration=0)
        if not state.text.strip():
            return [], record  # nothing to review: no LLM call for an empty document
        detected = [f for f in detected if self._is_new(state, f)]
        if state.profile is None:
            state.profile = choose_profile(state.text, state.doc.context, detected, self.settings)
            state.result.profile = state.profile.to_dict()
        findings: list[Finding] = []
        chunks = self._chunks(state.text)
        for start, end in chunks:
            inside = [_shift(f, -start) for f in detected if start <= f.start and f.end <= end]
            self._check_deadline(state, record)
            if state.llm_down or self.llm_disabled or "critic" in state.failed_stages:
                if self.llm_disabled and not state.llm_down:
                    record.notes.append(f"llm skipped: {self.circuit_breaker} documents in a row failed")
                    state.result.error = (f"llm skipped after {self.circuit_breaker} failed documents in a row; "
                                          "local editor used")
                    state.llm_down = True
                    state.result.path = "fallback"
                    state.result.llm_unavailable = True
                findings.extend(_shift(f, start) for f in inside)
                continue
            try:
                with self._budget(state):
                    critique = self.critic.critique(state.text[start:end], state.doc.context, inside,
                                                    **_profiled(self.critic, state))
            except LLMError as exc:  # critics should catch their own errors; this is the safety net
                critique = SimpleNamespace(findings=inside, usage=Usage(failures=1), error_kind=exc.kind,
                                           notes=[f"critic failed ({exc.kind}): detector findings used"])
            record.usage.add(critique.usage)
            record.notes.extend(critique.notes)
            if critique.usage.failures:  # the critic fell back to the detectors' findings
                self._llm_failed(state, getattr(critique, "error_kind", None) or "unknown", "critic")
            elif critique.usage.calls or critique.usage.cached_calls:
                self._llm_succeeded()
            findings.extend(_shift(f, start) for f in critique.findings)
        if len(chunks) > 1:
            # Detector findings that straddle a chunk boundary still count.
            findings.extend(f for f in detected if not any(s <= f.start and f.end <= e for s, e in chunks))
            findings.sort(key=lambda f: (f.start, f.end, f.category))
            for number, finding in enumerate(findings, 1):
                finding.id = f"f{number}"
        findings = [f for f in findings if f.source == LLM_SOURCE or self._is_new(state, f)]
        findings = [f for f in findings if f.category in self.settings.categories]
        return (apply_profile(findings, state.profile) if state.profile else findings), record

    def _chunks(self, text: str) -> list[tuple[int, int]]:
        """LLM calls see at most `chunk_chars` at a time, cut at paragraph or sentence boundaries."""
        if not self.uses_llm or len(text) <= self.settings.chunk_chars:
            return [(0, len(text))]
        from semsiedit.text import chunk_text

        return [(span[0], span[1]) for span in chunk_text(text, self.settings.chunk_chars)]

    def _llm_failed(self, state: _State, kind: str, stage: str) -> None:
        """A call failed after the client's retries. A bad reply (malformed, refused) sends this stage
        of the document to the local path; an unreachable server the rest of the document; and
        failures of either kind in several documents in a row the rest of the run."""
        state.result.path = "fallback"
        if state.result.error is None:
            state.result.error = f"llm {stage} failed ({kind}); local editor used"
        first_in_document = not (state.llm_down or state.failed_stages)
        if kind in ("malformed", "refused"):
            state.failed_stages.add(stage)
        else:
            state.llm_down = True
            state.result.llm_unavailable = True
        if first_in_document:
            with self._lock:
                self.consecutive_failures += 1
                if self.consecutive_failures >= self.circuit_breaker:
                    self.llm_disabled = True

    @contextmanager
    def _budget(self, state: _State) -> Iterator[None]:
        """LLM calls for this document share one deadline (settings.document_timeout)."""
        from semsiedit.llm.base import deadline

        started = time.monotonic()
        try:
            with deadline(self.settings.document_timeout - state.llm_spent):
                yield
        finally:
            state.llm_spent += time.monotonic() - started

    def _check_deadline(self, state: _State, record: RoundRecord) -> None:
        if not state.llm_down and self.uses_llm and state.llm_spent >= self.settings.document_timeout:
            record.notes.append(f"llm skipped: the document's {self.settings.document_timeout:g}s deadline passed")
            self._llm_failed(state, "timeout", "deadline")

    def _llm_succeeded(self) -> None:
        with self._lock:
            self.consecutive_failures = 0

    def _is_new(self, state: _State, finding: Finding) -> bool:
        """False for a detector hit made of text our own accepted edits wrote (unless it leaks):
        inside one edit, or our edits joined by "and", commas and the like ("Person A and Person B")."""
        if normalise(finding.text) in state.original_values:
            return True
        if finding.text.strip() in _SURROGATE_WORDS:
            return False  # "User review": a word of our stand-ins ("User C") spread by name propagation
        rest, cursor = [], finding.start
        for start, end in state.edited.overlapping(finding.start, finding.end):  # sorted, non-overlapping
            rest.append(state.text[cursor:max(cursor, start)])
            cursor = max(cursor, end)
        if cursor == finding.start:
            return True  # no edit of ours inside it
        rest.append(state.text[cursor : finding.end])
        words = _WORD.findall(" ".join(rest))
        if finding.category == "pii" and finding.label in _NAME_LABELS:
            # A name or a place needs a capitalised word (or a digit) outside our own text: 'condition,"on'
            # (our "a mental-health condition" and a CSV cell's "on") is none.
            return any(w[:1].isupper() or w[:1].isdigit() for w in words)
        return any(word.lower() not in _JOINERS for word in words)

    def _propose(self, state: _State, findings: list[Finding], record: RoundRecord) -> list[EditDecision]:
        """The editor's edits, guarded; whatever is rejected or missing goes to the local editor."""
        decisions: list[EditDecision] = []
        covered_ids: set[str] = set()
        index = SpanIndex(findings)
        if self.editor is not self.local_editor:
            self._check_deadline(state, record)
        if self.editor is not self.local_editor and not (
            state.llm_down or self.llm_disabled or "editor" in state.failed_stages
        ):
            try:
                groups = group_overlapping(state.text, findings)
                edits: list[Edit] = []
                for start, end in self._chunks(state.text):
                    inside = [_shift(g, -start) for g in groups if start <= g.start and g.end <= end]
                    if not inside:
                        continue
                    with self._budget(state):
                        proposal = self.editor.propose(state.text[start:end], state.doc.context, inside,
                                                       **_profiled(self.editor, state))
                    record.usage.add(proposal.usage)
                    self._llm_succeeded()
                    record.notes.extend(proposal.notes)
                    edits.extend(_shift(e, start) for e in proposal.edits)
                members = {g.id: [f.id for f in index.inside(g.start, g.end)] for g in groups}
                for edit in self._without_overlaps(edits, record):
                    edit.finding_ids = sorted({m for fid in edit.finding_ids for m in members.get(fid, [fid])})
                    reason = self._reject_reason(state, edit, index)
                    decisions.append(EditDecision(edit, accepted=reason is None, reason=reason or ""))
                    if reason is None:
                        covered_ids.update(edit.finding_ids)
            except LLMError as exc:
                record.notes.append(f"editor failed ({exc.kind}): local editor used")
                record.usage.failures += 1
                self._llm_failed(state, exc.kind, "editor")
        remaining = [f for f in findings if f.id not in covered_ids]
        if remaining:
            if self.editor is not self.local_editor:
                state.result.path = "fallback"
            accepted = SpanIndex(d.edit for d in decisions if d.accepted)
            remaining = [f for f in remaining if not accepted.overlaps(f.start, f.end)]
            local = self.local_editor.propose(state.text, state.doc.context, remaining,
                                              **_profiled(self.local_editor, state))
            fallback = self.editor is not self.local_editor
            for edit in local.edits:
                if accepted.overlaps(edit.start, edit.end):
                    continue
                if fallback:
                    edit.strategy = f"fallback:{edit.strategy}"
                reason = self._reject_reason(state, edit, index, local=True)
                decisions.append(EditDecision(edit, accepted=reason is None, reason=reason or ""))
        return decisions

    def _reject_reason(
        self, state: _State, edit: Edit, findings: SpanIndex[Finding], local: bool = False
    ) -> str | None:
        if state.text[edit.start : edit.end] != edit.original:
            return "invalid_text: span does not match the text"
        strategy = edit.strategy.removeprefix("fallback:")
        probe = Edit(edit.start, edit.end, edit.original, edit.replacement, edit.finding_ids, edit.category,
                     edit.editor, strategy)
        inside = list(findings.inside(edit.start, edit.end))
        reason = check_edit(probe, inside, min_length_ratio=self.settings.min_length_ratio, text=state.text)
        if reason and local and reason.startswith("deletes_content: replacement drastically"):
            return None  # the local editor is the floor: its generalisations are trusted
        if reason is None and state.original_pattern and state.original_pattern.search(normalize_ws(edit.replacement)):
            return "keeps_value: replacement contains an original sensitive value"
        return reason

    @staticmethod
    def _without_overlaps(edits: Sequence[Edit], record: RoundRecord) -> list[Edit]:
        """LLM edits that overlap an earlier (leftmost, then longest) edit are dropped and noted."""
        kept: list[Edit] = []
        for edit in sorted(edits, key=lambda e: (e.start, -(e.end - e.start))):
            if kept and edit.start < kept[-1].end:
                record.notes.append(f"dropped overlapping edit for {','.join(edit.finding_ids) or '?'}")
                continue
            kept.append(edit)
        return kept

    def _apply(self, state: _State, decisions: list[EditDecision]) -> str:
        """Apply accepted edits by offset and shift the remembered edited regions to the new text."""
        accepted = sorted((d.edit for d in decisions if d.accepted), key=lambda e: e.start)
        pieces: list[str] = []
        cursor = 0
        new_regions: list[tuple[int, int]] = []
        old_regions = list(state.edited)
        shift_points: list[tuple[int, int]] = []  # (old position, cumulative delta after it)
        delta = 0
        out_len = 0
        for edit in accepted:
            pieces.append(state.text[cursor : edit.start])
            out_len += edit.start - cursor
            pieces.append(edit.replacement)
            new_regions.append((out_len, out_len + len(edit.replacement)))
            out_len += len(edit.replacement)
            delta += len(edit.replacement) - (edit.end - edit.start)
            shift_points.append((edit.end, delta))
            cursor = edit.end
        pieces.append(state.text[cursor:])

        boundaries = [boundary for boundary, _ in shift_points]

        def shifted(pos: int) -> int:
            i = bisect.bisect_right(boundaries, pos)  # edits that end at or before pos
            return pos + (shift_points[i - 1][1] if i else 0)

        touched = SpanIndex(accepted)
        kept_old = [(shifted(s), shifted(e)) for s, e in old_regions if not touched.overlaps(s, e)]
        state.edited = SpanIndex(kept_old + new_regions, span=_itself)
        return "".join(pieces)

    def _score(self, states: list[_State]) -> None:
        if self.scorer is None or not self.settings.score:
            return
        items = [(s.doc.text, s.text, s.result.findings_before) for s in states]
        for state, scores in zip(states, self.scorer.score_many(items), strict=True):
            state.result.scores = scores

    def _path(self):
        return "llm" if self.uses_llm else "local"


def build_loop(settings: Settings, *, with_scorer: bool = True, client_factory: Callable | None = None) -> EditingLoop:
    """Wire the configured backends. Heavy imports happen here, not at module import."""
    from semsiedit.critique import LLMCritic, LocalCritic
    from semsiedit.detection import DetectionEngine
    from semsiedit.editing import LLMEditor, LocalEditor, SurrogateMap

    detector = DetectionEngine(settings)
    local_editor = LocalEditor(settings, SurrogateMap(settings.surrogate_key.get_secret_value()))
    client = None
    if settings.llm_configured and (settings.critic != "local" or settings.editor != "local"):
        from semsiedit.llm import make_client

        client = (client_factory or make_client)(settings)
    critic = LLMCritic(client, settings) if client and settings.critic != "local" else LocalCritic()
    editor = LLMEditor(client, settings) if client and settings.editor != "local" else local_editor
    scorer = None
    if with_scorer and settings.score:
        from semsiedit.scoring import Scorer as EmbeddingScorer

        scorer = EmbeddingScorer(settings)
    return EditingLoop(settings, detector, critic, editor, local_editor, scorer, uses_llm=client is not None)


def _profiled(stage: object, state: _State) -> dict:
    """The profile keyword for a critic or editor that takes one (`takes_profile`); plain ones get none."""
    if state.profile is None or not getattr(stage, "takes_profile", False):
        return {}
    return {"profile": state.profile}


def _itself(span: tuple[int, int]) -> tuple[int, int]:
    return span


def _shift(item, delta: int):
    """A copy of a Finding or Edit moved by `delta` characters (chunk <-> document offsets)."""
    if delta == 0:
        return item
    from dataclasses import replace

    return replace(item, start=item.start + delta, end=item.end + delta)
