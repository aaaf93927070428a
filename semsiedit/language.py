"""Which language a document is written in. Detection is English-only (spaCy's English model, English
lexicons, a detector trained on English answers): on a German letter the English NER took "Eingang"
and "Grüßen" for people and "Depression" became "a mental-health condition" mid-sentence. A document
in another language gets only the findings that do not depend on English (detection/foreign.py), the
`record` profile, language-neutral placeholders, and a review flag (docs/limitations.md).

English is assumed unless the evidence is strong: a text with enough English function words is
English without asking the classifier (so almost no English document pays for loading it), and a
short or mixed text must be classified with high confidence to count as another language. The
classifier is py3langid (langid.py's model, 97 languages)."""

from __future__ import annotations

import re
import threading
from functools import lru_cache

ENGLISH = "en"
MIN_LETTERS = 40  # below this a classifier's guess is noise ("Danke!" is Danish to it)
ENGLISH_SHARE = 0.15  # English prose runs at 25–40% function words; German, French, Spanish under 6%
MIN_CONFIDENCE = 0.95
_FUNCTION_WORDS = frozenset({
    "the", "and", "of", "to", "a", "in", "is", "was", "for", "on", "that", "with", "as", "it", "at", "by", "from",
    "this", "be", "are", "have", "has", "not", "or", "he", "she", "his", "her", "they", "i", "you", "we", "my",
})  # fmt: skip
_WORD = re.compile(r"[^\W\d_]+")
_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _identifier():
    import py3langid.langid as langid

    return langid.LanguageIdentifier.from_modelpath(langid.MODEL_DIR / langid.MODEL_FILE, norm_probs=True)


def preload() -> None:
    """Load the classifier now: before forking workers, so they share one copy (~75 MiB) instead of
    each loading its own when a document first needs it, a step in a long stream's memory."""
    _identifier()


def document_language(text: str) -> str:
    """An ISO 639-1 code: "en" unless the text is clearly in another language."""
    words = _WORD.findall(text.lower())
    if sum(map(len, words)) < MIN_LETTERS:
        return ENGLISH
    if sum(w in _FUNCTION_WORDS for w in words) / len(words) >= ENGLISH_SHARE:
        return ENGLISH
    with _LOCK:  # the model's scratch arrays are shared
        language, confidence = _identifier().classify(text)
    return language if language != ENGLISH and confidence >= MIN_CONFIDENCE else ENGLISH


def is_english(text: str) -> bool:
    return document_language(text) == ENGLISH
