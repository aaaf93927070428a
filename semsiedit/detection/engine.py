"""The detection stage: one spaCy pass per text, shared by Presidio and the local SemSI recognizer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from semsiedit import progress
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

    def load(self) -> DetectionEngine:
        """Load the models now (otherwise the first detect call does)."""
        if self._nlp is not None:
            return self
        from semsiedit.detection.semsi import SemsiRecognizer
        from semsiedit.models import load_spacy, set_offline_environment

        set_offline_environment()  # before spaCy: loading it can import tldextract
        self._nlp = load_spacy(self.settings.spacy_model)
        semsi = tuple(c for c in SEMSI_CATEGORIES if c in self.categories)
        self._semsi = SemsiRecognizer(semsi, specific_claims=self.settings.specific_claims) if semsi else None
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

    def detect_many(self, texts: Sequence[str], batch_size: int = 32) -> list[list[Finding]]:
        self.load()
        assert self._nlp is not None
        # Each text becomes one or more (text index, offset, piece) parse jobs.
        jobs: list[tuple[int, int, str]] = []
        for i, text in enumerate(texts):
            for start, end in self._pieces(text):
                jobs.append((i, start, text[start:end]))
        raw: list[list[Finding]] = [[] for _ in texts]
        docs = self._nlp.pipe((piece for _, _, piece in jobs), batch_size=batch_size)
        # One long text: its pieces are the progress units (a no-op unless that progress is shown).
        advance = progress.units("chunks", len(jobs) if len(texts) == 1 else 0)
        for (i, offset, _), doc in zip(jobs, docs, strict=True):
            if self._semsi is not None:
                raw[i] += self._semsi.analyze(doc, offset)
            if self._pii is not None:
                people = self._pii.analyze(doc, offset) + find_titled_names(doc, offset)
                raw[i] += clean_person_findings(people, doc, offset)
            advance(1)
        return [self._finish(text, found) for text, found in zip(texts, raw, strict=True)]

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
