"""The detection stage: one spaCy pass per text, shared by Presidio and the local SemSI recognizer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from semsiedit.config import Settings
from semsiedit.detection.address import find_addresses
from semsiedit.detection.birthdate import find_birthdates
from semsiedit.detection.lists import drop_allowed, find_denied
from semsiedit.detection.merge import merge_findings
from semsiedit.detection.more_pii import find_more_pii
from semsiedit.detection.person_filter import clean_person_findings
from semsiedit.detection.titles import find_titled_names
from semsiedit.types import SEMSI_CATEGORIES, Finding

if TYPE_CHECKING:
    from semsiedit.detection.learned import Entity, LearnedDetector
    from semsiedit.detection.pii import PiiRecognizer
    from semsiedit.detection.semsi import SemsiRecognizer

# spaCy's parser needs ~1 GB per 100k characters; longer texts are parsed in paragraph-aligned chunks.
MAX_PARSE_CHARS = 100_000


class DetectionEngine:
    """`detect_many(texts)` -> merged findings per text (ids "f1", "f2" ... per text).

    Models load on first use (one spaCy pipeline per process via `models.load_spacy`); Presidio is
    only built when the pii category is wanted.
    """

    def __init__(self, settings: Settings | None = None, max_parse_chars: int = MAX_PARSE_CHARS) -> None:
        self.settings = settings or Settings()
        self.categories = tuple(self.settings.categories)
        self.max_parse_chars = max_parse_chars
        self._nlp = None
        self._pii: PiiRecognizer | None = None
        self._semsi: SemsiRecognizer | None = None
        self._learned: LearnedDetector | None = None

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
        if learned:
            from semsiedit.detection.learned import LearnedDetector
            from semsiedit.scoring import get_embedder

            # The process-wide embedder: the scorer finds these sentence vectors in its cache.
            self._learned = LearnedDetector(
                get_embedder(self.settings.embedding_model), semsi, weights=self.settings.learned_weights,
                specific_claims=self.settings.specific_claims,
            )  # fmt: skip
        if "pii" in self.categories:
            from semsiedit.detection.pii import PiiRecognizer

            self._pii = PiiRecognizer(
                self._nlp,
                self.settings.spacy_model,
                entities=self.settings.pii_entities,
                score_threshold=self.settings.pii_score_threshold,
                allow_list=self.settings.allow_list,
            )
        return self

    def detect(self, text: str) -> list[Finding]:
        return self.detect_many([text])[0]

    def detect_many(
        self, texts: Sequence[str], batch_size: int = 32, contexts: Sequence[str | None] | None = None
    ) -> list[list[Finding]]:
        """`contexts`: the question each text answers, when known (the learned detector uses it)."""
        self.load()
        assert self._nlp is not None
        # Each text becomes one or more (text index, offset, piece) parse jobs.
        jobs: list[tuple[int, int, str]] = []
        for i, text in enumerate(texts):
            for start, end in self._pieces(text):
                jobs.append((i, start, text[start:end]))
        raw: list[list[Finding]] = [[] for _ in texts]
        ents: list[list[Entity]] = [[] for _ in texts]
        docs = self._nlp.pipe((piece for _, _, piece in jobs), batch_size=batch_size)
        for (i, offset, _), doc in zip(jobs, docs, strict=True):
            if self._semsi is not None:
                raw[i] += self._semsi.analyze(doc, offset)
            if self._learned is not None:
                ents[i] += [(e.start_char + offset, e.end_char + offset, e.label_, e.text) for e in doc.ents]
            if self._pii is not None:
                people = self._pii.analyze(doc, offset) + find_titled_names(doc, offset)
                raw[i] += clean_person_findings(people, doc, offset)
        found = [self._finish(text, f) for text, f in zip(texts, raw, strict=True)]
        if self._learned is None:
            return found
        found = self._learned.refine(texts, found, ents, contexts)
        return [merge_findings(f, text=t, categories=self.categories) for t, f in zip(texts, found, strict=True)]

    def _pieces(self, text: str) -> list[tuple[int, int]]:
        if not text.strip():
            return []
        if len(text) <= self.max_parse_chars:
            return [(0, len(text))]
        from semsiedit.text import chunk_text

        return chunk_text(text, self.max_parse_chars)

    def _finish(self, text: str, found: list[Finding]) -> list[Finding]:
        if "pii" in self.categories:
            found += find_addresses(text) + find_birthdates(text) + find_denied(text, self.settings.deny_list)
            found += find_more_pii(text, found)
        found = drop_allowed(found, self.settings.allow_list)
        return merge_findings(found, text=text, categories=self.categories)
