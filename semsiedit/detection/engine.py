"""The detection stage: one spaCy pass per text, shared by Presidio and the local SemSI recognizer.

Large batches are split over worker processes forked from the loaded engine (spaCy, Presidio and the
recognizers are single-threaded Python/Cython, so one process uses one core): each worker parses and
runs every recognizer on its share, and only texts and findings cross the process boundary.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar

from semsiedit import progress
from semsiedit.config import Settings
from semsiedit.detection.address import find_addresses, with_unit_word
from semsiedit.detection.birthdate import find_birthdates
from semsiedit.detection.first_names import find_first_names
from semsiedit.detection.foreign import trusted_in_other_language
from semsiedit.detection.lists import drop_allowed, find_denied
from semsiedit.detection.markup import map_back, strip_markup
from semsiedit.detection.merge import merge_findings
from semsiedit.detection.more_pii import find_more_pii
from semsiedit.detection.names import with_couple_title, with_nickname, without_salutation
from semsiedit.detection.person_filter import clean_person_findings
from semsiedit.detection.tables import cells_win, find_table_cells
from semsiedit.detection.titles import find_titled_names
from semsiedit.detection.towns import find_untagged_towns
from semsiedit.detection.truecase import shouting, truecase
from semsiedit.language import is_english
from semsiedit.text import Span, split_sentences, stable_pieces
from semsiedit.types import SEMSI_CATEGORIES, Finding

if TYPE_CHECKING:
    from semsiedit.detection.learned import Entity, LearnedDetector
    from semsiedit.detection.pii import PiiRecognizer
    from semsiedit.detection.semsi import SemsiRecognizer

T = TypeVar("T")

# Peak memory follows the characters spaCy holds parsed at once (~3 GB per MB of text in flight:
# benchmarks/bench_large.py), so long texts are parsed in paragraph-aligned pieces, and the pieces
# go to `nlp.pipe` in groups of at most PIPE_BATCH_CHARS. Findings are the same as whole-text parses.
MAX_PARSE_CHARS = 20_000
PIPE_BATCH_CHARS = 100_000
PIECE_CACHE_SIZE = 4096  # pieces whose findings are kept (findings only, not the text or the parse)
# An edited text whose changed sentences make up more than this share of it is parsed whole again.
REPARSE_WHOLE_SHARE = 0.6
# A batch is split over worker processes only when it has this many characters: below it the
# pickling and the idle tail of the last chunk cost more than a second core saves (~0.25 s of work
# per 10k characters on one core; benchmarks/RESULTS.md).
PARALLEL_MIN_CHARS = 12_000
MAX_AUTO_WORKERS = 4  # each worker holds its own copy-on-write spaCy + Presidio (~150 MiB touched)

_PieceResult = tuple[list["Finding"], list["Entity"]]
_SHARED: dict[str, DetectionEngine] = {}
_SHARED_LOCK = threading.Lock()
# The engine a forked worker runs: set in the parent just before the fork, inherited by the children.
_FORKED: DetectionEngine | None = None
# One spaCy parse at a time per process: memory zones share the vocab and must not overlap (the loop
# detects on several threads when an LLM is used). A forked child starts with a fresh lock: the
# parent's may have been held by another thread at the fork.
_PARSE_LOCK = threading.Lock()


def _fresh_parse_lock() -> None:
    global _PARSE_LOCK
    _PARSE_LOCK = threading.Lock()


os.register_at_fork(after_in_child=_fresh_parse_lock)


def available_cpus() -> int:
    """CPUs this process may run on (the affinity mask, which containers and taskset narrow)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def idle_cpus() -> int:
    """CPUs not busy with other work (at least 1), by the tasks running right now.

    Not the load average: it counts this process's own workers of a moment ago, so one long
    document's second round ran on one core after its first round had loaded both.
    """
    cpus = available_cpus()
    busy = _others_running()
    return max(1, min(cpus, cpus - busy))


def _others_running(samples: int = 5) -> int:
    """Runnable tasks other than this one (/proc/loadavg's 4th field), the median of a few samples."""
    counts = []
    try:
        for _ in range(samples):
            with open("/proc/loadavg", encoding="ascii") as fh:
                counts.append(int(fh.read().split()[3].split("/")[0]) - 1)  # minus the reader: us
            time.sleep(0.002)
    except (OSError, ValueError, IndexError):
        try:
            return round(os.getloadavg()[0])
        except OSError:
            return 0
    return max(0, sorted(counts)[len(counts) // 2])


def _close_pool(pool: Any) -> None:
    pool.terminate()
    gc.unfreeze()


def _worker_analyze(args: tuple[list[str], int]) -> list[_PieceResult]:
    pieces, batch_size = args
    assert _FORKED is not None
    return list(_FORKED._parse(pieces, batch_size))


def _worker_finish(texts: list[tuple[str, list[Finding]]]) -> list[list[Finding]]:
    assert _FORKED is not None
    return [_FORKED._finish(text, found) for text, found in texts]


class DetectionEngine:
    """`detect_many(texts)` -> merged findings per text (ids "f1", "f2" ... per text).

    Models load on first use (one spaCy pipeline per process via `models.load_spacy`); Presidio is
    only built when the pii category is wanted.
    """

    def __init__(
        self, settings: Settings | None = None, max_parse_chars: int = MAX_PARSE_CHARS, workers: int | None = None
    ) -> None:
        """`workers`: processes for large batches; None = `settings.detect_workers` (0 = one per CPU,
        at most MAX_AUTO_WORKERS; 1 = never fork)."""
        self.settings = settings or Settings()
        self.categories = tuple(self.settings.categories)
        self.max_parse_chars = max_parse_chars
        configured = workers if workers is not None else getattr(self.settings, "detect_workers", 0)
        self._auto = not configured
        self.workers = configured or min(available_cpus(), MAX_AUTO_WORKERS)
        self._pool: Any = None
        self._nlp = None
        self._pii: PiiRecognizer | None = None
        self._semsi: SemsiRecognizer | None = None
        self._learned: LearnedDetector | None = None
        # Piece checksum -> (findings, entities) at offset 0, most recently used last.
        self._cache: OrderedDict[bytes, _PieceResult] = OrderedDict()

    @classmethod
    def shared(cls, settings: Settings) -> DetectionEngine:
        """The process-wide engine for these settings (a few kept), so repeated calls reuse it."""
        key = settings.model_dump_json()
        with _SHARED_LOCK:
            engine = _SHARED.pop(key, None) or cls(settings)
            _SHARED[key] = engine  # most recently used last
            while len(_SHARED) > 4:
                _SHARED.pop(next(iter(_SHARED))).close()
        return engine

    def load(self) -> DetectionEngine:
        """Load the models now (otherwise the first detect call does)."""
        if self._nlp is not None:
            return self
        from semsiedit.detection.semsi import SemsiRecognizer
        from semsiedit.models import load_spacy, set_offline_environment

        set_offline_environment()  # before spaCy: loading it can import tldextract
        self._nlp = load_spacy(self.settings.spacy_model)
        semsi = tuple(c for c in SEMSI_CATEGORIES if c in self.categories)
        learned = bool(semsi) and self.settings.learned_detection
        # The learned detector reads every rule hit, specific claims included, and decides what stays.
        claims = learned or self.settings.specific_claims
        self._semsi = SemsiRecognizer(semsi, specific_claims=claims) if semsi else None
        if self._semsi is not None:
            self._semsi.preload()  # before any worker is forked (their first document would each compile it)
        warming = None
        if learned:
            from semsiedit.detection.learned import LearnedDetector

            # The embedder is the one the weights were trained on (their metadata names it).
            self._learned = LearnedDetector(
                semsi, weights=self.settings.learned_weights,
                specific_claims=self.settings.specific_claims, settings=self.settings,
            )  # fmt: skip
            warming = threading.Thread(target=self._learned.warm, name="semsiedit-warm-learned", daemon=True)
            warming.start()  # its embedder loads while Presidio is built (half of it is waiting on files)
        if "pii" in self.categories:
            from semsiedit.detection.pii import PiiRecognizer

            self._pii = PiiRecognizer(
                self._nlp,
                self.settings.spacy_model,
                entities=self.settings.pii_entities,
                score_threshold=self.settings.pii_score_threshold,
                allow_list=self.settings.allow_list,
            )
        if warming is not None:
            warming.join()  # before any worker is forked: a fork must not copy a thread mid-import
        return self

    def detect(self, text: str) -> list[Finding]:
        return self.detect_many([text])[0]

    def detect_many(
        self,
        texts: Sequence[str],
        batch_size: int = 32,
        contexts: Sequence[str | None] | None = None,
        originals: Sequence[str | None] | None = None,
    ) -> list[list[Finding]]:
        """Findings per text, in input order. `contexts`: the question each text answers, if known
        (the learned detector uses it). `originals`: for a text that is an edit of another (the
        loop's later rounds), that other text: only the runs of sentences the edits changed are
        parsed; the unchanged sentences keep what the original's parse found in them."""
        self.load()
        texts = list(texts)
        # A text in capitals is read in ordinary case (detection/truecase.py); offsets are the same.
        views = [truecase(t) if shouting(t) else t for t in texts]
        if originals is not None:
            originals = [truecase(o) if o is not None and shouting(o) else o for o in originals]
        found, ents = self._analyze(views, batch_size, originals)
        if self._learned is not None:
            # In this process, after the workers: one embedding batch, into the cache the scorer reads.
            found = self._learned.refine(views, found, ents, contexts)
            found = [merge_findings(f, text=t, categories=self.categories) for t, f in zip(views, found, strict=True)]
        found = [
            fs if v is t else [replace(f, text=t[f.start : f.end]) for f in fs]
            for t, v, fs in zip(texts, views, found, strict=True)
        ]
        # A text in another language keeps only what does not need English to find (detection/foreign.py).
        return [f if is_english(t) else trusted_in_other_language(t, f) for t, f in zip(texts, found, strict=True)]

    def close(self) -> None:
        """Stop the worker processes (they also stop with the process)."""
        if self._pool is not None:
            self._pool.terminate()
            self._pool = None

    def _workers_for(self, pieces: list[str]) -> int:
        if self.workers <= 1 or len(pieces) < 2 or multiprocessing.parent_process() is not None:
            return 1  # a worker process (ours or an outer engine's) never forks again
        if sum(map(len, pieces)) < PARALLEL_MIN_CHARS:
            return 1
        if self._auto:
            # A worker on a core that is busy with other work only adds forking and pickling: with
            # every core loaded, one process was faster (benchmarks/RESULTS.md).
            return min(self.workers, idle_cpus(), len(pieces))
        return min(self.workers, len(pieces))

    def _get_pool(self) -> Any:
        if self._pool is None:
            global _FORKED
            _FORKED = self
            # fork: the children start with the loaded models (copy-on-write), no reload per worker;
            # frozen objects are left alone by the children's garbage collector, so their pages stay shared.
            # They stay frozen here too while the pool lives (see engines/local.py: a full collection
            # would write to every page the children share).
            gc.collect()
            gc.freeze()
            try:
                self._pool = multiprocessing.get_context("fork").Pool(self.workers - 1)
            except BaseException:
                gc.unfreeze()
                raise
            weakref.finalize(self, _close_pool, self._pool)
        return self._pool

    def _analyze(
        self, texts: Sequence[str], batch_size: int, originals: Sequence[str | None] | None = None
    ) -> tuple[list[list[Finding]], list[list[Entity]]]:
        """Every recognizer over every text, piece by piece; also the named entities (subjects for
        the learned detector) when it is on. A piece seen before (an unchanged paragraph of a long
        document, re-detected after an edit elsewhere) is not parsed again; nor is an unchanged
        sentence of an edited short text (`_edited_pieces`)."""
        jobs: list[tuple[int, int, str]] = []  # (text index, offset, piece) whose findings are used
        reused: list[tuple[int, int, bytes, Span]] = []  # (text index, shift, original's key, its span)
        extra: list[str] = []  # originals to parse first (not in the cache any more)
        for i, text in enumerate(texts):
            original = originals[i] if originals is not None else None
            plan = self._edited_pieces(text, original) if original is not None else None
            if plan is None:
                jobs += [(i, start, text[start:end]) for start, end in self._pieces(text)]
                continue
            runs, kept = plan
            assert original is not None
            jobs += [(i, start, text[start:end]) for start, end in runs]
            key = _piece_key(original)
            reused += [(i, shift, key, span) for shift, span in kept]
            if kept and key not in self._cache:
                extra.append(original)
        keys = [_piece_key(piece) for _, _, piece in jobs]
        wanted = [*zip(keys, (piece for _, _, piece in jobs), strict=True), *((_piece_key(o), o) for o in extra)]
        missing = list({key: piece for key, piece in wanted if key not in self._cache}.items())
        for key, result in zip([k for k, _ in missing], self._parse_spread([p for _, p in missing], batch_size),
                               strict=True):  # fmt: skip
            self._cache[key] = result
        raw: list[list[Finding]] = [[] for _ in texts]
        ents: list[list[Entity]] = [[] for _ in texts]
        for (i, offset, _), key in zip(jobs, keys, strict=True):
            found, named = self._cache[key]
            self._cache.move_to_end(key)
            raw[i] += [replace(f, start=f.start + offset, end=f.end + offset) for f in found]
            ents[i] += [(start + offset, end + offset, label, text) for start, end, label, text in named]
        for i, shift, key, (lo, hi) in reused:
            found, named = self._cache[key]
            self._cache.move_to_end(key)
            inside = [f for f in found if lo <= f.start and f.end <= hi]
            raw[i] += [replace(f, start=f.start + shift, end=f.end + shift) for f in inside]
            ents[i] += [(s + shift, e + shift, label, t) for s, e, label, t in named if lo <= s and e <= hi]
        while len(self._cache) > PIECE_CACHE_SIZE:
            self._cache.popitem(last=False)
        return self._finish_spread(list(zip(texts, raw, strict=True))), ents

    def _parse_spread(self, pieces: list[str], batch_size: int) -> list[_PieceResult]:
        """`_parse` over the pieces, split over the worker processes when there is enough text."""
        workers = self._workers_for(pieces)
        # One long text: its pieces are the progress units (a no-op unless that progress is shown).
        advance = progress.units("chunks", len(pieces) if len(pieces) > 1 else 0)
        if workers <= 1:
            results = []
            for result in self._parse(pieces, batch_size):
                results.append(result)
                advance(1)
            return results
        # This process takes the first share itself while the forked workers take the others.
        first, *rest = _split(pieces, workers)
        pool = self._get_pool()
        pending = [pool.apply_async(_worker_analyze, ((part, batch_size),)) for part in rest]
        results = list(self._parse(first, batch_size))
        advance(len(first))
        for part, result in zip(rest, pending, strict=True):
            results.extend(result.get())
            advance(len(part))
        return results

    def _finish_spread(self, texts: list[tuple[str, list[Finding]]]) -> list[list[Finding]]:
        """`_finish` over (text, findings) pairs, split over the worker processes like the parse: the
        whole-text recognizers cost a fifth of the parse, and run alone they left the workers idle."""
        workers = self._workers_for([text for text, _ in texts])
        if workers <= 1:
            return [self._finish(text, found) for text, found in texts]
        first, *rest = _split(texts, workers, size=lambda pair: len(pair[0]))
        pool = self._get_pool()
        pending = [pool.apply_async(_worker_finish, (part,)) for part in rest]
        results = [self._finish(text, found) for text, found in first]
        for result in pending:
            results.extend(result.get())
        return results

    def _parse(self, pieces: Sequence[str], batch_size: int) -> Iterator[_PieceResult]:
        """(findings, named entities) per piece, at offset 0, parsed in this process."""
        assert self._nlp is not None
        # The parser sees the text without markup symbols: `<<<…>>>` must not switch its NER off.
        cleaned = [strip_markup(piece) for piece in pieces]
        docs = (doc for group in _groups([c.text for c in cleaned], batch_size, PIPE_BATCH_CHARS)
                for doc in self._nlp.pipe(group, batch_size=len(group)))
        # Every new word (a name, a number, an address) adds a lexeme and a string to the shared
        # vocab for good: on a stream of distinct records that grows without end. Inside a memory
        # zone spaCy drops what was added when the zone closes; nothing here outlives it (findings
        # and entities are plain strings and offsets).
        with _PARSE_LOCK, self._nlp.memory_zone():
            for piece, clean, doc in zip(pieces, cleaned, docs, strict=True):
                found: list[Finding] = []
                if self._semsi is not None:
                    found += self._semsi.analyze(doc)
                if self._pii is not None:
                    people = self._pii.analyze(doc) + find_titled_names(doc) + find_first_names(doc)
                    people = clean_person_findings(people, doc)
                    found += people + find_untagged_towns(doc, found + people)
                named: list[Entity] = []
                if self._learned is not None:
                    spacy_ents = [Finding(e.start_char, e.end_char, e.text, "pii", e.label_) for e in doc.ents]
                    named = [(f.start, f.end, f.label, f.text) for f in map_back(spacy_ents, clean, piece, 0)]
                yield map_back(found, clean, piece, 0), named

    def _edited_pieces(self, text: str, original: str) -> tuple[list[Span], list[tuple[int, Span]]] | None:
        """For a short text edited from `original`: (runs of changed sentences to parse, [(shift,
        span of an unchanged sentence in the original)]), or None to parse the text as usual.

        The sentences of both are aligned (difflib, by content); an unchanged sentence keeps the
        findings the original's whole-text parse made inside it, shifted to its new place, so a
        round that edited two sentences of ten parses two. It depends only on the two texts, so
        every engine and worker gets the same findings. Long texts already reuse unchanged pieces.
        """
        from difflib import SequenceMatcher

        if text == original or len(original) > self.max_parse_chars or len(text) > self.max_parse_chars:
            return None
        before, after = split_sentences(original), split_sentences(text)
        matcher = SequenceMatcher(None, [original[s:e] for s, e in before], [text[s:e] for s, e in after],
                                  autojunk=False)  # fmt: skip
        runs: list[Span] = []
        kept: list[tuple[int, Span]] = []
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                pairs = zip(range(i1, i2), range(j1, j2), strict=True)
                kept += [(after[j][0] - before[i][0], before[i]) for i, j in pairs]
            elif j2 > j1:
                runs.append((after[j1][0], after[j2 - 1][1]))
        if sum(e - s for s, e in runs) > REPARSE_WHOLE_SHARE * len(text):
            return None  # most of it changed: one parse of the whole text, with its full context
        return runs, kept

    def _pieces(self, text: str) -> list[tuple[int, int]]:
        if not text.strip():
            return []
        return stable_pieces(text, self.max_parse_chars)

    def _finish(self, text: str, found: list[Finding]) -> list[Finding]:
        # Table cells named by their column (a person, a birth date, a condition): whole text, since
        # a long table is parsed in pieces and only the first holds the header.
        cells, headers = find_table_cells(text)
        cells = [f for f in cells if f.category in self.categories]
        found += cells
        if "pii" in self.categories:
            found += find_addresses(text) + find_birthdates(text) + find_denied(text, self.settings.deny_list)
            found += find_more_pii(text, found)
            found = [
                without_salutation(with_couple_title(text, with_nickname(text, f))) if f.label == "PERSON"
                else with_unit_word(text, f) if f.label == "STREET_ADDRESS"
                else f
                for f in found
            ]
        found = cells_win(found, cells, headers)
        found = drop_allowed(found, self.settings.allow_list)
        return merge_findings(found, text=text, categories=self.categories)


def _piece_key(piece: str) -> bytes:
    return hashlib.blake2b(piece.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _groups(texts: list[str], most: int, max_chars: int) -> list[list[str]]:
    """Consecutive groups of at most `most` texts and (unless one text is longer) `max_chars` characters."""
    groups: list[list[str]] = []
    chars = 0
    for text in texts:
        if not groups or len(groups[-1]) >= most or (groups[-1] and chars + len(text) > max_chars):
            groups.append([])
            chars = 0
        groups[-1].append(text)
        chars += len(text)
    return groups


def _split(items: list[T], parts: int, size: Callable[[T], int] = len) -> list[list[T]]:
    """`parts` contiguous non-empty chunks of about equal size (characters), in order."""
    total = sum(map(size, items))
    chunks: list[list[T]] = [[]]
    done = 0
    for i, item in enumerate(items):
        left = len(items) - i  # items from here on, this one included
        full = done >= total * len(chunks) / parts
        if chunks[-1] and len(chunks) < parts and (full or left <= parts - len(chunks)):
            chunks.append([])
        chunks[-1].append(item)
        done += size(item)
    return chunks
