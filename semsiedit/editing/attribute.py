"""Attribute / hedge: a harmful or unverified statement keeps its subject but is no longer stated as
fact: a hedge adverb inside it ("allegedly") and, once per paragraph, a note that it is unproven or
unsupported (data/editing/hedges.json, "wrappers")."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from semsiedit.editing.grammar import FLAGS, STRIP, TAIL, function_words, grammar, split_keep, unbalanced, word_sets
from semsiedit.editing.surrogates import load_data

if TYPE_CHECKING:
    from semsiedit.editing.spans import Ctx, Node

_TOKEN = re.compile(r"\S+")


@lru_cache(maxsize=1)
def _claim_cue() -> re.Pattern[str]:
    cues = "|".join(load_data("hedges")["grammar"]["claim_cues"])
    return re.compile(rf"(?<![\w'’-])(?:{cues})(?![\w'’-])", FLAGS)


def claim_like(statement: str) -> bool:
    """An assertive causal, medical or conspiratorial claim (the kind misinformation hedges are for)."""
    return bool(_claim_cue().search(statement))


_ATTRIBUTED = re.compile(
    r"(?<![\w'’-])(?:claim(?:s|ed|ing)?|swears?|swore|insists?|insisted|alleges?|alleged|alleging|maintains?|argues?|"
    r"argued|believes?|believed|accusations?|allegations?|charges|rumou?rs?|suggestions?)\s+that(?![\w'’-])"
    # Verbs whose object is a statement even without "that" ("my cousin swears the mayor is a crook").
    r"|(?<![\w'’-])(?:swears?|swore|sworn|insists?|insisted|reckons?|reckoned)\s+(?!(?:on|upon|by|at)\b)(?=[\w'’-]+\s)"
    r"|(?<![\w'’-])according to(?![\w'’-])"
    # What reports say, not the text: "his record has been the subject of misleading and fake news reports".
    r"|(?<![\w'’-])the subject of (?:[\w-]+ ){0,4}(?:reports?|claims?|rumou?rs?|speculation|allegations?|stories)"
    r"(?![\w'’-])"
    # Claims someone made: "Trump has made several claims about the election, including that ...".
    r"|(?<![\w'’-])(?:made|makes|making|repeated|repeating|spread|spreading) (?:several |many |numerous |a number of "
    r"|repeated |false |unfounded |baseless |unsubstantiated )?(?:claims|allegations|accusations)(?![\w'’-])"
    # A portrayal someone makes: "Trump could paint a picture of the U.S. being taken advantage of".
    r"|(?<![\w'’-])paint(?:s|ed|ing)? (?:a|the|this) (?:[\w-]+ )?picture of(?![\w'’-])"
    # An embedded question asserts nothing: "Many people ask whether 5G causes cancer", "an inquiry into
    # Russian interference and whether the campaign had colluded with Russia".
    r"|(?<![\w'’-])(?:ask(?:s|ed|ing)?|wonder(?:s|ed|ing)?|question(?:s|ed|ing)?|the question of)\s+(?:whether|if)"
    r"|(?<![\w'’-])(?:and|into|about|over|on|as to|examin\w+|investigat\w+|determin\w+|decid\w+|unclear|uncertain) "
    r"whether"
    # The text finds nothing to support it: "There is no credible evidence that ...", "I couldn't find any
    # credible sources reporting that ...".
    r"|(?<![\w'’-])(?:no|any) (?:credible |reliable |verified |real |solid )?(?:evidence|proof|sources?|reports?)"
    r" (?:that|of|reporting|to suggest|suggesting|showing)(?![\w'’-])",
    FLAGS,
)
# A conviction is a fact of record (generalised as such), not an accusation to hedge; nor is a death
# or an attack the subject suffered ("Her husband was killed by the Taliban", "being abused as a child").
_ESTABLISHED = re.compile(
    r"(?<![\w'’-])(?:found (?:him|her|them) guilty)(?![\w'’-])|"
    # Who lived through an attack is no one accused of it: "survivor of the Stoneman Douglas shooting".
    r"(?<![\w'’-])(?:survivors? of|survived|witness(?:es)? to|witnessed|victims? of)(?![\w'’-])|"
    # What the police or a camera established: "identified by law enforcement as", "photographed carrying".
    r"(?<![\w'’-])(?:(?:identified|named) by (?:police|law enforcement|authorities|investigators|the (?-i:FBI|police))|"
    r"photographed|filmed|caught on camera|recorded on video)(?![\w'’-])|"
    # An arrest the police made is the fact reported: "Police arrested Jamal Reed, 24, on Friday".
    r"(?<![\w'’-])(?:police|officers|detectives|deputies|troopers|agents|authorities|the (?-i:FBI)) "
    r"(?:have |had |has )?(?:arrested|detained)(?![\w'’-])|"
    # A process the text reports by name: "as part of an investigation into", "the ongoing investigations into".
    r"(?<![\w'’-])(?:as part of (?:an?|the|its|their) (?:[\w-]+ )?|(?:ongoing|continuing|pending|current|open|"
    r"federal|congressional|parliamentary|police|criminal) )(?:investigations?|inquiry|inquiries|probes?|reviews?) "
    r"(?:into|of)(?![\w'’-])|"
    # The writer's own account of what was done to them: "a history of domestic violence against me".
    r"(?<![\w'’-])(?:violence|abuse|assaults?|attacks?|threats?|harassment|mistreatment|cruelty|stalking) "
    r"(?:against|towards|to|on|at) (?:me|us)(?![\w'’-])|"
    # A formal finding the text reports: "you were found to be under the influence", "the panel found
    # that he had falsified records" (a hearing's, an investigation's or an audit's outcome).
    r"(?<![\w'’-])(?:(?:was|were|been|being|is|are) found to (?:be|have)|(?:hearing|panel|investigation|"
    r"inquiry|review|audit|tribunal|committee) (?:found|concluded|established|determined) that)(?![\w'’-])|"
    # A regulator's finding: "struck off the medical register for misconduct", "disbarred".
    r"(?<![\w'’-])(?:struck off|disbarred|debarred|banned from practi[sc]ing)(?![\w'’-])|"
    # A lawsuit or a settlement is a fact of record; what it alleges is attributed ("sued him alleging that …").
    r"(?<![\w'’-])(?:sued|settled|settlement|lawsuits?|filed (?:a )?(?:lawsuit|suit|complaint)|"
    r"(?:lawsuits?|suits?|complaints?) (?:was |were )?filed)(?![\w'’-])|"
    r"(?<![\w'’-])(?:convicted|convictions?|found guilty|pleaded guilty|pled guilty|pleaded no contest|"
    r"pled no contest|sentenced|apologi[sz]ed|admitted|"
    r"confessed|"
    r"acknowledged|jailed|imprisoned|fined)(?![\w'’-])"
    r"|(?<![\w'’-])(?:was|were|had been|has been|have been|got|being) (?:brutally |tragically |fatally )?"
    r"(?:killed|murdered|shot|stabbed|assassinated|beaten to death)(?![\w'’-])"
    r"|(?<![\w'’-])(?:was|were|had been|has been|have been|got|being) (?:sexually |physically |emotionally |verbally )?"
    r"(?:abused|assaulted|molested|raped|harassed|mistreated|bullied|attacked|threatened|stalked)(?![\w'’-])"
    r"|(?<![\w'’-])(?:was|were|had been|has been|have been|got|get|being) "
    r"(?:defrauded|scammed|swindled|conned|cheated|robbed|burgled|mugged)(?![\w'’-])"
    # A victim's loss, not an accusation against anyone: "her laptop was stolen from her car".
    r"|(?<![\w'’-])(?:was|were|got|had been|has been|have been) (?:stolen|nicked|broken into|vandali[sz]ed|hacked)"
    r"(?![\w'’-])"
    # A victim's account in their own record: "trauma processing around the assault by her former partner".
    r"|(?<![\w'’-])(?:the|an?|her|his|their|my|our|your) (?:(?:physical|sexual|verbal|emotional|domestic) )?"
    r"(?:assault|abuse|attack|rape|mistreatment|beating|harassment) (?:by|from|at the hands of) "
    # A process the text reports, not a finding against anyone: "the investigation into ... is ongoing".
    r"|(?<![\w'’-])(?:investigations?|inquiry|inquiries|probe|review|trial|case) (?:into|of) [^.;!?]*?"
    r"(?:is|are|was|were|remains?|remained) (?:still )?(?:ongoing|under way|underway|continuing|pending|open)"
    r"(?![\w'’-])", FLAGS
)


def attributed(statement: str) -> bool:
    """The text already attributes the statement ("a flyer claimed that ...", "according to ...")."""
    return bool(_ATTRIBUTED.search(statement))


# A statement that is the object of a reporting verb ("Critics said she was ...", "Some bloggers
# still claim he is ...", "He told reporters the mayor had ..."): the text says who holds it.
_REPORTED = re.compile(
    r"(?<![\w'’-])(?:said|says|say|claim(?:s|ed)?|argue[sd]?|insist(?:s|ed)?|allege[sd]?|suggest(?:s|ed)?|reported|"
    r"believe[sd]?|think|thinks|thought|wrote|writes|posted|tweeted|told [\w-]+)\s*,?\s*(?:that\s+)?"
    # ... and the statement's own subject and auxiliary: "came forward to say he had sexually abused them".
    r"(?:(?:he|she|they|it|(?-i:[A-Z])[\w'’-]+)\s+(?:(?:had|has|have|was|were|is|are|would|did)\s+)?(?:been\s+)?)?$"
    # A finding the sentence credits to an inquiry or a court ("a committee concluded that he had misled ...").
    r"|(?<![\w'’-])(?:concluded|found|ruled|determined|judged|decided|confirmed|revealed|reported)\s*,?\s*that\s+"
    r"(?:[\w'’-]+\s+){0,4}$"
    # ... also without "that" when the finder is named: "after an investigation found he had manipulated data".
    r"|(?<![\w'’-])(?:investigation|inquiry|review|panel|tribunal|court|judge|jury|committee|hearing|regulator|"
    r"audit|council)s?\s+(?:had\s+|has\s+)?(?:concluded|found|ruled|determined)\s+(?:[\w'’-]+\s+){0,4}$"
    r"|(?<![\w'’-])(?:citing|cited|complained (?:of|about)|pointing to)\s+(?:[\w'’-]+\s+){0,6}$"
    # A body's record of it ("the UN has documented war crimes including the killing of civilians").
    r"|(?<![\w'’-])(?:documented|recorded|verified|investigated)\s+(?:[\w'’-]+\s+){0,6}$"
    # A court's warrant names what it alleges ("issued an arrest warrant for Putin … over the deportation of").
    r"|(?<![\w'’-])(?:issued|sought|obtained|requested)\s+(?:an?\s+)?(?:[\w-]+\s+)?warrants?\s+(?:[\w'’.-]+\s+){0,10}$"
    r"|(?<![\w'’-])(?:described|portrayed|labell?ed|branded|dubbed|called) (?:him|her|them|it|[\w-]+|"
    r"(?:[A-Z][\w.'’-]* ){1,3}[A-Z][\w'’-]*)(?: as)?\s+$",
    FLAGS,
)


def reported(text: str, start: int) -> bool:
    """The statement at `start` is what someone the sentence names said or claims (reported speech)."""
    # The sentence so far: a hard wrap ("found that they were\nunlawfully killed") does not end it.
    cut = max(text.rfind("\n\n", 0, start) + 1, text.rfind(". ", 0, start), text.rfind(".\n", 0, start)) + 1
    return bool(_REPORTED.search(text[cut:start]))


# A report that someone was criticised for something ("He faced widespread criticism for antisemitic
# remarks"): the criticism is the fact reported, not an accusation of ours to call unproven.
_CRITICISED = re.compile(
    r"(?<![\w'’-])(?:faced|faces|facing|drew|draws|drawn|received|receives|attracted|sparked|prompted|triggered)"
    r" (?:[\w-]+ ){0,2}(?:criticism|backlash|condemnation|outrage|scrutiny)(?: (?:for|over|after))?(?![\w'’-])"
    r"|(?<![\w'’-])(?:critics|opponents|detractors|commentators|rivals|some) (?:have |had )?(?:accused|criticised|"
    r"criticized|blamed|attacked|condemned|called|labelled|labeled|branded|dubbed|described)(?![\w'’-])"
    # A consequence the text reports ("brands ended their partnerships with him over antisemitic comments").
    r"|(?<![\w'’-])(?:cut ties|ended (?:their |its |the )?(?:partnerships?|contracts?|deals?|relationships?|ties)|"
    r"dropped (?:him|her|them)|severed ties|suspended (?:him|her|them))[^.;!?]{0,40}? over(?![\w'’-])"
    r"|(?<![\w'’-])(?:banned|suspended|removed|deplatformed|blocked|expelled) (?:him|her|them)(?: from [\w ]{1,30}?)? "
    r"(?:for|over)(?![\w'’-])"
    # The words quoted as someone's ("The Sun, which had called him a "wife beater"").
    r"|(?<![\w'’-])(?:called|labell?ed|labeled|branded|dubbed|described) (?:him|her|them|(?-i:[A-Z])[\w'’-]*) "
    r"(?:as )?(?:an? |the )?[\"“‘]"
    # An accusation the text puts in its accuser's mouth ("a boy who accused him of abuse").
    r"|(?<![\w'’-])who\s+(?:(?:had|has|have|later|publicly|first)\s+)?(?:accused|alleged)(?![\w'’-])",
    FLAGS,
)


def criticised(statement: str) -> bool:
    return bool(_CRITICISED.search(statement))


_NEGATED_BEFORE = re.compile(r"(?<![\w'’-])(?:never|not|n['’]t|no|denied|denies)\W+(?:\w+\W+){0,2}$", FLAGS)
# A court's finding or the person's own admission: public record about a public figure.
_COURT_RECORD = re.compile(
    r"(?<![\w'’-])(?:convicted|found guilty|pleaded guilty|pled guilty|pleaded no contest|pled no contest|sentenced|"
    r"jailed|imprisoned|admitted|acquitted|found not guilty|cleared of|"
    r"confessed|found liable|held liable|ordered (?:him|her|them|it) to pay)(?![\w'’-])"
    r"|(?:stories|allegations|claims|accusations) (?:are|were) true\b"
    r"|(?<![\w'’-])(?:inquest|coroner|inquiry) (?:found|ruled|concluded|returned|recorded)(?![\w'’-])"
    # A court's ruling: "the Supreme Court later ruled the prorogation unlawful".
    r"|(?<![\w'’-])(?:court|judges?|justices|tribunal) (?:(?:later|unanimously|subsequently|eventually|also) )?"
    r"(?:ruled|held|declared|found)(?![\w'’-])"
    # "A jury in Delaware found him guilty": a verdict, with its object between.
    r"|(?<![\w'’-])(?:found|find|finds) (?:him|her|them|(?-i:[A-Z])[\w'’.-]*(?: (?-i:[A-Z])[\w'’.-]*){0,2})"
    r" guilty(?![\w'’-])",
    FLAGS,
)


def court_record(text: str) -> bool:
    """`text` states a conviction, sentence or admission that it does not deny ("he was never convicted")."""
    return any(
        not _NEGATED_BEFORE.search(text[max(0, m.start() - 30) : m.start()]) for m in _COURT_RECORD.finditer(text)
    )


def court_record_in_paragraph(text: str, start: int, end: int) -> bool:
    """The statement's paragraph records a conviction or admission ("... defrauding investors. He pleaded
    guilty to 11 federal felonies"), or another paragraph does about someone the statement names ("she
    fatally shot Daunte Wright ... \n\nPotter was found guilty of manslaughter in the death of Daunte Wright")."""
    left = text.rfind("\n\n", 0, start)
    right = text.find("\n\n", end)
    if court_record(text[left + 1 if left >= 0 else 0 : right if right >= 0 else len(text)]):
        return True
    names = set(_NAME.findall(text, start, end))
    paragraphs = text.split("\n\n") if names else []
    return any(names & set(_NAME.findall(paragraph)) and court_record(paragraph) for paragraph in paragraphs)


# A full name: two capitalised words ("Daunte Wright"), no sentence's first word alone.
_NAME = re.compile(r"(?<![\w'’.-])(?-i:[A-Z][a-z]+ [A-Z][a-z]+)(?![\w'’-])")


def needs_hedge(statement: str, *, claim: bool = False) -> bool:
    """Whether a harmful/unverified statement still needs a hedge: not when the text already attributes
    it ("a flyer claimed that ...", "my cousin swears that ...") or reports an established fact. A
    false claim (`claim`) is no record of a loss or a verdict for its words: "the election was stolen"."""
    statement = " ".join(statement.split())  # a hard wrap is a space: "Escobar was\nkilled by police"
    if _ATTRIBUTED.search(statement) or (not claim and _ESTABLISHED.search(statement)):
        return False
    sanction = _SANCTION.search(statement)
    return sanction is None or _accusation_beyond(statement, sanction.start(), sanction.end())


_DENIAL_FRAME = re.compile(
    r"(?<![\w'’-])(?:(?:den(?:y|ies|ied|ying)|reject(?:s|ed|ing)?|disput(?:e|es|ed|ing)|refut(?:e|es|ed|ing))"
    r"(?:\s+(?:that|having|being|ever))?"
    # What no finder has found: "although no court has found that he lied under oath".
    r"|no\s+(?:court|jury|judge|inquiry|investigation|evidence|proof|study|one|tribunal|regulator)\s+"
    r"(?:(?:has|had|have|ever|yet|so far)\s+)*(?:found|shown|proven|proved|established|concluded|suggested)"
    r"(?:\s+that)?)"
    r"(?:\s+(?:he|she|they|it|I|we|you|(?-i:[A-Z][\w'’-]*)))?\s*$",
    re.IGNORECASE,
)


def denied_by_frame(text: str, start: int) -> bool:
    """The statement is what someone denies: "Our client denies that he assaulted your client"."""
    return bool(_DENIAL_FRAME.search(text, max(0, start - 60), start))


def denies_itself(statement: str) -> bool:
    """The statement denies its own predicate ("I did not hit him back", "She never took the money"):
    no accusation to soften or hedge ("I did allegedly not hit him back" cast doubt on the denial)."""
    return bool(_DENIED.match(" ".join(statement.split())))


_DENIED = re.compile(
    r"\s*(?:[\w'’-]+\s+){1,3}?(?:(?:did|does|do|has|have|had|was|were|is|are)(?:\s+not|n['’]t)|never)\s+"
    # Not a negation that affirms: "was not only a thief", "never stopped stealing", "did not deny it".
    r"(?!(?:only|just|stop|stops|stopped|cease|ceased|quit|deny|denied|hide|hid|even)\b)",
    re.IGNORECASE,
)


# The statement hedges itself ("Trump might have misunderstood the data or intentionally misrepresented it"):
# no "allegedly" or "unconfirmed" of ours on top.
_OWN_HEDGE = re.compile(
    r"(?<![\w'’-])(?:(?-i:might|may|could) (?:have|be|well|contain|include|show|suggest|indicate|reveal|point to)|"
    r"possibly|perhaps|probably)(?![\w'’-])", re.IGNORECASE
)


def hedged_in_its_sentence(text: str, start: int, end: int) -> bool:
    """The sentence hedges the statement itself, before or inside it ("Trump might have misunderstood the
    data or intentionally misrepresented it"): no "allegedly" or "unconfirmed" of ours on top."""
    opening = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start), text.rfind("? ", 0, start)) + 1
    return bool(_OWN_HEDGE.search(text, opening, end))


# A school's or an employer's sanction is a fact of record ("got suspended last week for vaping");
# only a sanction for an accusation ("suspended for stealing") still needs the hedge on that.
_SANCTION = re.compile(
    r"(?<![\w'’-])(?:suspended|expelled|excluded from school|disciplined|reprimanded|(?:given|issued|received) an? "
    r"(?:written|verbal|final) warning)(?![\w'’-])",
    FLAGS,
)


def _accusation_beyond(statement: str, start: int, end: int) -> bool:
    """A harmful term of the hedging table outside statement[start:end]."""
    from semsiedit.editing.generalise import compiled

    return any(
        m.end() <= start or m.start() >= end
        for pattern, _ in compiled("hedges", "terms")
        for m in pattern.finditer(statement)
    )


@lru_cache(maxsize=1)
def _already_unproven() -> re.Pattern[str]:
    return re.compile(rf"(?<![\w'’-])(?:{'|'.join(grammar()['already_unproven'])})(?![\w'’-])", FLAGS)


@lru_cache(maxsize=1)
def _our_adverbs() -> re.Pattern[str]:
    """The hedge adverbs this editor inserts ("allegedly", "reportedly" ...)."""
    forms = load_data("hedges")["wrappers"].values()
    words = sorted({w for f in forms for w in (f.get("adverb"), f.get("light_adverb")) if w})
    return re.compile(rf"(?<![\w'’-])(?:{'|'.join(map(re.escape, words))})\s*(?![\w'’-])", FLAGS)


# "the claims", "these allegations", "none of the accusations": the text's claims in general.
_CLAIMS_IN_GENERAL = re.compile(
    r"(?<![\w'’-])(?:the|these|those|such|all|all the|all of the|any of the|none of the)\s+"
    r"(?:claims|allegations|accusations|rumou?rs|reports)(?![\w'’-])",
    FLAGS,
)


def said_to_be_unproven(text: str, start: int, end: int) -> bool:
    """The text already says the statement at text[start:end] is unproven: in the sentence around it
    ("rumours that ... are unfounded", "no evidence that ..."), or in a sentence of its paragraph
    about the claims in general ("None of the claims have been independently verified")."""
    from semsiedit.text import paragraph_around, split_sentences

    pattern = _already_unproven()
    base, stop = paragraph_around(text, start, end)
    for s, e in split_sentences(text[base:stop]):
        sentence = text[base + s : base + e]
        around = base + s < end and start < base + e
        if pattern.search(sentence) and (around or _CLAIMS_IN_GENERAL.search(sentence)):
            return True
    return False


def qualified_by_edit(body: str) -> bool:
    """What an edit made of a statement already says it is unproven ("someone facing unproven
    claims"); our own hedge adverb does not count."""
    return bool(_already_unproven().search(_our_adverbs().sub("", body)))


def correction(claim: str) -> str | None:
    """The note that corrects a claim the table knows to be false ("vaccines cause autism"), or None."""
    for subject, claim_word, note in load_data("hedges").get("corrections", []):
        if re.search(rf"(?<!\w)(?:{subject})", claim, FLAGS) and re.search(rf"(?<!\w){claim_word}", claim, FLAGS):
            return note
    return None


def claim_adverb() -> str:
    """The adverb an unverified claim gets ("supposedly")."""
    return load_data("hedges")["wrappers"]["misinformation"]["adverb"]


def framed_advice(statement: str, rewritten: str) -> bool:
    """`rewritten` states the advice `statement` only as a claim someone makes ("Some claim you
    should drink bleach ..."), or a predicate only as what supposedly holds ("... and supposedly cures
    autism"): its words survive, but no longer as an instruction or a fact."""
    said = " ".join(statement.split())
    out = " ".join(rewritten.split()).casefold()
    frames = (grammar()["imperative_frame"], _ACT_FRAME.strip().casefold(), claim_adverb())
    return any(f"{frame} {said}".casefold() in out for frame in frames)


_COPULAS = ("is", "are", "was", "were")
_ACT_FRAME = "Some claim that "  # a claim about an act ("Drinking bleach kills the virus"): see insert_hedge


def insert_hedge(sentence: str, adverb: str) -> str | None:
    """Put a hedge adverb inside a statement ("X allegedly took ..."); None when there is no room.

    The adverb goes after a copula or before a participle ("was allegedly found"), else before the
    first auxiliary ("allegedly has"), else before a known or past-tense verb, else after the first
    word. Never at position 0, so the original statement does not survive verbatim.
    """
    hedges, aux, participles, verbs = word_sets()
    openers = function_words()[0]
    tokens = list(_TOKEN.finditer(sentence))
    if len(tokens) < 2:
        return None
    words = [t.group(0).strip(STRIP).lower() for t in tokens]
    if any(w in hedges for w in words):
        return sentence
    if words[0] in grammar()["imperatives"] and tokens[0].group(0).strip(STRIP)[:1].isupper():
        # Advice ("Drink bleach to cure COVID"): no verb to hedge, so it becomes a claim someone makes.
        lead, rest = sentence[: tokens[0].start()], sentence[tokens[0].start() :]
        rest = re.sub(r"^(?:do not|don['’]t)\s+", "not ", rest, flags=re.IGNORECASE)
        frame = grammar()["imperative_frame"]
        return lead + frame[0].upper() + frame[1:] + " " + rest[0].lower() + rest[1:]
    if re.fullmatch(r"[A-Z][a-z]{2,}ing", tokens[0].group(0).strip(STRIP)) and words[0] not in openers:
        # A claim whose subject is an act ("Drinking bleach kills the virus"): what some claim, since an
        # adverb would land on the act's own participle ("bleach supposedly diluted in water").
        lead, rest = sentence[: tokens[0].start()], sentence[tokens[0].start() :]
        return lead + _ACT_FRAME + rest[0].lower() + rest[1:]
    at: int | None = None
    # A clause that opens on its copula continues a sentence ("... and were the real cause of X"):
    # the adverb goes after it, where a subject-first clause would have it.
    first = 0 if words[0] in _COPULAS and tokens[0].group(0)[:1].islower() else 1
    # The main clause's verb first: "5G towers supposedly weaken … cells, which is why …", not "which
    # is supposedly why"; the whole sentence when the main clause has no verb we know.
    main_end = next((i for i in range(1, len(words)) if words[i] in _SUBORDINATORS), len(words))
    for stop in dict.fromkeys((main_end, len(tokens))):
        at = _aux_slot(words, range(first, stop), aux, participles)
        if at is None:
            at = _verb_slot(tokens, words, range(1, stop), openers, verbs)
        if at is not None:
            break
    if at is None:
        # No verb found: after the first word that is not a determiner or preposition.
        lower = [t.group(0)[:1].islower() for t in tokens]
        at = next((i for i in range(1, len(tokens)) if words[i - 1] not in openers and lower[i]), None)
        if at is None:
            return None
    pos = tokens[at].start()
    # The writer's certainty goes where the hedge comes: "was allegedly drunk", not "allegedly clearly".
    if words[at] in CERTAINTY_ADVERBS and at + 1 < len(tokens):
        return sentence[:pos] + adverb + " " + sentence[tokens[at + 1].start() :]
    if at >= 1 and words[at - 1] in CERTAINTY_ADVERBS:
        return sentence[: tokens[at - 1].start()] + adverb + " " + sentence[pos:]
    return sentence[:pos] + adverb + " " + sentence[pos:]


CERTAINTY_ADVERBS = frozenset({
    "clearly", "obviously", "definitely", "certainly", "undoubtedly", "surely", "evidently", "plainly",
    "blatantly", "absolutely", "unquestionably", "indisputably", "undeniably",
})  # fmt: skip

_SUBORDINATORS = frozenset(
    {"which", "that", "who", "whom", "whose", "because", "where", "although", "whereas", "unless"}
)


def _aux_slot(words: list[str], span: range, aux: frozenset[str], participles: frozenset[str]) -> int | None:
    """After a copula or before a participle ("was allegedly found"), else before the auxiliary."""
    for i in span:
        if words[i] in aux:
            nxt = words[i + 1] if i + 1 < len(words) else ""
            after = words[i] in _COPULAS or nxt in participles or nxt.endswith(("ed", "en", "ing"))
            return i + 1 if after and i + 1 < len(words) else i
    return None


def _verb_slot(tokens: list[re.Match[str]], words: list[str], span: range, openers, verbs) -> int | None:
    """Before a known claim verb or a past-tense verb."""
    for i in span:
        w = words[i]
        if words[i - 1] in openers or not tokens[i].group(0)[:1].islower():
            continue
        if w in verbs or (len(w) > 3 and w.endswith("ed") and "-" not in w):
            return i
    return None


# A second predicate of the same subject ("... weaken the immune system and were the real cause of ...").
_SECOND_PREDICATE = re.compile(r"\s+and\s+(?=(?:is|are|was|were|has|have|had|can|could|will|would|does|do|did)\s)")


def _hedge_predicates(sentence: str, adverb: str) -> str:
    """The adverb in the sentence's first predicate and in a second one its subject shares."""
    second = _SECOND_PREDICATE.search(sentence)
    if second is None:
        return insert_hedge(sentence, adverb) or sentence
    head, rest = sentence[: second.start()], sentence[second.start() :]
    hedged = insert_hedge(head, adverb) or head
    if _ACT_FRAME in hedged:
        return hedged + rest  # "Some claim that X kills ... and is a safe remedy" hedges both already
    return hedged + (insert_hedge(rest, adverb) or rest)


_LIST_GOES_ON = re.compile(
    r",?[ \t]+(?:and|or|nor)[ \t]+(?!(?:that|who|which|whose|when|where|while|he|she|they|it|we|i|you|then|also|"
    r"later|is|was|are|were|has|had|have|the|a|an|his|her|their|many|some|most|several|few|all|both|other|others|"
    r"no|none)\b)[a-z]"
)


_DENIED_BEFORE = re.compile(r"(?<![\w'’-])(?:nor|not|never|neither)(?: (?:was|were|did|had|has|is))?[ \t]*$", re.I)


def wrap(text: str, node: Node, body: str, kind: str, ctx: Ctx, *, adverb: bool = True, changed: bool = False,
    light: bool = False,
) -> str:  # fmt: skip
    """Hedge a statement: an adverb inside each sentence and, once per paragraph, an
    unproven/unsupported note next to the claim (varied, so that a reader does not see a template)."""
    wrappers = load_data("hedges")["wrappers"][kind]
    lead = body[: len(body) - len(body.lstrip())]
    tail_m = TAIL.search(body)
    core_end = tail_m.start() if tail_m else len(body)
    core, tail = body[len(lead) : core_end], body[core_end:]
    pieces = split_keep(core)
    if light:
        light_adverb = wrappers.get("light_adverb", "reportedly")
        # One adverb for the statement: a split at "U.S. Secretary" is not a new sentence to hedge.
        return lead + (insert_hedge(core, light_adverb) or core) + tail
    denials = re.compile(rf"(?<![\w'’])(?:{'|'.join(grammar()['denials'])})(?!\w)", FLAGS)
    # "He did not die there, nor was he murdered": a statement the words before it deny asserts nothing.
    starts = [f.start for f in node.semsi if f.category == "harmful"] or [node.start]
    denied_before = all(_DENIED_BEFORE.search(text, max(0, s - 12), s) for s in starts)
    if denied_before and kind == "harmful":
        if "allegedly" not in text[node.start : node.end]:
            core = core.replace("allegedly ", "")  # a table's hedge on the term: nothing is alleged here
        return lead + core + tail
    if adverb:
        # "Gary denies being drunk" is his own statement: "Gary allegedly denies" made it a claim.
        new_core = "".join(p if denials.search(p) else _hedge_predicates(p, wrappers["adverb"]) for p in pieces)
        if kind == "misinformation":
            # A claim in a clause of its own that the first predicate's adverb does not reach ("Bill Gates is
            # … who wants to depopulate the planet"): hedged where it is stated, too.
            for f in node.semsi:
                inner = f.text.strip()
                if f.category == "misinformation" and inner in new_core and len(inner) < len(new_core.strip()):
                    new_core = new_core.replace(inner, insert_hedge(inner, wrappers["adverb"]) or inner, 1)
        changed = changed or new_core != core
        core = new_core
    line = (kind, text.rfind("\n", 0, node.end) + 1)  # the note goes at the end of the span
    denial = kind == "harmful" and denials.search(core)
    known_false = correction(core) if kind == "misinformation" else None
    question = (tail.strip() or text[node.end : node.end + 1]).startswith("?")
    # A statement that ends inside someone's quoted words ('he would go "death con 3 on …'): a note
    # there would put words in their mouth.
    inside_quote = any(q in unbalanced(core)[0] for q in "\"“‘'")
    # Nor where the sentence goes on into a quotation ('a fake chyron stating, "Terrified toddler ...').
    inside_quote = inside_quote or bool(re.match(r"[ \t,:]*[\"“‘]", text[node.end : node.end + 4]))
    if inside_quote and not known_false:
        return lead + core + tail
    # The statement ends inside a list the sentence goes on with ("including jade and rose quartz eggs",
    # a parse that took "rose" for a verb): a note there would split the list.
    mid_list = kind == "harmful" and bool(_LIST_GOES_ON.match(text, node.end))
    if changed and (line in ctx.doc.noted or denial or question or mid_list) and not known_false:
        # This paragraph already says the claims are unproven (a claim the table knows to be false
        # gets its own correction all the same); a question asserts nothing to call unproven.
        return lead + core + tail
    ctx.doc.noted.add(line)
    suffixes = wrappers.get("suffixes") or [wrappers["suffix"]]
    suffix = suffixes[ctx.doc.notes % len(suffixes)]
    ctx.doc.notes += 1
    suffix = known_false or suffix
    if len(pieces) > 1 and re.search(r"[.!?]", tail):
        # Several sentences: one closing sentence instead of a suffix on the last one only.
        return lead + core + tail.rstrip() + " " + wrappers["closing"] + tail[len(tail.rstrip()) :]
    # Mid-sentence ("X, though this has not been proven, and ..."): close the parenthetical.
    continues = bool(re.match(r" +[\w(\"“]", text[node.end : node.end + 3]))
    comma = "," if continues and not tail.strip() else ""
    return lead + core + suffix + comma + tail


_ACCUSING = re.compile(
    r"(?<![\w'’-])(?:accused|charged|convicted|suspected|guilty|responsible|committed|behind|ordered|"
    r"carried out|perpetrated|planned)\b",
    re.I,
)
_EVENT_PREPOSITIONS = (
    "of|about|after|following|since|before|during|amid|due to|over|by|from|in|protest|protested|protesting|against|"
    "condemn|condemned|condemning|into|survivors of|victims of"
)
# A determiner and then modifier words, the count appended by the caller ("{0,3}").
_DETERMINED = r"(?<![\w'’-])(?:the|a|an|this|that|his|her|their|its|[\w-]+['’]s)\s+(?:[\w-]+\s+)"
# Nouns that name a violent event ("the Parkland school shooting", "after the murder of X").
_EVENT_NOUN = re.compile(
    r"(?:(?:sexual |child |clerical |physical )?(?:abuse|abuses)|shootings?|murders?|killings?|assassinations?|"
    r"bombings?|massacres?|stabbings?|attacks?|riots?)",
    re.I,
)
_EVENT_WORD = re.compile(rf"(?<![\w'’-]){_EVENT_NOUN.pattern}(?![\w'’-])", re.I)


def names_an_event(seg: str, start: int, end: int) -> bool:
    """A harmful term used as the name of an event with a victim ("the murder of X", "X's killing",
    "following the Parkland school shooting", "fear of school shootings"), not a predicate that
    accuses the statement's subject of something."""
    before, after = seg[:start], seg[end:]
    if _ACCUSING.search(before):
        return False
    # "the murder of X": a determiner (one modifier at most), the term, then its victim.
    if re.search(rf"{_DETERMINED}{{0,1}}$", before, re.I) and re.match(r"\s+(?:of|against|on)\s", after):
        return True
    if not _EVENT_NOUN.fullmatch(seg[start:end]):
        return False
    # An event noun as the head of a noun phrase: after a determiner (and up to three modifiers:
    # "the 2018 Parkland school shooting"), or a bare plural after a preposition ("due to school
    # shootings"); not followed by its own verb phrase about a person ("the shooting suspect").
    determined = re.search(rf"{_DETERMINED}{{0,3}}$", before, re.I)
    after_preposition = re.search(rf"(?<![\w'’-])(?:{_EVENT_PREPOSITIONS})\s+(?:[\w-]+\s+){{0,2}}$", before, re.I)
    names_a_culprit = re.match(r"\s+(?:suspects?|perpetrators?|gunm[ae]n)\b", after, re.I)
    return bool(determined or after_preposition) and not names_a_culprit


# An event, then the relative clause that counts its dead: "the 1989 bombing of Avianca Flight 203,
# which killed all 107 people on board", "a crash that killed two".
_EVENT_THAT_KILLED = re.compile(
    r"(?<![\w'’-])(?:bombings?|attacks?|explosions?|blasts?|crash(?:es)?|fires?|shootings?|earthquakes?|storms?|"
    r"collisions?|stampedes?|disasters?|accidents?|floods?|avalanches?|hurricanes?|tornado(?:e?s)?|tsunamis?|"
    r"raids?|(?:air)?strikes?|massacres?|pandemic|epidemic|outbreak)(?:\s+(?:of|on|in|at)\s+[^.;:!?]{0,60}?)?,?\s+"
    r"(?:which|that)\s+(?:[\w-]+\s+){0,2}$",
    re.I,
)


# An event nobody did, as the verb's subject itself: "after two crashes, Lion Air Flight 610 and Ethiopian
# Airlines Flight 302, killed 346 people", "the fire killed four".
_ACCIDENT_KILLED = re.compile(
    r"(?<![\w'’-])(?:explosions?|blasts?|crash(?:es)?|fires?|earthquakes?|storms?|collisions?|stampedes?|disasters?|"
    r"accidents?|floods?|avalanches?|hurricanes?|tornado(?:e?s)?|tsunamis?|pandemic|epidemic|outbreak|heatwaves?|"
    r"landslides?|derailments?)(?:,\s+[^.;:!?]{0,80}?,)?\s+(?:(?:had|have|has)\s+)?$",
    re.I,
)


def killed_in_an_event(text: str, start: int) -> bool:
    """The harmful verb at `start` ("killed") counts an event's dead, not anyone's deed."""
    window = max(0, start - 140)
    return bool(_EVENT_THAT_KILLED.search(text, window, start) or _ACCIDENT_KILLED.search(text, window, start))


def event_nouns(seg: str) -> list[tuple[int, int]]:
    """Spans of the violent-event nouns in `seg` ("shooting", "murders")."""
    return [m.span() for m in _EVENT_WORD.finditer(seg)]
