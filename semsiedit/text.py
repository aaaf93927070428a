"""Text utilities shared by the stages: sentence offsets, chunking, `<<<…>>>` markup, span lookup.

Everything works on character offsets into the caller's string, so CRLF, Unicode and the text
between sentences are never rewritten here. Pure regex and string code: no spaCy, importable at
start-up.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from functools import lru_cache

Span = tuple[int, int]

# Tokens that end with "." but rarely end a sentence (titles, Latin abbreviations, corporate
# suffixes, months). Compared lower-case without the final dot. "etc" is deliberately absent:
# it ends sentences more often than it precedes a capitalised word.
ABBREVIATIONS = frozenset(
    {
        # titles before a name
        "mr", "mrs", "ms", "mx", "dr", "prof", "sr", "jr", "st", "mt", "rev", "hon", "gen", "lt", "sgt",
        "capt", "cmdr", "gov", "sen", "supt",
        # references and Latin
        "vs", "cf", "ca", "approx", "al", "fig", "figs", "vol", "pp", "eds", "dept", "univ",
        # a form's field words before their value ("reg. CF19 XKR", "tel. 01462 ...", "ref. HL/2024")
        "reg", "ref", "tel", "ext", "nos",
        # corporate suffixes and months (not "mar"/"may"/"sun"/"sat": those are common words too)
        "inc", "ltd", "corp", "co", "bros",
        "jan", "feb", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    }
)
# Single initials and dotted acronyms: "J.", "U.S.", "e.g.", "i.e.", "a.m.", "Ph.D."
_DOTTED = re.compile(r"(?:[^\W\d_]\.|(?:[^\W\d_]{1,2}\.){2,})$")
# "1." / "12." / "a." opening a line: a list marker, not a sentence.
_LIST_MARKER = re.compile(r"[ \t]*[(\[]?(?:\d{1,3}|[A-Za-z])\.")
_CLOSERS = "\"'”’»)]}"
_OPENERS = "\"'“‘«([{"
_TERMINALS = ".!?…"
# CJK full stops end a sentence even without a following space.
_CJK_TERMINAL = re.compile(r"[。！？]+[」』）】\"'”’]*")
_WHITESPACE = re.compile(r"\s+")
_PARAGRAPH = re.compile(r"[ \t\f\v]*(?:\r\n|\r|\n)(?:[ \t\f\v]*(?:\r\n|\r|\n))+\s*")


# Month and weekday names, lower-cased: capitalised, yet no name of a person or a place.
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
    "December",
)  # fmt: skip
MONTHS_AND_DAYS = frozenset(
    [m.lower() for m in MONTH_NAMES] + ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
)

# What a person's stand-in looks like in output, as a descriptor ("Person QF") or a placeholder
# ("<PERSON_3>"); STAND_IN is any type's ("User MR", "<EMAIL_ADDRESS_1>" too). Detection, editing and verification
# read these to know our own output when they meet it again.
PERSON_STAND_IN = r"Person [A-Z]{1,3}|<PERSON_\d+>"
STAND_IN = r"(?:Person|User) [A-Z]{1,3}(?!\w)|<[A-Z_]+_\d+>"


def _newlines(run: str) -> int:
    """Line breaks in a whitespace run; CRLF counts once, lone CR (old Mac) counts too."""
    return run.count("\n") + run.count("\r") - run.count("\r\n")


def _is_abbreviation(text: str, end: int) -> bool:
    """Whether the token ending at `end` (just after its final '.') is an abbreviation."""
    start = end
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    token = text[start:end].lstrip(_OPENERS)
    if token.endswith(".."):  # an ellipsis, not an abbreviation
        return False
    return token[:-1].lower() in ABBREVIATIONS or bool(_DOTTED.match(token))


# Words a sentence cannot end on: articles, prepositions, conjunctions, possessives, the first word of
# a two-word place ("New\nYork").
_OPEN_END = re.compile(
    r"(?<![\w'’-])(?:a|an|the|of|to|in|into|for|and|or|but|nor|with|at|by|from|on|as|than|about|"
    r"his|her|their|my|our|your|its|this|these|those|that|which|whose|because|if|whether|"
    r"(?-i:New|San|Santa|Los|Las|Hong|Sri|Costa|Puerto|Buenos|Rio|Saudi))$"
)


_LABEL_LINE = re.compile(r"[^\W\d_][\w'’ ./&-]{0,30}:")


def wrapped_line(before: str, text: str, end: int) -> bool:
    """A long line without a sentence's end, then a word that opens no field: hard-wrapped prose
    going on with a name ("… he is a Jehovah's\nWitness"). Form fields, list items and chat lines
    are short, end in punctuation or open the next line with a label, a marker or a timestamp."""
    return long_open_line(before) and text[end].isalnum() and not _LABEL_LINE.match(text, end)


def long_open_line(before: str) -> bool:
    """The last line of `before` is long (60+ characters) and stops without a sentence's end or a
    label's colon: in hard-wrapped prose the next line goes on with the same sentence. A shorter line
    (30+) counts too when the line before it is one, or stops on an article or a preposition: an
    edit shortened a wrapped line ("... a past legal matter in\n2004. She served five months at the
    Federal\nPrison Camp")."""
    cut = max(before.rfind("\n"), before.rfind("\r"))
    line = before[cut + 1 :].rstrip()
    if len(line) < 30 or line[-1] in _TERMINALS + ":" + _CLOSERS:
        return False
    if len(line) >= 60:
        return True
    above = before[: max(cut, 0)]
    previous = above[max(above.rfind("\n"), above.rfind("\r")) + 1 :].rstrip()
    if cut <= 0 or not previous or previous[-1] in _TERMINALS + ":" + _CLOSERS:
        return False
    return len(previous) >= 60 or (len(previous) >= 30 and ends_open(previous))


def ends_open(line: str) -> bool:
    """The text stops on an article, a preposition or a conjunction: a hard wrap, not a sentence's end."""
    return bool(_OPEN_END.search(line))


def _is_boundary(text: str, start: int, end: int) -> bool:
    """Whether the whitespace run text[start:end] separates two sentences."""
    if start == 0 or end == len(text):
        return False  # leading/trailing whitespace: trimmed, not a boundary
    breaks = _newlines(text[start:end])
    if breaks >= 2:
        return True  # paragraph break
    # A bounded look-back: slicing the whole prefix per whitespace run made splitting quadratic.
    window = max(0, start - 200)
    before = text[window:start].rstrip(_CLOSERS)
    terminal = bool(before) and before[-1] in _TERMINALS
    following = text[end]
    if breaks == 1:
        # A line break ends a sentence unless it is a hard wrap inside one: the next line goes on in
        # lower case, or this one stops on a word no sentence ends with ("pending a\nGMC inquiry").
        return terminal or not (following.islower() or ends_open(before) or wrapped_line(before, text, end))
    if not terminal or following.islower() or following in ",;:":
        return False
    if before[-1] == "." and _LIST_MARKER.fullmatch(before[max(before.rfind("\n"), before.rfind("\r")) + 1 :]):
        return False
    # "Dr. Smith", "e.g. Paris", "U.S. Army": the dot belongs to the word, not the sentence.
    return not (before[-1] == "." and _is_abbreviation(text, window + len(before)))


def split_sentences(text: str) -> list[Span]:
    """Sentence offsets (a fresh list: the detectors, the editor and the scorer split the same texts
    again and again, so the work is cached per text; see `_split_sentences`). A long text is not
    kept in the cache: 256 of them would hold their memory."""
    if len(text) > 50_000:
        return list(_split_sentences.__wrapped__(text))
    return list(_split_sentences(text))


@lru_cache(maxsize=256)
def _split_sentences(text: str) -> tuple[Span, ...]:
    """Sentence offsets (start, end), whitespace-trimmed, so text[start:end] is the sentence.

    Boundaries: terminal punctuation (. ! ? …, optionally closed by quotes/brackets) followed by
    whitespace and a character that is not lower-case; paragraph breaks; single line breaks unless
    they hard-wrap prose (the next line goes on in lower case, the line stops on an article, a
    preposition or a conjunction, or a long line with no sentence end goes on with a word that
    opens no field); CJK full stops. Abbreviations,
    initials, dotted acronyms and decimals ("3.5": no whitespace) do not end a sentence.
    """
    cuts: list[tuple[int, int]] = []  # (end of a sentence, start of the next)
    for m in _WHITESPACE.finditer(text):
        if _is_boundary(text, m.start(), m.end()):
            cuts.append((m.start(), m.end()))
    for m in _CJK_TERMINAL.finditer(text):
        if m.end() < len(text) and not text[m.end()].isspace():
            cuts.append((m.end(), m.end()))
    cuts.sort()
    spans: list[Span] = []
    pos = 0
    for end, nxt in cuts:
        spans.append((pos, end))
        pos = nxt
    spans.append((pos, len(text)))
    # Trim (only the ends of the text and CJK cuts can leave whitespace) and drop empties.
    trimmed: list[Span] = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            trimmed.append((s, e))
    return tuple(trimmed)


def sentences(text: str) -> list[str]:
    """The sentence strings of `text` (see `split_sentences`)."""
    return [text[s:e] for s, e in split_sentences(text)]


def _last_cut(cuts: list[int], low: int, high: int) -> int | None:
    """The largest cut position in (low, high], or None. `cuts` is sorted: bisect keeps chunking linear."""
    i = bisect.bisect_right(cuts, high) - 1
    return cuts[i] if i >= 0 and cuts[i] > low else None


def chunk_text(text: str, max_chars: int) -> list[Span]:
    """Split `text` into contiguous (start, end) chunks of at most `max_chars` characters.

    Chunks cover the text exactly: concatenating text[start:end] over the chunks gives back the
    text, whitespace, CRLF and all. Each chunk ends at the last paragraph break that fits, else the
    last sentence boundary, else the last whitespace; a run with no whitespace longer than
    `max_chars` (a URL, base64, unspaced script) is cut hard at `max_chars` rather than producing an
    unbounded chunk, never between CR and LF. A paragraph or sentence cut is only preferred when it
    keeps the chunk at least half full, so one early blank line does not produce tiny chunks.
    """
    if max_chars < 1:
        raise ValueError("max_chars must be at least 1")
    n = len(text)
    if n == 0:
        return []
    if n <= max_chars:
        return [(0, n)]
    # Cut positions are where the next chunk starts; whitespace stays with the chunk before it.
    paragraphs = [m.end() for m in _PARAGRAPH.finditer(text)]
    sentence_starts = [s for s, _ in split_sentences(text)][1:]
    spaces = [m.end() for m in _WHITESPACE.finditer(text)]
    chunks: list[Span] = []
    pos = 0
    while n - pos > max_chars:
        limit = pos + max_chars
        half = pos + max_chars // 2
        cut = (
            _last_cut(paragraphs, half, limit)
            or _last_cut(sentence_starts, half, limit)
            or _last_cut(spaces, pos, limit)
            or _last_cut(paragraphs, pos, limit)
            or _last_cut(sentence_starts, pos, limit)
        )
        if cut is None:
            cut = limit
            if text[cut - 1] == "\r" and text[cut] == "\n" and cut - 1 > pos:
                cut -= 1
        chunks.append((pos, cut))
        pos = cut
    chunks.append((pos, n))
    return chunks



def stable_pieces(text: str, max_chars: int, min_chars: int | None = None) -> list[Span]:
    """Contiguous pieces of at most `max_chars` (bar unbreakable runs) whose cuts depend on content,
    not on position: an edit in one paragraph changes only the pieces near it, so a detector can
    reuse what it found in the others (content-defined chunking, as in rsync or FastCDC).

    Paragraphs are the units (a longer one is split by `chunk_text`). A piece ends after a unit whose
    checksum is divisible by 4 once the piece has `min_chars` (default max_chars // 8), or when the
    next unit would not fit.
    """
    import zlib

    if len(text) <= max_chars:
        return [(0, len(text))] if text else []
    min_chars = max_chars // 8 if min_chars is None else min_chars
    units: list[Span] = []
    start = 0
    for end in [m.end() for m in _PARAGRAPH.finditer(text)] + [len(text)]:
        if end > start:
            units += [(start + a, start + b) for a, b in chunk_text(text[start:end], max_chars)]
            start = end
    pieces: list[Span] = []
    piece_start = 0
    for i, (unit_start, unit_end) in enumerate(units):
        size = unit_end - piece_start
        last = i + 1 == len(units)
        boundary = size >= min_chars and zlib.crc32(text[unit_start:unit_end].encode("utf-8", "surrogatepass")) % 4 == 0
        if last or boundary or units[i + 1][1] - piece_start > max_chars:
            pieces.append((piece_start, unit_end))
            piece_start = unit_end
    return pieces

MARK_OPEN = "<<<"
MARK_CLOSE = ">>>"
_MARK = re.compile(re.escape(MARK_OPEN) + "|" + re.escape(MARK_CLOSE))


def extract_marked_spans(marked: str) -> tuple[str, list[Span]]:
    """Strip SemSI-Bench `<<<…>>>` markup: the plain text and the marked spans' offsets in it.

    The judge's markup is not always balanced: a stray `>>>` is dropped, a `<<<` left open runs to
    the end of the text, and a nested `<<<` is treated as part of the span already open. Empty
    spans are dropped.
    """
    parts: list[str] = []
    spans: list[Span] = []
    length = 0
    open_at: int | None = None
    pos = 0
    for m in _MARK.finditer(marked):
        chunk = marked[pos : m.start()]
        parts.append(chunk)
        length += len(chunk)
        pos = m.end()
        if m.group() == MARK_OPEN:
            if open_at is None:
                open_at = length
        elif open_at is not None:
            if length > open_at:
                spans.append((open_at, length))
            open_at = None
    tail = marked[pos:]
    parts.append(tail)
    length += len(tail)
    if open_at is not None and length > open_at:
        spans.append((open_at, length))
    return "".join(parts), spans


def marked_span_texts(marked: str) -> list[str]:
    """The texts of the `<<<…>>>` spans, whitespace-trimmed, in order."""
    plain, spans = extract_marked_spans(marked)
    return [t for t in (plain[s:e].strip() for s, e in spans) if t]


def normalize_ws(text: str) -> str:
    """Collapse every whitespace run to one space and trim: for comparisons, never for output."""
    return " ".join(text.split())


def locate(text: str, needle: str, start: int = 0) -> Span | None:
    """Offsets of `needle` in `text` at or after `start`, ignoring case and whitespace differences.

    The judge's marked copy of an answer often differs from the answer in spacing (" \\n\\n" vs
    "\\n\\n"), so gold spans are found with whitespace runs matching any whitespace run.
    """
    words = needle.split()
    if not words:
        return None
    pattern = r"\s+".join(re.escape(w) for w in words)
    m = re.compile(pattern, re.IGNORECASE).search(text, start)
    return (m.start(), m.end()) if m else None


@lru_cache(maxsize=8192)  # per value, not per call: see bounded_word
def value_pattern(value: str) -> re.Pattern[str] | None:
    """Case-insensitive, whitespace-normalised exact match that respects word edges.

    "Tom" must not count as surviving in "Tomorrow", so an alphanumeric end of the value needs a
    non-word character (or the text's end) next to it.
    """
    norm = normalize_ws(value)
    if not norm:
        return None
    head = r"(?<!\w)" if norm[0].isalnum() else ""
    tail = r"(?!\w)" if norm[-1].isalnum() else ""
    return re.compile(head + re.escape(norm) + tail, re.IGNORECASE)


@lru_cache(maxsize=8192)
def bounded_word(value: str) -> re.Pattern[str]:
    """`value` as a whole word or phrase: no word character on either side.

    Patterns built from a document's values (names, numbers, terms) are cached here rather than
    left to `re`'s own cache of 512, which they would flood: its static patterns were then
    compiled again and again (~6% of a rewrite's time on the dev answers)."""
    return re.compile(rf"(?<!\w){re.escape(value)}(?!\w)")


def alternation(terms: list[str]) -> str:
    """A regex matching any of `terms` (a space matches any run of spaces/tabs), factored into a prefix
    trie so that a long term list costs one branch per distinct first character, not one per term.
    Longer terms are preferred where one is a prefix of another. Build case-insensitive patterns from
    lower-cased terms."""
    trie: dict = {}
    for term in terms:
        node = trie
        for ch in term:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        end = "" in node
        branches = [
            (r"[ \t]+" if ch == " " else re.escape(ch)) + build(child) for ch, child in sorted(node.items()) if ch
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if end else body

    return build(trie)


def values_pattern(values: Iterable[str]) -> re.Pattern[str] | None:
    """One case-insensitive pattern for many exact values, with `value_pattern`'s word edges: a
    replacement is checked against every original value of a document at once (thousands in a long
    one), not with a pattern per value."""
    groups: dict[tuple[bool, bool], set[str]] = {}
    for value in values:
        norm = normalize_ws(value).lower()
        if norm:
            groups.setdefault((norm[0].isalnum(), norm[-1].isalnum()), set()).add(norm)
    if not groups:
        return None
    parts = [
        (r"(?<!\w)" if head else "") + f"(?:{alternation(sorted(terms))})" + (r"(?!\w)" if tail else "")
        for (head, tail), terms in sorted(groups.items())
    ]
    return re.compile("|".join(parts), re.IGNORECASE)


def value_survives(value: str, text: str) -> bool:
    """Whether the exact sensitive value is still in `text` (case- and whitespace-insensitive)."""
    pattern = value_pattern(value)
    return bool(pattern and pattern.search(normalize_ws(text)))


def in_full_names(text: str, word: str) -> list[Span]:
    """Where `word` stands in `text` inside a capitalised full name ("Evelyn Marchetti", "Marchetti
    Jones"): the spans of those names. A single capitalised word that is part of one is that person."""
    w = re.escape(word)
    return [m.span() for m in re.finditer(rf"\b[A-Z][\w'’-]+\s+{w}\b|\b{w}\s+[A-Z][\w'’-]+", text)]


def paragraph_around(text: str, start: int, end: int) -> Span:
    """The line holding text[start:end]: from the line break before it to the one after it."""
    line_end = text.find("\n", end)
    return text.rfind("\n", 0, start) + 1, line_end if line_end >= 0 else len(text)
