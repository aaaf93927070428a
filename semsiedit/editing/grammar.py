"""Grammar at the seams of the local editor's edits, shared by every operator.

a/an agreement, doubled determiners ("the a city"), a capital at a sentence start, a hedge adverb
moved before another adverb, brackets and quotes kept balanced. The word lists are in
data/editing/hedges.json ("grammar").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from itertools import pairwise

from semsiedit.editing.surrogates import load_data
from semsiedit.text import ABBREVIATIONS, MONTHS_AND_DAYS, PERSON_STAND_IN, STAND_IN, ends_open, long_open_line

FLAGS = re.IGNORECASE
PLURAL_SUBJECTS = {"they", "we", "you", "i"}
PRONOUNS = {"he", "she", "they", "we", "i", "you", "it"}
# "X's" is a possessive determiner, except the contractions of "is"/"has" ("she's a nurse").
DETERMINERS = (
    r"a|an|the|this|that|these|those|my|your|his|her|its|our|their|no|any|every|each|which|whose|"
    r"(?!(?:he|she|it|that|there|here|what|who|where|everyone|someone|nobody)['’]s\b)[\w-]+['’]s"
    r"|[\w-]+s['’](?!\w)"  # a plural possessive: "his parents' divorce"
)
# "her own stroke" -> "her own medical issue": "own" after a possessive keeps it a determiner.
_LEFT_DET = re.compile(rf"(?<![\w'’-])({DETERMINERS})(?: own)? $", FLAGS)
LEFT_ARTICLE = re.compile(r"(?<![\w'’-])(a|an) $", FLAGS)
# A determiner that ends a hard-wrapped line ("she's having a\nhysterectomy"): the seam is a line break.
_LEFT_DET_WRAPPED = re.compile(rf"(?<![\w'’-])({DETERMINERS})(?: own)?\r?\n$", FLAGS)
_RIGHT_ARTICLE = re.compile(r"(a|an|the) (?=\S)", FLAGS)
_TOKEN = re.compile(r"\S+")
_SURROGATE_START = re.compile(rf"(?:{PERSON_STAND_IN})(?![\w'’-])")
STRIP = "\"'“”‘’()[],.;:!?"
TAIL = re.compile(r"[\s.!?;:,\"'”’)\]]*$")
_BRACKETS = {"(": ")", "[": "]", "“": "”"}
# Nouns that end in -ly: never moved around as adverbs.
_NOT_ADVERBS = {
    "family", "assembly", "supply", "reply", "rally", "belly", "bully", "ally", "jelly", "italy", "july",
    "monopoly", "anomaly", "early", "only", "daily", "likely", "elderly", "holy", "ugly", "silly", "costly",
    "deadly", "lovely", "weekly", "monthly", "yearly", "friendly", "lonely", "lowly", "jolly", "fly", "apply",
}  # fmt: skip


def article_for(word: str) -> str:
    w = word.strip(STRIP)
    if not w:
        return "a"
    if len(w) > 1 and w.isupper() and w.isalpha():  # read as letters: "an HIV test", "a UN report"
        return "an" if w[0] in "AEFHILMNORSX" else "a"
    lw = w.lower()
    if lw.startswith(("hour", "honest", "honor", "honour", "heir")):
        return "an"
    if lw.startswith(("uni", "use", "usu", "eu", "one", "once", "ubiq", "ura", "ure", "uti", "u.")):
        return "a"
    if lw[0].isdigit():
        return "an" if lw.startswith(("8", "11", "18")) else "a"
    return "an" if lw[0] in "aeiou" else "a"


def match_case(template: str, like: str) -> str:
    return template[:1].upper() + template[1:] if like[:1].isupper() else template


# A full stop after these ends no sentence: text.py's abbreviations, and a number's "no." / "nr.".
_ABBREVIATIONS = ABBREVIATIONS | {"no", "nr", "etc", "e.g", "i.e"}


def at_sentence_start(before: str) -> bool:
    stripped = before.rstrip(" \t\"'“‘([")
    if stripped.endswith(".") and re.search(r"(?:^|[\s(])([\w.]+)\.$", stripped):
        word = re.search(r"(?:^|[\s(])([\w.]+)\.$", stripped).group(1)  # type: ignore[union-attr]
        if word.lower() in _ABBREVIATIONS or (len(word) == 1 and word.isupper()):
            return False  # "permit no. AT-…", "Douglas T. Farraday"
    line = stripped.rstrip("\r\n")
    if stripped.endswith("\n") and (ends_open(line) or long_open_line(line)):
        return False  # hard-wrapped prose: "… pending a\nGMC investigation"
    return not stripped or stripped[-1] in ".!?\n\r"


# Adjectives that modify the noun a replacement brings ("assessment of suspected a mental-health
# condition" -> "suspected mental-health condition"): the new article cannot follow them.
_MODIFIERS = frozenset({
    "suspected", "possible", "probable", "likely", "presumed", "confirmed", "untreated", "undiagnosed", "severe",
    "mild", "chronic", "acute", "ongoing", "recurrent", "worsening", "advanced", "terminal", "rare", "diagnosed",
    "early", "late", "moderate", "progressive", "persistent", "serious", "recurring", "underlying", "borderline",
    "outpatient", "inpatient", "elective", "routine", "urgent", "minor", "major", "previous", "prior", "past",
    "recent", "known", "longstanding", "lifelong", "new", "related", "associated", "resulting", "secondary",
    "comorbid", "postnatal", "postpartum", "clinical",
})  # fmt: skip
# Where a noun phrase without an article of its own starts: the new article goes before its modifiers.
_BARE_NP_LEAD = re.compile(
    r"(?:(?<![\w'’-])(?:has|have|had|with|having|regarding|about|for|of|re|from|into|and|or)|[,:;]) $", re.I
)
# Participles in _MODIFIERS that are also verbs: after a subject ("She diagnosed ADHD") the noun phrase
# is the object and keeps the replacement's article; after a determiner or a preposition ("with
# diagnosed ADHD", "her confirmed ...") it is an adjective.
_VERB_MODIFIERS = frozenset({"diagnosed", "confirmed", "suspected"})
_ADJECTIVE_SLOT = re.compile(
    rf"(?<![\w'’-])(?:{DETERMINERS}|has|have|had|having|with|of|for|from|into|about|regarding|and|or"
    r"|is|are|was|were|be|been) $|(?:^|[:\n])[ \t]*$",  # or a field's value: "A: Suspected NSTEMI"
    FLAGS,
)


# A replacement naming a health matter ("a serious medical issue"), and an adjective shaped like one that
# names the kind of condition ("aplastic", "pernicious", "neuroendocrine").
_HEALTH_REP = re.compile(r"an? (?:[\w-]+ )?(?:medical|health)\b", FLAGS)
_CONDITION_ADJECTIVE = r"[a-z]+(?:ic|ous|al|ary|oid|ive|ular|ine)"
# Not an eponym: a stand-in's letters ("Person K asthma"), a month or a place after a preposition.
_EPONYM_BLOCKED = re.compile(rf"(?:{PERSON_STAND_IN}|(?<![\w'’-])(?:in|on|at|from|since|by|of|to) [\w-]+) $")
_PLACEHOLDER = re.compile(r"<[A-Z_]+_\d+>")
# Words that end a noun phrase rather than modify one: "a discussion about a medical issue-13" keeps its
# own article, unlike "a mild normocytic a medical issue".
_LINKING = frozenset({
    "about", "of", "or", "and", "nor", "but", "with", "for", "to", "from", "in", "on", "at", "by", "as", "than",
    "into", "onto", "over", "under", "after", "before", "between", "without", "within", "like", "per", "via",
})  # fmt: skip


def fix_seam(result: str, j: int, *, article_led: bool = False) -> str:
    """Grammar at a seam where new text starts at result[j]: a/an, and doubled determiners.

    `article_led`: the replaced text opened with an article, so an "X's" before it was "X is"
    ("Her son's a heavy drinker"), not a possessive."""
    left, right = result[:j], result[j:]
    if _PLACEHOLDER.match(right):
        return result  # "<EMAIL_ADDRESS_3>" is no English word: "an" before it may be German ("schreiben Sie an")
    det, rep = _LEFT_DET.search(left) or _LEFT_DET_WRAPPED.search(left), _RIGHT_ARTICLE.match(right)
    if det and article_led and re.search(r"['’]s$", det.group(1)):
        det = None
    art = LEFT_ARTICLE.search(left)
    # A capital "A" mid-sentence is a letter in a name ("Person A"), not an article.
    if det and det.group(1) in ("A", "An") and not at_sentence_start(left[: det.start()]):
        det = None
    if art and art.group(1)[0].isupper() and not at_sentence_start(left[: art.start()]):
        art = None
    if art and _SURROGATE_START.match(right):
        # "a Mr. Yusuf Demir" -> "Person GC", not "a Person GC": a stand-in takes no article.
        return left[: art.start()] + (right[0].upper() + right[1:] if art.group(1)[0].isupper() else right)
    if det and rep:
        if det.group(1).lower() in ("a", "an"):  # "a a chronic condition": keep the new article
            new = match_case(rep.group(1).lower(), det.group(1))
            return left[: det.start()] + new + right[len(rep.group(1)) :]
        return left + right[rep.end() :]  # "the a city", "her a family matter": drop the new article
    if rep and rep.group(1).lower() in ("a", "an"):
        # "the religious a place of worship", "early-stage a medical issue", "the 2024 a city":
        # the new article follows an adjective or sits inside a noun phrase that has its own.
        # The word before, also across a hard-wrapped line ("previous\nCVA (2019)").
        prev = re.search(r"(?<![\w'’-])([\w'’-]+)( |\r?\n)$", left)
        if prev and prev.group(1).lower() in _VERB_MODIFIERS and not _ADJECTIVE_SLOT.search(left[: prev.start()]):
            prev = None  # "She diagnosed a learning difference": a verb and its object
        if prev and (
            prev.group(1).lower() in adjective_reps()
            or prev.group(1).lower() in _MODIFIERS
            or re.fullmatch(r"[a-z]+(?:-[a-z]+)+", prev.group(1))
            or re.fullmatch(r"\d+[x×]", prev.group(1))  # "1x a medical test": a quantity, not a slot
            or prev.group(1).lower() == "one"  # "one miscarriage" -> "one private health matter"
            or re.search(rf"(?<![\w'’-])(?:{DETERMINERS}) \d[\d,.]*s? $", left, FLAGS)
        ):
            before = left[: prev.start()]
            # Up to two modifiers: "regarding possible early Alzheimer's".
            run = prev.group(1)
            if (
                prev.group(1).lower() in _MODIFIERS
                and (more := re.search(r"(?<![\w'’-])([a-z]+) $", before))
                and more.group(1).lower() in _MODIFIERS
            ):
                before, run = before[: more.start()], more.group(1) + " " + run
            hyphenated = re.fullmatch(r"[a-z]+(?:-[a-z]+)+", prev.group(1)) is not None  # "new-onset"
            if (prev.group(1).lower() in _MODIFIERS or hyphenated) and _BARE_NP_LEAD.search(before):
                # "He has advanced Parkinson's": the noun phrase had no article of its own, so the
                # new one goes before its modifiers ("has an advanced medical issue").
                if right[rep.end() :].lower().startswith(prev.group(1).lower() + " "):
                    return left[: prev.start()] + right  # "has chronic diabetes" -> "has a chronic health condition"
                article = "an" if run[0].lower() in "aeiou" else "a"
                if run[:1].isupper():  # "A: Suspected NSTEMI" -> "A: A suspected medical issue"
                    article, run = article.capitalize(), run[0].lower() + run[1:]
                return before + article + " " + run + prev.group(2) + right[rep.end() :]
            return left + right[rep.end() :]
        health_rep = _HEALTH_REP.match(right) is not None
        named = re.search(rf"(?<![\w'’-])({_CONDITION_ADJECTIVE})( |\r?\n)$", left)
        slot = named.start() if named else 0
        # Over more such adjectives and the ordinary modifiers before them ("a rare pancreatic
        # neuroendocrine tumour"): the slot is where the noun phrase starts.
        while named and (more := re.search(r"(?<![\w'’-])([a-z]+) $", left[:slot])) and (
            more.group(1) in _MODIFIERS or re.fullmatch(_CONDITION_ADJECTIVE, more.group(1))
        ) and more.group(1) not in function_words()[0]:
            slot = more.start()
        if (
            named
            and health_rep
            and named.group(1) not in _MODIFIERS
            and named.group(1) not in function_words()[0]
            and _ADJECTIVE_SLOT.search(left[:slot])
        ):
            # "has aplastic anaemia", "her pernicious anaemia": an adjective that names the kind of
            # condition goes with it ("has a medical issue"), it would still tell the condition; so do the
            # modifiers before it ("a mild normocytic anaemia" -> "a medical issue").
            return fix_seam(left[:slot] + right, slot, article_led=article_led)
        eponym = re.search(r"(?<![\w'’-])((?:[Nn]on-)?[A-Z][a-z]+(?:-[A-Z][a-z]+)?) $", left)
        if (
            eponym
            and health_rep
            and not at_sentence_start(left[: eponym.start()])
            and not _EPONYM_BLOCKED.search(left[: eponym.end()])
            and eponym.group(1).lower() not in MONTHS_AND_DAYS
        ):
            # "Her father had Hodgkin lymphoma": the eponym names the condition and goes with it.
            return fix_seam(left[: eponym.start()] + right, eponym.start(), article_led=article_led)
        # One modifier, or an intensifier and one ("a pretty bad cocaine problem").
        modifier = re.search(
            r"(?<![\w'’-])([Aa]n?) ((?:(?:pretty|really|very|quite|so|rather|fairly|truly) |[a-z]+ )?[a-z]+) $", left
        )
        if modifier and not any(w in function_words()[0] or w in _LINKING for w in modifier.group(2).split()):
            # "a closet a person with …", "a raging an addict": the article's own modifier of the noun
            # that was replaced goes with it, the replacement keeps its article.
            new = match_case(rep.group(1).lower(), modifier.group(1))
            return left[: modifier.start()] + new + right[len(rep.group(1)) :]
    if re.match(r"some(?:one|body)\b", right):
        # "an arrogant bully" -> "someone facing unproven claims": a pronoun takes no article or adjective.
        lead = re.search(r"(?<![\w'’-])([Aa]n?) ((?:[a-z]+ ){1,2})$", left)
        if lead and not any(w in function_words()[0] or w in _LINKING for w in lead.group(2).split()):
            return left[: lead.start()] + (right[0].upper() + right[1:] if lead.group(1)[0] == "A" else right)
    year = re.match(r"(?:1[89]|20)\d\d(?!\d)(?![/.-]\d)", right)
    on = re.search(r"(?<![\w'’-])([Oo])n( |\r?\n)$", left)
    if year and on:
        # "on 3/14/2023" reduced to its year: "in 2023", not "on 2023" (also across a wrapped line).
        return left[: on.start()] + ("I" if on.group(1) == "O" else "i") + "n" + on.group(2) + right
    hedge = re.match(r"([a-z]+ly) ", right)
    if hedge and hedge.group(1) in word_sets()[0]:
        # "repeatedly allegedly mistreated" -> "allegedly repeatedly mistreated"
        adv = re.search(r"(?<![\w'’-])([a-z]+ly) $", left)
        if adv and adv.group(1) not in _NOT_ADVERBS and adv.group(1) not in word_sets()[0]:
            return left[: adv.start()] + hedge.group(0) + adv.group(0) + right[hedge.end() :]
    first = re.match(r"([A-Za-z]{3,})(?![\w'’-])", right)
    last = re.search(r"(?<![\w'’-])([A-Za-z]{3,}) $", left)
    if first and last and first.group(1).lower() == last.group(1).lower():
        # "his religious religious beliefs": a replacement repeats the word before it.
        return left + right[first.end() :].lstrip(" ")
    word = re.match(r"[^\s]+", right)
    if art and word:
        fixed = match_case(article_for(word.group(0)), art.group(1))
        if fixed != art.group(1):
            return left[: art.start()] + fixed + " " + right
    quoted = _QUOTED_ARTICLE.search(left)
    if quoted and word and word.group(0)[:1].isalpha():
        # 'an "inappropriate relationship"' -> 'a "questionable relationship"': the article is outside the quote.
        fixed = match_case(article_for(word.group(0)), quoted.group(1))
        if fixed != quoted.group(1):
            return left[: quoted.start()] + fixed + " " + quoted.group(2) + right
    return result


_QUOTED_ARTICLE = re.compile(r"(?<![\w'’-])(a|an) ([\"“‘'])$", FLAGS)


# A replacement that names a condition, and the clinical nouns a condition can modify ("HIV diagnosis").
_CONDITION_REP = re.compile(r"an? (?:[\w-]+ )*(?:condition|illness|disease|disorder|issue|matter)", FLAGS)
# A style that takes "the" before a name: the article goes with the name it styles.
_STYLED = re.compile(r"(?:Very |Most |Right )?(?:Reverend|Revd\.?|Rev\.|Rt\.? Hon\.?|Honourable|Hon\.)[ \t]")
_DOSE_NOUN = re.compile(
    r" (?:(?:supervised|daily|weekly|morning|evening|next|usual|missed|first|last) )?(?:doses?|prescriptions?|scripts?|"
    r"pick-?ups?|collections?|refills?|repeats?)(?![\w-])",
    FLAGS,
)
_CLINICAL_NOUN = re.compile(
    r" (?:diagnosis|diagnoses|status|test|tests|testing|treatment|treatments|medication|medications|symptoms|"
    r"results?|therapy|care|clinic|specialist|nurse|team|flare-ups?|relapse|screening|prognosis|appointments?|"
    r"visits?|cycles?|procedures?|consultations?|check-ups?|follow-ups?|injections?|ward|unit|episodes?|plans?|"
    r"management|review|attacks?|medicine|inhalers?|pump|assessments?|evaluations?|referrals?)(?![\w-])",
    FLAGS,
)


_POSSESSIVES = {"he": "his", "him": "his", "she": "her", "i": "my", "me": "my", "we": "our", "you": "your"}


def agree_possessive(replacement: str, subject: str | None) -> str:
    """A table's "their" agrees with a pronoun subject: "he might be private about his personal life"."""
    own = _POSSESSIVES.get((subject or "").strip().lower())
    return re.sub(r"\btheir\b", own, replacement) if own and "their" in replacement else replacement


_STAND_IN = re.compile(rf"(?:{STAND_IN})(?:['’]s)?")


def keep_line_breaks(original: str, rep: str) -> str:
    """`rep` with the line breaks of the `original` it replaces, after as many words as they came after:
    "member of\nUnite" -> "member of\na workplace group" (hard-wrapped text keeps its lines)."""
    if "\n" not in original or "\n" in rep or _STAND_IN.fullmatch(rep.strip()):
        return rep  # a stand-in ("Person PS") is one name: the wrap inside the name it replaces goes
    words = rep.split(" ")
    gaps = [" "] * (len(words) - 1)
    for m in re.finditer(r"[ \t]*\r?\n\s*", original):
        at = min(len(original[: m.start()].split()), len(gaps))
        if at >= 1 and words[at - 1] in ("Person", "User") and at < len(gaps):
            at += 1  # not inside a stand-in: "your manager, Person PS,\ndiscriminated ..."
        if at >= 1:
            gaps[at - 1] = m.group()
    return "".join(w + g for w, g in zip(words, [*gaps, ""], strict=True))


def splice(seg: str, reps: Sequence[tuple[int, int, str]], before: str) -> str:
    """seg with non-overlapping (start, end, replacement) applied; seams repaired."""
    out: list[str] = []
    seams: list[tuple[int, bool]] = []  # (offset, the replaced text opened with an article)
    pos = length = 0
    for start, end, rep in sorted(reps, key=lambda r: (r[0], r[1])):
        gap = seg[pos:start]
        if _STYLED.match(seg, start) and re.fullmatch(r"Person [A-Z]+", rep.strip()):
            gap = re.sub(r"(?<![\w'’-])[Tt]he $", "", gap)  # "The Reverend Alan Gibbs" -> "Person QN"
        out.append(gap)
        length += len(gap)
        original = seg[start:end]
        if rep.strip():
            # Keep the whitespace the match took with it: "$38,000 behind" -> "a sum of money behind".
            lead = original[: len(original) - len(original.lstrip())]
            trail = original[len(original.rstrip()) :]
            out.append(lead)
            length += len(lead)
            rep = rep.strip() + trail
            original = original.strip()
            rep = keep_line_breaks(original, rep)
        if _CONDITION_REP.fullmatch(rep.strip()) and _CLINICAL_NOUN.match(seg[end:]):
            # "her HIV diagnosis", "an MS flare-up": the condition only modifies the noun after it,
            # so it goes and the noun stays ("her diagnosis"), where "a chronic health condition
            # diagnosis" broke the phrase. The space before the noun goes with it.
            pos = end + 1
            continue
        if rep.strip() == "a prescribed medication" and _DOSE_NOUN.match(seg[end:]):
            # "her methadone 60 mg supervised dose" -> "her supervised dose": the medicine only named
            # which dose; its determiner stays ("a prescribed medication supervised dose" broke it).
            det = re.match(r"(?:her|his|their|my|your|our|the|a|an)\s", original, FLAGS)
            kept = det.group(0) if det else ""
            out.append(kept)
            length += len(kept)
            pos = end + 1
            continue
        digit_led = original[:1].isdigit() and re.match(r"(?:an?|the|some) ", rep) is not None
        if rep and rep[0].islower() and (original[:1].isupper() or digit_led):
            # "14 Nov: Mia arrived" opening a line -> "A certain date: ...": a number has no case to copy
            # (a table's "withheld" cell stays as it is).
            context = before[-80:] + "".join(out)[-80:]
            if at_sentence_start(context):
                rep = rep[0].upper() + rep[1:]
        seams.append((length, bool(re.match(r"(?:a|an)\s", original, FLAGS))))
        out.append(rep)
        length += len(rep)
        pos = end
    out.append(seg[pos:])
    result = "".join(out)
    for j, article_led in reversed(seams):
        result = fix_seam(result, j, article_led=article_led)
    return re.sub(r"(?<=\S)  +(?=\S)", " ", result) if "  " not in seg else result


@lru_cache(maxsize=1)
def adjective_reps() -> frozenset[str]:
    """One-word replacements from the tables ("religious", "political"): an article cannot follow them."""
    words: set[str] = set()
    rows = [r for table in load_data("generalise")["tables"].values() for r in table] + load_data("hedges")["terms"]
    for _, repl in rows:
        if re.fullmatch(r"[a-z]+(?:-[a-z]+)?", repl):
            words.add(repl)
    return frozenset(words)


def grammar() -> dict[str, list[str]]:
    return load_data("hedges")["grammar"]


@lru_cache(maxsize=1)
def function_words() -> tuple[frozenset[str], frozenset[str]]:
    """(words a verb cannot directly follow, capitalised words that are not names)."""
    g = grammar()
    return frozenset(g["function_words"]), frozenset(g["not_names"])


@lru_cache(maxsize=1)
def word_sets() -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
    g = grammar()
    return (
        frozenset(g["hedge_words"]),
        frozenset(g["auxiliaries"]),
        frozenset(g["participles"]),
        frozenset(g["verbs"]),
    )


_COMPLEMENTISER = re.compile(
    r"(?<![\w'’-])(?:that|because|whether|said|says|claimed|claims|alleged|alleges|disclosed|reported|admitted"
    r"|told (?:me|us|him|her|them|staff|police))$",
    re.IGNORECASE,
)


def is_clause(text: str, start: int, seg: str) -> bool:
    """A statement (subject + predicate), not a noun-phrase fragment like "Bill Clinton's account"."""
    tokens = [t.strip(STRIP).lower() for t in seg.split()]
    if len(tokens) < 3:
        return False
    before = text[max(0, start - 40) : start].rstrip(" \t")
    if not before or before[-1] in '.!?\n\r;:,(—–-"“':
        return True
    if _COMPLEMENTISER.search(before):
        return True  # "She told me that her stepdad hits her mum": what follows "that" is a statement
    if tokens[0] in PRONOUNS - {"it"}:
        return True  # "I see a therapist every week": a pronoun subject starts a statement
    _, aux, _, verbs = word_sets()
    return any(t in aux or t in verbs or (len(t) > 3 and t.endswith("ed")) for t in tokens[1:])


_JOINS_PREDICATE = re.compile(r"(?:(?<![\w'’-])(?:and|but|or|then|also)|[),])[ \t]*$", re.IGNORECASE)
_PAST_AUX = frozenset({"was", "were", "had", "did", "wasn't", "weren't", "hadn't", "didn't"})
_PLURAL_AUX = frozenset({"are", "have", "do", "aren't", "haven't", "don't"})


def opens_predicate(text: str, start: int, seg: str) -> str | None:
    """A verb phrase whose subject came before it ("she lost weight and admitted to thoughts of ...",
    "The guy at number 14 (Gary) has been dealing ..."): its tense, "past", "plural" or "present",
    else None. A noun phrase put in its place breaks the sentence ("... and a personal health matter")."""
    tokens = [t.strip(STRIP) for t in seg.split()]
    if len(tokens) < 3 or not tokens[0][:1].islower():
        return None
    first = tokens[0].lower()
    _, aux, _, verbs = word_sets()
    before = text[max(0, start - 12) : start]
    # An auxiliary opens a predicate wherever it stands ("has been dealing"); a verb after "and", "," ...
    a_verb = first in verbs or (len(first) > 3 and first.endswith("ed"))
    if first not in aux and not (a_verb and _JOINS_PREDICATE.search(before)):
        return None
    # A listed verb with no "-s" form beside it is a past form ("lost", "gave"); "cure" has "cures".
    irregular_past = first in verbs and not first.endswith("s") and first + "s" not in verbs
    if first in _PAST_AUX or first.endswith("ed") or irregular_past:
        return "past"
    return "plural" if first in _PLURAL_AUX else "present"


def core_range(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in STRIP):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in STRIP):
        end -= 1
    return start, end


def collapse_repeats(body: str, replacements: Sequence[str]) -> str:
    """ "a family matter and a family matter" -> "a family matter": two terms, one generalisation; also a
    list ("CHF, DM2 and HTN" -> "a medical issue, a medical issue and a medical issue")."""
    # The noun phrase ("a family matter"), and the whole replacement ("involved in a past legal matter or
    # involved in a past legal matter" from "arrested or charged").
    words = {w for r in replacements for w in [re.sub(r"^.*? (?=(?:an?|the) )", "", r), r.strip()] if len(w) > 3}
    for rep in sorted(w for w in words if body.casefold().count(w.split()[-1].casefold()) > 1):
        # A hard wrap may fall inside either copy ("a\nmental-health condition and a mental-health condition").
        pattern = r"\s+".join(map(re.escape, rep.split()))
        body = re.sub(rf"(?<!\w)({pattern})(?:(?:,?\s+(?:and|or)|,)\s+{pattern}(?!\w))+", r"\1", body, flags=FLAGS)
    for rep in {r.strip() for r in replacements}:
        # "was prescribed sertraline" -> "was prescribed a medication", not "prescribed a prescribed
        # medication"; "on prescribed methadone" -> "on a prescribed medication".
        lead = re.match(r"(?:an?) ([a-z]+) \S", rep)
        if lead and lead.group(1) in body:
            word = re.escape(lead.group(1))
            body = re.sub(rf"(?<![\w'’-])(on )?({word}) (an?) {word} (?=\w)",
                          lambda m: f"{m[1]}{m[3]} {m[2]} " if m[1] else f"{m[2]} {m[3]} ", body, flags=FLAGS)
    for rep in {r.strip() for r in replacements if r.strip() and "(" not in r}:
        # "very religious (Pentecostal)" -> "very religious (religious)": the aside said only which one.
        if "(" in body:
            body = _aside_repeating(rep).sub(r"\1", body)
    return body


@lru_cache(maxsize=1024)
def _aside_repeating(rep: str) -> re.Pattern[str]:
    pattern = r"\s+".join(map(re.escape, rep.split()))
    return re.compile(rf"(?<![\w'’-])({pattern})\s*\(\s*{pattern}\s*\)", FLAGS)


def split_keep(core: str) -> list[str]:
    """Split into sentences (semsiedit.text.split_sentences: "Douglas T. Farraday" and "U.S. Senate"
    are not two), keeping the separators attached so that joining restores the text."""
    from semsiedit.text import split_sentences

    starts = [s for s, _ in split_sentences(core)][1:]
    bounds = [0, *starts, len(core)]
    return [core[a:b] for a, b in pairwise(bounds) if b > a] or [core]


def unbalanced(seg: str) -> tuple[str, str]:
    """Brackets and quotes that `seg` opens without closing, and closes without opening."""
    opened: list[str] = []
    closed: list[str] = []
    closers = {v: k for k, v in _BRACKETS.items()}
    straight = 0
    for ch in seg:
        if ch in _BRACKETS:
            opened.append(ch)
        elif ch in closers:
            if opened and opened[-1] == closers[ch]:
                opened.pop()
            else:
                closed.append(ch)
        elif ch == '"':
            straight += 1
    return "".join(opened) + ('"' if straight % 2 else ""), "".join(closed)


def inside_quotation(text: str, pos: int) -> bool:
    """`pos` lies inside double-quoted words its paragraph opened ('he said "hits her when ...')."""
    start = text.rfind("\n\n", 0, pos) + 1
    return any(q in unbalanced(text[start:pos])[0] for q in "\"“")


def keep_marks(seg: str, out: str) -> str:
    """A whole-span template must not unbalance the text: brackets and quotes that the span
    opens or closes (their partners lie outside the span) are kept, at the side they were on."""
    opened, closed = unbalanced(seg)
    have_open, have_closed = unbalanced(out)
    extra_open = "".join(ch for ch in opened if ch not in have_open)
    extra_closed = "".join(ch for ch in closed if ch not in have_closed)
    if not extra_open and not extra_closed:
        return out
    lead = out[: len(out) - len(out.lstrip())]
    tail_m = TAIL.search(out)
    core_end = tail_m.start() if tail_m else len(out)
    core, tail = out[len(lead) : core_end], out[core_end:]
    body = seg.strip()
    front = "".join(ch for ch in extra_open if body.startswith(ch)) + "".join(
        ch for ch in extra_closed if not body.rstrip(".,;:!? ").endswith(ch)
    )
    back = "".join(ch for ch in extra_closed if body.rstrip(".,;:!? ").endswith(ch))
    after = "".join(ch for ch in extra_open if not body.startswith(ch))
    return lead + front + core + back + (" " + after if after else "") + tail
