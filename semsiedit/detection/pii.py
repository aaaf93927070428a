"""Structured PII through Presidio's AnalyzerEngine, on the spaCy parse the engine already made.

Presidio normally runs spaCy itself; here its NLP engine wraps the pipeline from
`semsiedit.models.load_spacy`, and `analyze` gets the NlpArtifacts built from our Doc, so each text is
parsed once and shared with the SemSI recognizer.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from semsiedit.detection.lexicon import load_lexicon
from semsiedit.detection.names import INITIALS
from semsiedit.models import hidden_modules, resolve_spacy_model, set_offline_environment
from semsiedit.spacy_components import doc_text
from semsiedit.types import Finding

if TYPE_CHECKING:
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpArtifacts
    from spacy.language import Language
    from spacy.tokens import Doc

SOURCE = "presidio"
LANGUAGE = "en"
# Labels that spaCy's small model also attaches to pieces of these (PERSON on "zoe.muller@..." etc).
_UNMAPPED_SPACY_LABELS = (
    "CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT", "WORK_OF_ART", "LAW", "LANGUAGE", "PRODUCT", "EVENT", "FAC",
)  # fmt: skip
_CONTAINERS = ("EMAIL_ADDRESS", "URL", "IP_ADDRESS", "CRYPTO", "IBAN_CODE", "CREDIT_CARD")


def default_entities() -> list[str]:
    """Presidio entities used when settings.pii_entities is None (DATE_TIME, NRP, ORGANIZATION excluded:
    too noisy; dates of birth come from semsiedit's own context recognizer)."""
    return list(load_lexicon("pii")["default_entities"])


def pii_severity(label: str) -> int:
    return int(load_lexicon("pii")["severity"].get(label, 2))


def make_nlp_engine(nlp: Language, model_name: str) -> Any:
    """A Presidio SpacyNlpEngine around an already loaded pipeline: never loads or downloads a model."""
    from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine

    class SharedSpacyNlpEngine(SpacyNlpEngine):
        def load(self) -> None:
            self.nlp = {LANGUAGE: nlp}

        def artifacts(self, doc: Doc) -> NlpArtifacts:
            """NlpArtifacts of a Doc parsed elsewhere (same entity mapping as process_text)."""
            return self._doc_to_nlp_artifact(doc, LANGUAGE)

    # spaCy labels Presidio has no entity for: ignored, instead of a logged warning per hit.
    ner_config = NerModelConfiguration(labels_to_ignore=list(_UNMAPPED_SPACY_LABELS))
    engine = SharedSpacyNlpEngine(
        models=[{"lang_code": LANGUAGE, "model_name": model_name}], ner_model_configuration=ner_config
    )
    engine.load()
    return engine


def make_analyzer(
    nlp: Language, model_name: str, entities: list[str] | None = None
) -> tuple[AnalyzerEngine, Any]:
    """Presidio's analyzer with its predefined English recognizers, on the shared spaCy pipeline.

    With `entities`, the registry keeps only the recognizers that can return one of them, so no
    call ever walks (or runs) a recognizer whose results would be thrown away.
    """
    set_offline_environment()
    with hidden_modules():  # Presidio's optional transformers engine: not used (models.py)
        from presidio_analyzer import AnalyzerEngine

    _keep_tldextract_offline()

    nlp_engine = make_nlp_engine(nlp, resolve_spacy_model(model_name))
    # The registry logs a warning for every non-English recognizer it skips: noise on every start.
    log = logging.getLogger("presidio-analyzer")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        analyzer = AnalyzerEngine(nlp_engine=nlp_engine, supported_languages=[LANGUAGE])
    finally:
        log.setLevel(level)
    if entities is not None:
        wanted = set(entities)
        registry = analyzer.registry
        registry.recognizers = [r for r in registry.recognizers if wanted & set(r.supported_entities)]
    return analyzer, nlp_engine


def _keep_tldextract_offline() -> None:
    """tldextract reads its URL list when first imported, which loading spaCy may already have done
    before the offline environment was set: clear the URLs so the e-mail recognizer uses its bundled
    suffix list instead of trying the network (and logging a traceback)."""
    if os.environ.get("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "x").strip():
        return
    try:
        from tldextract import tldextract
    except ImportError:
        return
    extractor = getattr(tldextract, "TLD_EXTRACTOR", None)
    if extractor is not None and getattr(extractor, "_extractor", None) is None:
        extractor.suffix_list_urls = ()


class PiiRecognizer:
    """Presidio entities on a pre-parsed Doc, cleaned of the small model's typical mistakes."""

    def __init__(
        self,
        nlp: Language,
        model_name: str,
        entities: list[str] | None = None,
        score_threshold: float = 0.5,
        allow_list: list[str] | None = None,
    ) -> None:
        wanted = entities if entities is not None else default_entities()
        self.analyzer, self.nlp_engine = make_analyzer(nlp, model_name, wanted)
        supported = set(self.analyzer.get_supported_entities(LANGUAGE))
        # Asking Presidio for an unsupported entity only logs a warning; drop it up front instead.
        self.entities = [e for e in wanted if e in supported]
        self.score_threshold = score_threshold
        self.allow_list = list(allow_list or [])

    def analyze(self, doc: Doc, offset: int = 0) -> list[Finding]:
        text = doc_text(doc)
        if not self.entities or not text.strip():
            return []
        results = self.analyzer.analyze(
            text,
            LANGUAGE,
            entities=self.entities,
            score_threshold=self.score_threshold,
            allow_list=self.allow_list or None,
            nlp_artifacts=self.nlp_engine.artifacts(doc),
        )
        findings = [
            Finding(
                start=r.start + offset,
                end=r.end + offset,
                text=text[r.start : r.end],
                category="pii",
                label=_corrected_label(r.entity_type, text[r.start : r.end]),
                severity=pii_severity(r.entity_type),
                score=round(float(r.score), 4),
                source=SOURCE,
                reason=f"{r.entity_type} ({(r.recognition_metadata or {}).get('recognizer_name', 'presidio')})",
            )
            for r in results
            # A "domain" that stops inside a word is part of a name: "m.ga" of "user=m.garcia".
            if not (r.entity_type == "URL" and text[r.end : r.end + 1].isalnum())
            and not _code_name(r.entity_type, text[r.start : r.end])
            and not (r.entity_type == "URL" and _file_name(text, r.start, r.end))
            and not _road(text, r.start, r.end)
            and not _bare_short_licence(r.entity_type, text, r.start, r.end)
        ]
        return drop_contained([_without_log_key(f) for f in findings])


# "user=amelia.k@outlook.com" in a log line: "=" may sit in an address, but here it ends the key.
_LOG_KEY = re.compile(r"[A-Za-z_][\w.-]*=(?=[^=@\s]+@)")


def _without_log_key(f: Finding) -> Finding:
    key = _LOG_KEY.match(f.text) if f.label == "EMAIL_ADDRESS" else None
    if key is None:
        return f
    return replace(f, start=f.start + key.end(), text=f.text[key.end() :])


_PLACE_INITIALS = frozenset({"U.S.", "U.K.", "D.C.", "L.A.", "N.Y.", "U.A.E.", "E.U.", "N.Z.", "S.F.", "U.S.A."})


# A numeric date the small NER calls a place or a person ("compared with the study of 02/08/2023").
_NUMERIC_DATE = re.compile(r"\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}")


_CODE_NAME = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+")


# A file in a path or a source file's name ("acme/cli.py", "setup.py"): Presidio reads ".py" as Paraguay.
_SOURCE_SUFFIX = re.compile(r"\.(?:py|pyc|js|ts|tsx|jsx|rs|go|rb|sh|md|txt|json|toml|yaml|yml|cfg|ini|log|csv|java|kt|"
                            r"cpp|cc|c|h|hpp|cs|php|pl|swift|scala|lock|sql|html|css)$", re.IGNORECASE)


def _file_name(text: str, start: int, end: int) -> bool:
    value = text[start:end]
    if re.match(r"(?:https?://|www\.)", value, re.IGNORECASE):
        return False
    return text[start - 1 : start] in ("/", "\\") or bool(_SOURCE_SUFFIX.search(value))


# A road by its number ("a crash on the A23", "the M25 at junction 10", "the I-95"): the short-code
# patterns (a driver's licence, a passport) read it as an identifier.
_ROAD_NUMBER = re.compile(r"(?:[ABM]\d{1,4}(?:\(M\))?|I-?\d{1,3})")
_ROAD_BEFORE = re.compile(r"\bthe\s+$", re.IGNORECASE)
_ROAD_AFTER = re.compile(r"\s+(?:motorway|road|southbound|northbound|eastbound|westbound|junction)\b",
                         re.IGNORECASE)


def _road(text: str, start: int, end: int) -> bool:
    return bool(_ROAD_NUMBER.fullmatch(text[start:end])) and bool(
        _ROAD_BEFORE.search(text[max(0, start - 6) : start]) or _ROAD_AFTER.match(text, end)
    )


_LICENCE_CUE = re.compile(r"licen[cs]e|permit|\b(?:DL|DLN)\b|driver", re.IGNORECASE)


def _bare_short_licence(label: str, text: str, start: int, end: int) -> bool:
    """Two to four characters with no licence word before them ("pump units M1, M2", "grade B12"): the
    driver's-licence pattern's shortest shapes, which prose is full of."""
    return (
        label == "US_DRIVER_LICENSE"
        and end - start < 5
        and not _LICENCE_CUE.search(text, max(0, start - 40), start)
    )


def _code_name(label: str, value: str) -> bool:
    """A log's or a program's key the NER took for a place or a person ("customer_id=CUS-448812")."""
    return label in ("LOCATION", "PERSON", "NRP") and bool(_CODE_NAME.fullmatch(value))


def _corrected_label(label: str, value: str) -> str:
    """The label the small NER got wrong: a person's initials it took for a place ("client R.K., 38";
    "U.S." stays a place), a numeric date it took for a place or a person."""
    if label == "LOCATION" and INITIALS.fullmatch(value) and value not in _PLACE_INITIALS:
        return "PERSON"
    if label in ("LOCATION", "PERSON", "NRP") and _NUMERIC_DATE.fullmatch(value.strip()):
        return "DATE_TIME"
    return label


def drop_contained(findings: list[Finding]) -> list[Finding]:
    """Drop PERSON/LOCATION/URL hits that overlap an e-mail, URL or other structured value: spaCy's sm
    model and Presidio's URL pattern both fire inside e-mail addresses."""
    containers = [f for f in findings if f.label in _CONTAINERS]
    kept = []
    for f in findings:
        if any(c is not f and c.overlaps(f) and _outranks(c, f) for c in containers):
            continue
        kept.append(f)
    return kept


def _outranks(container: Finding, other: Finding) -> bool:
    if other.label not in _CONTAINERS:
        return True
    # URL inside an e-mail ("example.com"), or the shorter of two structured hits.
    if container.label == "EMAIL_ADDRESS" and other.label == "URL":
        return True
    return (container.end - container.start, container.score) > (other.end - other.start, other.score)
