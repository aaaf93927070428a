"""Protection profiles: what counts as sensitive in one document (issue 11, docs/profiles.md).

- `record`: notes, e-mails, tickets, posts, letters, biographies about private people. Every HIPAA
  Safe Harbor identifier is removed or generalised (names, street/city/ZIP, every date element but
  the year, ages over 89, numbers, URLs, IPs); countries and states/provinces are kept; sensitive
  attributes are generalised.
- `public`: LLM answers, news, encyclopaedic text about public figures. Public people, countries,
  places, organisations and dates are kept; the sensitive *statements* are rewritten, except
  privacy statements flagged only by a weak cue (severity 1: a relative, a death, a resignation).
  Contact details and account numbers are still removed: nobody's phone number is public knowledge.
- `auto`: chosen per document from its content and, when given, the question (`choose_profile`).

The profile is applied to the findings between critique and edit (`apply_profile`), so every
editor and the scorer see the same notion of "sensitive"; the chosen profile and its reason go into
the document's report, and into the LLM prompts with the optional --protect / --preserve goals.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from semsiedit.language import ENGLISH, document_language
from semsiedit.places import known_place
from semsiedit.types import Finding

if TYPE_CHECKING:
    from semsiedit.config import Settings

ProfileName = Literal["record", "public"]
PROFILES = ("auto", "record", "public")

# Kept under `public`: names of public people, places, organisations, groups and dates (birth dates
# included: a public figure's is public record; a public account's handle, like its website). Everything
# else a PII detector finds (contact details, account and document numbers) is removed either way.
_PUBLIC_KEEPS = frozenset(
    {"PERSON", "LOCATION", "ORGANIZATION", "NRP", "DATE_TIME", "DATE_OF_BIRTH", "URL", "TITLE", "USERNAME"}
)

# Acronyms a NER model mistakes for places (school subjects: "in PE").
_NOT_PLACES = frozenset({
    "AI", "ML", "LLM", "NLP", "IT", "HR", "PR", "TV", "PC", "UI", "UX", "API", "CEO", "CFO", "CTO", "FAQ", "PDF", "GPS",
    "DNA", "RNA", "ID", "OK", "AGI", "GPT", "SQL", "URL", "VPN", "USB", "ICU", "ER", "GP", "PE", "PT", "RE", "ICT",
    "PSHE", "DT", "CV", "CVS",
})  # fmt: skip
# Signs of a record about a private person (each one counts once).
# Each pattern opens with a look-ahead for the characters a cue can start with: it changes no match,
# and the engine then skips the other positions before trying a hundred alternatives there (2x faster).
_RECORD_CUES = re.compile(
    r"(?=[a-z(])(?:^(?:dear|hi|hello|hey)\b|\b(?:regards|sincerely|best wishes|cheers|thanks),?\s*$"
    r"|^(?:from|to|subject|re|cc|date|patient|name|dob|mrn|address|phone|ticket|case|order|account|candidate|"
    r"applicant|employee|interview notes?|pupil|student|member|client|resident|tenant|attendees|apologies|present|"
    r"absent|agenda|aob|actions?|minutes|chair|caseworker|logged by|reported by|posted by|policyholder|"
    r"meeting date|diagnosis|presenting complaint|impression|plan|hx|pt|witness|assignee|reporter)\s*[:#]"
    r"|\b(?:my|our) (?:husband|wife|son|daughter|mother|father|mum|mom|dad|boss|doctor|landlord|neighbou?r|"
    r"partner|sister|brother|manager|account|order|subscription|therapist|nan|nana|gran|granny|grandma|grandmother|"
    r"grandad|grandpa|grandfather|aunt|auntie|uncle|cousin|niece|nephew|girlfriend|boyfriend|fianc[ée]e?|kids?|"
    r"flatmate|housemate|colleague|ex)\b"
    r"|\b(?:patient|employee|employer|guarantor|tenant|client|customer|applicant|claimant)\b"
    # The writer's own voice, not an assistant's ("I'm unable to verify", "I have not seen any reports").
    r"|\bI(?:'m| am| was| have|'ve)\b(?! (?:not |also |simply )?(?:unable|able to|sorry|afraid|aware|an ai|"
    r"an artificial|a language model|happy to|here to|familiar|privy|in a position|no (?:information|knowledge|"
    r"access|record|personal|way)|(?:not |never )(?:seen|found|come across|heard|been able)))"
    r"|\bcase ?notes?\b|\b(?:defendant|appellant|complainant)['’]?s?\b"
    # A clinical history and a death notice: "a 6-month history of low mood", "Clinical history: 45-year-old".
    r"|(?<=\d-)(?:day|week|month|year) history of\b|^(?:clinical history|history|indication|reason for referral)\s*:"
    r"|\bdonations,? if desired\b|\bpassed away peacefully\b"
    # A session or case note: "session 6 (Luca, 16)", "Next session 21 Jan", "Denies self-harm".
    r"|\bsession \d+\b|\bnext (?:session|appointment|review|visit|home visit)\b|\bdenies (?:self-harm|suicidal|any)\b"
    r"|\([A-Z][a-z]+, \d{1,2}\)"
    # Hiring and staffing: "Candidate shortlist for the data engineer role", "he's on sick leave".
    r"|\b(?:shortlist(?:ed)?|take-home (?:test|task)|job offer|hiring manager|notice period|right to work|"
    r"visa sponsorship|sick leave|annual leave|on-call rota|shift lead|(?:cover|covering) (?:for|his|her) shifts?)\b)",
    re.IGNORECASE | re.MULTILINE,
)
# A clinical note's shorthand, which no leaflet or answer uses ("Pt", "hx", "34F", "c/o", "HPI", "prn").
_CLINICAL_SHORTHAND = re.compile(
    r"(?<![\w/])(?:(?-i:Pt|\d{1,3} ?(?:yo|y/o|[MF]))|hx|dx|h/o|s/p|c/o|w/|hpi|pmh|y/o|bid|tid|qid|qhs|prn|nkda|mrn|"
    r"chief complaint|history of present illness|assessment and plan|discharge summary|ward round|"
    r"handover notes?|nhs (?:no\.?|number))(?![\w/])",
    re.IGNORECASE,
)
# Signs of text about public figures: a question-answering model's voice, offices and roles,
# encyclopaedic and historical phrasing.
_PUBLIC_CUES = re.compile(
    r"(?=[a-z0-9])(?:\bas an? (?:ai|language model)\b|"
    # An assistant's refusal or hedge, not a person writing about themselves.
    r"\bi(?:'m| am) sorry,? but i (?:can(?:'|no)?t|am unable|don't)|\bi(?: cannot| can't| am unable to|'m unable to|"
    r" am not able to|'m not able to| could not| couldn't| was unable to| do not| don't) "
    r"(?:provide|share|verify|confirm|speculate|comment|make (?:claims|assumptions|judg(?:e)?ments|definitive)|"
    r"determine|say for (?:certain|sure)|predict|access|browse|give (?:a )?(?:definitive|specific)|"
    r"find any (?:credible|reliable|verified|evidence|information|reports?|records?))|"
    r"\bi (?:don't|do not) have (?:access to |any )?(?:personal|real-time|specific|current|up-to-date|reliable|"
    r"the latest )?(?:information|data|details)|\bi(?:'m| am) not aware of|\bi have (?:not|never) (?:seen|found|"
    r"come across|heard of) any|\bi have no (?:information|knowledge|evidence)|as of my (?:last|knowledge|latest)|"
    r"knowledge cut-?off|my training data|"
    # An answer that weighs claims: "It's important to note", "there is no credible evidence".
    r"it(?:'s| is) (?:important|worth|crucial|essential) (?:to )?(?:note|noting|remember|mention|mentioning|"
    r"consider|emphasi[sz]e|point out)|there (?:is|are|was|were) no (?:definitive|clear|simple|single|credible|"
    r"concrete|direct|verified|verifiable|publicly available|documented|reliable)\b|(?:credible|reliable|reputable|"
    r"verified|verifiable|official|mainstream) (?:sources?|reports?|outlets?|news|evidence|media)|"
    r"(?:several|various|multiple|a (?:number|variety|combination) of) (?:possible |key |potential |underlying |"
    r"contributing )?(?:reasons|factors|explanations|theories|possibilities)|misinformation|disinformation|"
    r"fact-check\w*|unsubstantiated|(?:this|the|that) (?:statement|claim|assertion|rumou?r) is (?:incorrect|false|"
    r"inaccurate|misleading|untrue|not true|true|accurate|partially)|it(?:'s| is) (?:inaccurate|incorrect|false|"
    r"untrue|unlikely|misleading|not accurate|not true|not correct) (?:to say|to claim|to suggest|that)|"
    r"here(?:'s| is) why|here are (?:a few|some|several|the) (?:key |main |possible )?(?:reasons|factors|points)|"
    r"comedian|comedy special|sitcom|(?:tv|television) series|"
    # An assistant correcting a question: "I apologize, but there seems to be an error in your question".
    r"i apologi[sz]e,? but|(?:error|confusion|misunderstanding|mistake) in (?:your|the) (?:statement|question|"
    r"query|premise)|as far as i know|without (?:a |more )?specific context|you may be thinking of|"
    r"it(?:'s| is) difficult to (?:provide|say|determine|know|confirm|verify|pinpoint)|also known as|"
    r"(?:u\.s\.|us) (?:representative|secretary|senator|attorney)|secretary of (?:state|defense|housing|the)|"
    r"(?:nhl|nfl|nba|mlb|fifa|uefa)\b|"
    # News about public people: "a federal jury", "in a 2021 interview with Oprah Winfrey", "the Watergate scandal".
    r"(?:federal|grand|state) jury|interview with (?-i:[A-Z])|"
    r"in an? (?:\d{4} |televised |tv |radio |recent )?interview|"
    r"activist|influencer|scandal|hush-money|protests|"
    r"\bi can tell you that|studies (?:have|show|involving|found)|retracted|peer-reviewed|"
    r"struck off|\b(?:president|senator|governor|congress(?:man|woman)?|prime minister|"
    r"minister|secretary of state|mayor|actor|actress|singer|rapper|celebrity|ceo|founder|co-?founded|co-?founders?|"
    r"billionaire|(?:co-?)?founded (?-i:[A-Z])[\w&.'’-]*(?: [\w&.'’-]+){0,3} in (?:1[89]|20)\d\d|"
    r"(?:presidential|mayoral|senate|congressional|parliamentary|party|democratic|republican|labour|conservative|"
    r"independent|leadership) candidates?|candidates? for (?:president|office|mayor|governor|the senate|congress|"
    r"parliament|prime minister)|(?:political|opposition|ruling|governing|the) party|"
    r"party (?:leader|members?|conference|politics|officials|leadership)|"
    r"administration|government|campaign|election|wikipedia|according to|reportedly|"
    r"journalist|newspaper|publicly|celebrities|public figures?|prosecutors?|investors|shareholders|"
    # A former office, not "her former partner": "former President Obama", "Former mayor Ray Nagin".
    r"former (?:(?-i:[A-Z])\w*|(?:vice )?president|senator|governor|mayor|congress\w*|(?:prime )?minister|secretary|"
    r"chancellor|ceo|chief executive|chair\w*|director|leader|member of|star|player|champion|editor|ambassador|"
    r"judge|attorney general|first lady|head of|speaker|presidential|white house|fbi|cia|(?:us|u\.s\.) )|"
    r"foundation|conspiracy theor(?:y|ies)|social media|no evidence|fans|album|film|box office|historians?|"
    r"scientists|researchers|scholars|consensus|century|centuries|pandemic|treaty|empire|dynasty|tabloids?|"
    r"paparazzi|world tour|concerts?|grammys?|oscars?|olympics?|press conference|told reporters|documentary|"
    r"hollywood|bloggers|talk show|spoken openly|openly discussed|memoir|autobiography|rock band|band members?|"
    r"guitarist|drummer|novelist|poet|composer|footballer|knighted|knighthood|nobel|laureate|premier league|"
    r"world cup|met office|forecasters?|cyclist|athletes?|champions?|championships?|medals?|medallists?|"
    r"tour de france|grand slam|doping|worldwide|best-?selling|chart-topping|records sold|million records|"
    r"million albums|million copies|chancellor|parliament|parliamentary|monarch|(?:prince|princess|duke|duchess) of|"
    r"royal family|dictator|regime|ambassador|diplomats?|head of state|served as|re-elected|supporters|critics|"
    r"well-known|famous|renowned|iconic|billion|tallest|largest|oldest|world's|landmark|monument|tourists|"
    r"(?:was|were) (?:built|completed|founded|designed|constructed|invented|discovered) (?:in|by)|"
    r"ballon d'or|trophy|trophies|league titles?|football club|(?-i:FC)|defamation|fact-checkers?|debunked|"
    r"tweet(?:ed|s)?|on twitter|(?:1[5-9]|20)\d0s|opponents|false claims|"
    # An encyclopaedia's birth sentence: "was born in Honolulu, Hawaii, in 1961" (a record gives a date of birth).
    r"(?:was|were) born in (?-i:[A-Z])[\w'’.-]*(?:,? (?-i:[A-Z])[\w'’.-]*){0,3},? in (?:1[5-9]|20)\d\d|"
    # Published work and history: a review ("the new novel from ...", "Four stars"), space exploration.
    r"novels?|novelists?|the narrator|the reader|paperback|hardback|(?:one|two|three|four|five) stars|"
    r"astronauts?|cosmonauts?|(?-i:NASA)|lunar|space (?:station|race|programme|program|mission)|"
    r"first (?:people|person|man|woman|men|women) to|"
    r"(?:first|second) world war|world war (?:i|ii|one|two|1|2)|battle of|armistice|archduke|trench warfare|"
    r"assassination of|the (?:british|french|german|russian|red|union|confederate|soviet|roman) army|"
    r"(?:television|tv|radio) (?:presenter|host|personality)|broadcaster|\bdj|hosted (?:the )?(?-i:[A-Z])|"
    # A myth and its debunking: "The idea that lemon water cures cancer is false", "no clinical trial has shown".
    r"the (?:idea|claim|notion|belief|myth|rumou?r) that|"
    r"no (?:clinical |scientific |randomi[sz]ed |controlled |large )*(?:trials?|studies|study|research) "
    r"(?:has|have|had) (?:ever )?(?:shown|found|proven|proved|demonstrated)|"
    # A public career and its press: "stepped back from acting", "his publicist confirmed".
    r"(?:stepped back|stepped away|retired|withdrew|took a break) from (?:acting|music|performing|the stage|"
    r"public life|professional (?:football|tennis|cycling|golf|boxing))|acting career|"
    r"in a (?:public |joint )?statement|"
    r"(?:spokesperson|spokesman|spokeswoman|publicist|representatives?) (?:said|confirmed|announced)|"
    # A weather forecast names places nobody lives at: "gusts of up to 60mph", "a yellow warning for ice".
    r"gusts of|(?:yellow|amber|red) warning for|weather warning|"
    r"temperatures (?:as low as|as high as|of up to|will|could|reaching))\b)",
    re.IGNORECASE,
)
# An answer that opens by restating its question ("Why did X resign? ..."): what an LLM answer or an
# FAQ looks like, rarely a note or a letter. It counts as much as a question given as context.
_OPENING_QUESTION = re.compile(
    r"\A\s*(?:(?:Q|Question)\s*[:.]\s*)?(?:why|how|what|when|where|who|which|is|are|was|were|did|does|do|has|have|had|can|could|will|would|"
    r"should)\b[^?\n]{3,200}\?(?=\s|\Z)",
    re.IGNORECASE,
)
# A question put to readers or about oneself ("Does anyone know this guy?", "AITA for ...?", "Has my
# landlord ...?") opens a post, not an LLM answer.
_FORUM_QUESTION = re.compile(
    r"\b(?:anyone|anybody|someone|somebody|you guys|y'all|this (?:guy|man|woman|girl|bloke|lad|person)|AITA|WIBTA|"
    r"I|I'm|I've|me|my|we|our)\b",
    re.IGNORECASE,
)
# Words that point at a person: a text with none of them, no name and no cue either way is about no
# one ("5G networks do not cause COVID-19 ... deployed in Wuhan"), so its places stay.
_PERSON_WORDS = re.compile(
    r"\b(?:[Hh]e|[Ss]he|him|[Hh]er|[Hh]is|hers|I|me|[Mm]y|mine|[Ww]e|us|[Oo]ur|[Tt]hey|them|[Tt]heir)\b"
)
# A politician's party is public: "Senator Mark Hollis, a Republican from Ohio" keeps "Republican".
_POLITICAL_OFFICE = re.compile(
    r"\b(?:Senator|Sen\.|Governor|Gov\.|President|Vice President|Congress(?:man|woman)|Rep\.|Representative|MP|MEP|"
    r"Mayor|Prime Minister|Minister|Chancellor|Speaker|councill?or|lawmaker|legislator|politician|candidate)\b"
)
_RECORD_PII = frozenset({
    "EMAIL_ADDRESS", "PHONE_NUMBER", "US_SSN", "STREET_ADDRESS", "ADDRESS", "DATE_OF_BIRTH", "MEDICAL_RECORD_NUMBER",
    "ID", "CREDIT_CARD", "IBAN_CODE", "US_BANK_NUMBER", "ZIP_CODE", "POSTCODE", "UK_NHS", "US_DRIVER_LICENSE",
    "USERNAME", "VEHICLE_PLATE",
})  # fmt: skip


@dataclass(frozen=True)
class Profile:
    """The protection profile of one document, why it was chosen, and the user's privacy goal."""

    name: ProfileName
    reason: str
    protect: str = ""
    preserve: str = ""
    language: str = "en"  # semsiedit/language.py: another language gets identifiers and names only

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "reason": self.reason, "protect": self.protect, "preserve": self.preserve,
                "language": self.language}  # fmt: skip

    def prompt_block(self) -> str:
        """The lines the LLM critic and editor get (and so the LLM cache key)."""
        lines = [f"Protection profile: {self.name}. {_DESCRIPTIONS[self.name]}"]
        if self.protect.strip():
            lines.append(f"Also protect: {' '.join(self.protect.split())}")
        if self.preserve.strip():
            lines.append(f"Keep intact: {' '.join(self.preserve.split())}")
        return "<profile>\n" + "\n".join(lines) + "\n</profile>\n\n"


_DESCRIPTIONS = {
    "record": (
        "A record about private people: remove or generalise every identifier (names, including a first "
        "name or surname alone; street, city, county, ZIP or postcode; every part of a date except the year; "
        "ages over 89; phone, e-mail, account, record, licence, vehicle and device numbers; URLs; IPs). Keep "
        "countries and states. Generalise health, religion, ethnicity, sexuality, politics, union membership, "
        "immigration, criminal record, finances and family matters."
    ),
    "public": (
        "Text about public figures: keep the names of public people, countries, places, organisations and dates; "
        "rewrite only the sensitive statements (private attributes, accusations, unverified claims)."
    ),
}


def choose_profile(
    text: str, context: str | None, findings: Sequence[Finding], settings: Settings | None = None
) -> Profile:
    """The profile for one document: the configured one, or (auto) the one its content suggests."""
    setting = getattr(settings, "profile", "auto") if settings is not None else "auto"
    protect = getattr(settings, "protect", "") or ""
    preserve = getattr(settings, "preserve", "") or ""
    language = document_language(text)
    if setting in ("record", "public"):
        return Profile(setting, "set by --profile / config", protect, preserve, language)
    if language != ENGLISH:
        # Nothing here can tell a record from public text in another language: protect the most.
        return Profile("record", f"auto: written in another language ({language})", protect, preserve, language)
    record = len(_RECORD_CUES.findall(text)) + sum(canonical(f.label) in _RECORD_PII for f in findings)
    record += bool(_CLINICAL_SHORTHAND.search(text))  # "Pt is a 67 yo M w/ hx of CHF": a note names no one
    opening = _OPENING_QUESTION.match(text)
    asked = bool(context and context.strip()) or bool(opening and not _FORUM_QUESTION.search(opening.group()))
    public = len(_PUBLIC_CUES.findall(text)) + (2 if asked else 0)
    name: ProfileName = "public" if public > record else "record"
    why = f"auto: {public} public-text cue(s){' incl. a question' if asked else ''}, "
    if public == record == 0 and not _about_someone(text, findings):
        return Profile("public", why + "0 record cue(s), no person named or referred to", protect, preserve)
    return Profile(name, why + f"{record} record cue(s)", protect, preserve)


def canonical(label: str) -> str:
    from semsiedit.editing.surrogates import canonical_label

    return canonical_label(label)


# 'a country' / 'a state' / 'a region' for a known place (U.S., North Carolina, NY), else None.
place_kind = known_place


def keeps(finding: Finding, profile: Profile) -> bool:
    """Whether `finding` is left as it is under `profile` (not sensitive there)."""
    if finding.category == "privacy" and profile.name == "public":
        # A weak cue about a public figure ("his mother", "died", "resigned", "taxes", "the
        # hospital": severity 1) is public record more often than not; rewriting the statement
        # broke the answer ("Facebook has a private matter", "Kirk Douglas has a personal health
        # matter"). Stronger cues ("diagnosed with", "his salary", "her divorce") are still edited.
        # Nor is a note about nobody named (a heading, a verbless fragment: semsi._fragment).
        if privacy_label_of(finding) == "politics" and names_a_politician(finding.text):
            return True
        if (finding.subject or "").strip().lower() in ("you", "your"):
            return True  # an answer's advice to its reader ("so you can stop taking metformin"): no one named
        return finding.severity < 2 or not finding.subject
    if finding.category != "pii":
        return False
    label = canonical(finding.label)
    if label == "LOCATION" and place_kind(finding.text) is not None:
        return True  # countries and states are kept by both profiles
    if label == "LOCATION" and finding.text.strip().upper() in _NOT_PLACES:
        return True  # "AI" in "As an AI language model": a detector's false place
    if profile.name == "public":
        return label in _PUBLIC_KEEPS
    return False


def apply_profile(findings: Sequence[Finding], profile: Profile) -> list[Finding]:
    """The findings that are sensitive under `profile`."""
    return [f for f in findings if not keeps(f, profile)]


def _about_someone(text: str, findings: Sequence[Finding]) -> bool:
    return any(canonical(f.label) == "PERSON" for f in findings) or bool(_PERSON_WORDS.search(text))


def names_a_politician(text: str) -> bool:
    """Whether a statement names someone by a political office ("Senator …", "Mayor …", "a candidate")."""
    return bool(_POLITICAL_OFFICE.search(text))


def privacy_label_of(finding: Finding) -> str:
    from semsiedit.editing.generalise import privacy_label

    return privacy_label(finding.label)
