"""The local editor (no LLM): surrogates for PII, generalisation for identity attributes, hedging
for harmful and unverified claims (SPEC §3). It is the default without an LLM and the fallback
when an LLM edit is rejected, so it must always produce a usable, non-destructive edit.

How one document is edited:
1. findings the editor leaves alone are set aside (triage.py: not a name, already attributed or
   rejected by the text, part of a proper name), an address's pieces become one (addresses.py), and
   the rest become a tree of spans (spans.py): partial overlaps are merged, identical spans share a
   node, a name inside a flagged clause becomes a child of the clause (so edits never overlap);
2. each top-level node becomes one Edit; `_render` / `_render_semsi` below choose the operator:
   pseudonymise.py (surrogates), generalise.py (attribute terms, partial or whole-clause
   generalisation), attribute.py (hedge a harmful statement, attribute an unverified claim),
   suppress.py (a generic descriptor of the right form when nothing else is safe);
3. grammar.py repairs every seam: a/an agreement, "the a city" -> "the city", a capital at a
   sentence start.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from semsiedit.detection.learned import SOURCE as LEARNED_SOURCE
from semsiedit.detection.tables import SOURCE as TABLE_SOURCE
from semsiedit.editing.addresses import REASON as ADDRESS_RUN
from semsiedit.editing.addresses import merge_address_runs, render_address
from semsiedit.editing.attribute import (
    CERTAINTY_ADVERBS,
    claim_adverb,
    claim_like,
    court_record,
    court_record_in_paragraph,
    criticised,
    denied_by_frame,
    denies_itself,
    event_nouns,
    framed_advice,
    hedged_in_its_sentence,
    insert_hedge,
    killed_in_an_event,
    names_an_event,
    needs_hedge,
    qualified_by_edit,
    reported,
    wrap,
)
from semsiedit.editing.generalise import (
    fallback,
    generalise_nrp,
    generalise_record_id,
    is_table_term,
    last_resort_terms,
    tables_for,
)
from semsiedit.editing.grammar import (
    LEFT_ARTICLE,
    agree_possessive,
    collapse_repeats,
    inside_quotation,
    is_clause,
    match_case,
    opens_predicate,
    splice,
)
from semsiedit.editing.proposal import Proposal
from semsiedit.editing.pseudonymise import name_reps, render_pii, slot, usable_name, verb_in_name
from semsiedit.editing.spans import Ctx, DocState, Node, build_tree, validate
from semsiedit.editing.suppress import stand_in
from semsiedit.editing.surrogates import SurrogateMap, canonical_label, split_title
from semsiedit.editing.triage import (
    already_attributed,
    group_word_in_a_name,
    in_a_name,
    known_name_words,
    not_a_name,
    other_sense_term,
    publicly_disclosed,
    whole_organisation,
)
from semsiedit.profile import Profile, apply_profile
from semsiedit.text import bounded_word, split_sentences, value_pattern
from semsiedit.types import Edit, Finding, Usage
from semsiedit.verify import check_form, edit_form

if TYPE_CHECKING:
    from semsiedit.config import Settings

__all__ = ["LocalEditor", "insert_hedge"]


# The finances table's last row: any amount of money, private only in a record.
_ANY_AMOUNT = "a sum of money"


class LocalEditor:
    """Rewrites flagged spans with tables and surrogates; deterministic, no network."""

    takes_profile = True  # the loop passes the document's protection profile

    def __init__(self, settings: Settings, surrogates: SurrogateMap | None = None) -> None:
        self.settings = settings
        self.surrogates = surrogates if surrogates is not None else SurrogateMap()

    @property
    def mode(self) -> str:
        return self.settings.pseudonyms

    # -- entry point ---------------------------------------------------------------------------

    def propose(
        self, text: str, context: str | None, findings: Sequence[Finding], profile: Profile | None = None
    ) -> Proposal:
        """One non-overlapping Edit per group of overlapping findings. `context` is not needed locally."""
        notes: list[str] = []
        name = profile.name if profile is not None else "record"
        # In another language an English descriptor ("the number on file") would not fit the sentence.
        mode = "placeholder" if profile is not None and profile.language != "en" else self.mode
        if profile is not None:
            findings = apply_profile(findings, profile)
        valid = merge_address_runs(text, validate(text, findings, notes))
        valid = [f for f in valid if not (canonical_label(f.label) == "PERSON" and verb_in_name(f.text))]
        known = known_name_words(valid)
        if name == "record":  # a private person's surname in a firm's name: the whole name goes
            valid = [whole_organisation(text, f, known) for f in valid]
        valid = [f for f in valid if not not_a_name(text, f, known) and not already_attributed(text, f, name)]
        valid = [f for f in valid if not group_word_in_a_name(text, f)]
        if name == "public":
            public = publicly_disclosed(text, valid)
            valid = [f for f in valid if f not in public]
            # A public person named in a flagged statement is not what is sensitive about it.
            valid = [f for f in valid if f.category == "pii" or not (usable_name(f.text) and len(f.text.split()) <= 4)]
        scope: set[int] = set()
        # Full names first, so "Gonzalez" later in the text resolves to "Maria Gonzalez".
        people = [f for f in valid if f.category == "pii" and canonical_label(f.label) == "PERSON"]
        for f in sorted(people, key=lambda f: (-len(split_title(f.text)[1].split()), f.start)):
            self.surrogates.render("PERSON", f.text, mode=mode, scope=scope)  # type: ignore[arg-type]
        doc = DocState.of(text)
        edits = [self._edit(text, node, scope, notes, doc, name, mode) for node in build_tree(text, valid)]
        return Proposal([e for e in edits if e is not None], Usage(), notes)

    # -- one top-level edit -------------------------------------------------------------------

    def _edit(
        self,
        text: str,
        node: Node,
        scope: set[int],
        notes: list[str],
        doc: DocState | None = None,
        profile: str = "record",
        mode: str | None = None,
    ) -> Edit | None:
        ctx = Ctx(scope, doc or DocState.of(text), self.surrogates, mode or self.mode, profile)
        rendered = self._render(text, node, ctx)
        found = node.all_findings()
        if profile == "public":
            # A hedged public statement may still contain its own words ("X, though this has not
            # been proven"); only a value that must go (a phone number, a removed term) is a leak.
            found = [f for f in found if f.category == "pii"]
        found = [f for f in found if not any(f is kept for kept in ctx.left_as_written)]
        # Under `public` a removed term that survives elsewhere in the statement ("sent to prison"
        # generalised, "the prison population" not) is no reason for a generic clause (session 6).
        if self._leaks(rendered, node, found, ctx, terms=profile != "public"):
            ctx.strategies.clear()
            rendered = fallback(text, node, ctx, reason="leak")
            notes.append(f"local editor: whole-span fallback for {','.join(self._ids(found)) or 'a finding'}")
        start, end = node.start, node.end
        kind = re.fullmatch(r"an? ([a-z]+)", rendered)
        repeated = kind and re.search(rf"(?<![\w'’-]){kind.group(1)}, $", text[max(0, start - 30) : start])
        if repeated and text[end : end + 1] == ",":
            # "his school, Lincoln Elementary, says": the descriptor would repeat the noun ("his school,
            # a school,"), so the appositive goes and the noun stays.
            start, end, rendered = start - len(repeated.group(0)), end + 1, kind.group(1)
        if rendered == "withheld" and text[start - 1 : start] == "#":
            start, rendered = start - 1, "(number withheld)"  # "Ticket #88213", not "Ticket #withheld"
        # "listed the number 555-0171", "at the address 12 Elm St": a descriptor that names what the
        # text's own noun phrase names replaces the phrase too ("listed a phone number").
        named = _NAMED_BEFORE.search(text[max(0, start - 40) : start])
        if named and re.match(rf"an? (?:[\w'’-]+ ){{0,3}}{re.escape(named.group(1))}(?![\w'’-])", rendered, re.I):
            start -= len(named.group(0))
            rendered = match_case(rendered, named.group(0))
        # Re-render with a preceding article inside the edit when the seam changes it ("a" -> "an").
        # A possessive too: "our Leeds depot" -> "our city depot", not "our a city depot".
        m = LEFT_ARTICLE.search(text[max(0, start - 4) : start]) or re.search(
            r"(?<![\w'’-])(the|my|your|his|her|its|our|their)(?: |[ \t]*\r?\n)$", text[max(0, start - 8) : start], re.I
        )  # after a hard wrap too: "drop-in at the\nBrunel Building" -> "at the\nbuilding ..."
        if m:
            wstart = start - len(m.group(0))
            before = text[max(0, wstart - 80) : wstart]
            widened = splice(text[wstart:end], [(start - wstart, end - wstart, rendered)], before)
            if not widened.startswith(text[wstart:start]):
                start, replacement = wstart, widened
            else:
                replacement = widened[start - wstart :]
        else:
            replacement = splice(text[start:end], [(0, end - start, rendered)], text[max(0, start - 80) : start])
        on = re.search(r"(?<![\w'’-])([Oo])n (?:the )?$", text[max(0, start - 7) : start])
        if re.fullmatch(r"\d{4}", replacement) and on:
            # "on 3 May 2021", "born on the 3rd of May 1990" -> "in 2021", "born in 1990"
            start, replacement = start - len(on.group(0)), ("I" if on.group(1) == "O" else "i") + "n " + replacement
        part = _PART_OF_A_DAY.search(text[max(0, start - 24) : start])
        if re.fullmatch(r"\d{4}", replacement) and part:
            # "on the evening of 2 February 2026" -> "on an evening in 2026", not "the evening of 2026"
            article = "an" if part.group(1)[0] in "aeiouAEIOU" else "a"
            start, replacement = start - len(part.group(0)), f"{article} {part.group(1)} in {replacement}"
        if not replacement.strip():
            notes.append("local editor: empty rewrite suppressed")
            return None
        top = max(node.findings, key=lambda f: (f.category != "pii", f.severity))
        strategy = self._strategy(ctx)
        shorter = len(replacement.strip()) < self.settings.min_length_ratio * len(text[start:end].strip())
        if shorter and strategy in ("hedge", "attribute"):
            strategy = "generalise"  # a hedged span only gets shorter when a part of it was generalised
        edit = Edit(
            start=start,
            end=end,
            original=text[start:end],
            replacement=replacement,
            finding_ids=self._ids(found),
            category=top.category,
            editor="local",
            strategy=strategy,
        )
        broken = check_form(text, edit)
        if broken is None:
            return edit
        if "name" in broken:  # a common noun or part of an organisation's name: not a person to replace
            notes.append(f"local editor: {broken}; edit dropped")
            return None
        notes.append(f"local editor: {broken}; generic stand-in used")
        edit.replacement = stand_in(edit.original, edit_form(text, start, end), top.category)
        edit.strategy = "suppress"
        return edit

    @staticmethod
    def _ids(found: list[Finding]) -> list[str]:
        return list(dict.fromkeys(f.id for f in found if f.id))

    @staticmethod
    def _strategy(ctx: Ctx) -> str:
        # The outermost decision names the edit: attribute > hedge > generalise > surrogate kinds.
        for name in ("attribute", "hedge", "generalise", "pseudonym", "placeholder", "fake"):
            if name in ctx.strategies:
                return name
        return "generalise"

    def _leaks(self, rendered: str, node: Node, found: list[Finding], ctx: Ctx, *, terms: bool = True) -> bool:
        """Whether the rewrite still carries a flagged value (PII, attribute term, verbatim statement);
        `terms`: also a term the edit removed somewhere else in the statement."""
        low = " ".join(rendered.casefold().split())
        for f in found:
            value = " ".join(f.text.casefold().split())
            if f.category == "pii" and len(value) > 1 and bounded_word(value).search(low):
                return True
            if f.category != "pii" and value and value in low and not framed_advice(f.text, rendered):
                return True
        if not terms:
            return False
        # A removed term that survives only capitalised inside a name is no leak: "juvenile crime" went,
        # "the Violent Crime Control and Law Enforcement Act" stays.
        flat = " ".join(rendered.split())
        return any(
            not (t[:1].islower() and m.group()[:1].isupper())
            for t in ctx.removed_terms
            if (pattern := value_pattern(t)) is not None
            for m in pattern.finditer(flat)
        )

    # -- rendering ------------------------------------------------------------------------------

    # -- the choice of operator ----------------------------------------------------------------

    def _render(self, text: str, node: Node, ctx: Ctx) -> str:
        """Which operator rewrites a node: pseudonymise a name or identifier, generalise a group
        (NRP) or attribute term, hedge/attribute a harmful or unverified statement, or fall back."""
        if node.pii:
            finding = min(node.pii, key=lambda f: canonical_label(f.label) != "PERSON")
            label = canonical_label(finding.label)
            if label == "NRP" and ctx.mode != "placeholder":
                ctx.strategies.append("generalise")
                return generalise_nrp(text, node, text[node.start : node.end])
            if finding.reason == ADDRESS_RUN and len(node.pii) == 1 and ctx.mode != "placeholder":
                ctx.strategies.append("generalise")
                return render_address(text[node.start : node.end], label)
            general = generalise_record_id(label, text[node.start : node.end])
            # "DOB: 1979" and "He is over 89" read fine
            dated = label in ("DATE_TIME", "DATE_OF_BIRTH", "AGE")
            if general is not None and not dated and slot(text, node.start) == "label":
                general = "withheld"  # "Her postcode is withheld", not "... is a postcode"
            if label == "AGE" and re.match(r"[- ]years?-old", text[node.end : node.end + 10]):
                general = "90-plus"  # "a 90-plus-year-old widow", not "an over 89-year-old widow"
            if general is not None:
                ctx.strategies.append("generalise")
                return general
            return _keep_full_stop(text, node, render_pii(text, node, ctx))
        seg = text[node.start : node.end]
        if usable_name(seg) and len(seg.split()) <= 4 and not node.children and not _table_cell(node) and (
            not is_table_term(seg)  # a form's "Smoker: Yes" is an attribute in its own right
        ):
            # A bare name flagged as privacy/harmful ("Seth Rich"): it is the person that is sensitive.
            ctx.strategies.append("pseudonym" if ctx.mode == "descriptor" else ctx.mode)
            return ctx.surrogates.render("PERSON", seg, mode=ctx.mode, scope=ctx.scope)  # type: ignore[arg-type]
        return self._render_semsi(text, node, ctx)

    def _render_semsi(self, text: str, node: Node, ctx: Ctx) -> str:
        seg = text[node.start : node.end]
        guesses = [f for f in node.semsi if f.source == LEARNED_SOURCE]
        if guesses and len(guesses) < len(node.semsi):
            # The rules' findings say what the statement is and which words carry it; the learned
            # detector's sentence over the same words adds nothing an edit can use (its category
            # would pull in other tables: "at a rally" is no privacy matter in an insult).
            ctx.left_as_written.extend(guesses)
            node.findings = [f for f in node.findings if f.source != LEARNED_SOURCE]
        base = node.start
        reps: list[tuple[int, int, str]] = [
            (c.start - base, c.end - base, self._render(text, c, ctx)) for c in node.children
        ]
        taken = [(s, e) for s, e, _ in reps]
        if ctx.profile == "public" and _yes_no_question(text, node.start):
            # "Is it true that Tom Hanks was arrested for child trafficking?" asserts nothing; rewritten it
            # presumed a legal matter ("... was involved in a past legal matter?"). A wh-question presumes
            # its statement ("Why did Djokovic get deported?") and is edited like one.
            ctx.left_as_written.extend(node.semsi)
            return splice(seg, reps, text[max(0, node.start - 80) : node.start]) if reps else seg
        categories = {f.category for f in node.semsi}
        matched: set[str] = set()
        harmful_terms: list[tuple[int, int]] = []
        # Longest match first, then table order: "bipolar disorder" beats "bipolar".
        candidates: list[tuple[int, int, int, int, str, str]] = []
        order = 0
        owner = next((f.subject for f in node.semsi if f.subject), None)  # "he": "private about his ..."
        for cat, table in tables_for(node):
            for pattern, repl in table:
                if ctx.profile == "public" and repl == _ANY_AMOUNT:
                    continue  # "his $44 billion purchase of Twitter": a public deal's price is public
                for m in pattern.finditer(seg):
                    start_at, end_at = base + m.start(), base + m.end()
                    if m.end() > m.start() and not other_sense_term(text, start_at, end_at, cat) and not (
                        cat != "harmful" and in_a_name(text, start_at)
                    ):
                        near = _NEAR_PRONOUN.search(seg[max(0, m.start() - 30) : m.start()])
                        rep = agree_possessive(m.expand(repl), near.group(1) if near else owner)
                        if rep.startswith("allegedly ") and inside_quotation(text, base + m.start()):
                            rep = rep.removeprefix("allegedly ")  # not in the words someone is quoted saying
                        end = m.end()
                        if cat != "harmful" and (aside := _ASIDE.match(seg, end)):
                            end = aside.end()  # the detail goes with the term: "self-harming (cutting)"
                        candidates.append((m.start() - end, m.start(), order, end, rep, cat))
                order += 1
        if all(f.source == LEARNED_SOURCE for f in node.semsi):
            # A guess about a whole sentence: what it quotes or reports someone saying is theirs
            # ('a post that claimed Jewish communities pushed "hatred against whites"'), not an
            # attribute of anyone here; a term there is left as written.
            speech = _quoted_or_reported(seg)
            candidates = [c for c in candidates if not any(a <= c[1] and c[3] <= b for a, b in speech)]
        children = {(s, e) for s, e, _ in reps}
        for _, start, _, end, repl, cat in sorted(candidates):
            clash = [(s, e) for s, e in taken if start < e and s < end]
            if cat == "privacy-cross":
                if not clash or not all((s, e) in children and start <= s and e <= end for s, e in clash):
                    continue
                cat = "privacy"
            if clash and all((s, e) in children and start <= s and e <= end for s, e in clash):
                # A term that contains a name-like child ("Jehovah's Witnesses"): the term wins. A child
                # the replacement keeps ("a jury in Manhattan found him guilty ..." -> "a jury in
                # Manhattan ruled against him") is still rendered there.
                for s, e, child in (r for r in reps if (r[0], r[1]) in clash and seg[r[0] : r[1]] != r[2]):
                    repl = bounded_word(seg[s:e]).sub(child.replace("\\", "\\\\"), repl)
                taken = [t for t in taken if t not in clash]
                reps = [r for r in reps if (r[0], r[1]) not in clash]
            elif clash:
                continue
            taken.append((start, end))
            reps.append((start, end, repl))
            matched.add(cat)
            if cat == "harmful":
                harmful_terms.append((start, end))
            ctx.removed_terms.append(seg[start:end].strip())
        if "privacy" in categories:
            # A condition no table lists, named by its frame, still goes ("diagnosed with glandular
            # fever" -> "diagnosed with a health condition"); listed terms were taken first.
            for start, end, repl in last_resort_terms(seg, node):
                clash = [(s, e) for s, e in taken if start < e and s < end]
                if clash and not all((s, e) in children and start <= s and e <= end for s, e in clash):
                    continue
                # A name-like child inside the condition ("Kikuchi disease") goes with it.
                taken = [t for t in taken if t not in clash]
                reps = [r for r in reps if (r[0], r[1]) not in clash]
                taken.append((start, end))
                reps.append((start, end, repl))
                matched.add("privacy")
                ctx.removed_terms.append(seg[start:end].strip())
        privacy_terms = "privacy" in matched
        if not matched and all(f.source == LEARNED_SOURCE for f in node.semsi):
            # Only the learned detector's guess (a whole sentence) and no term this editor knows in it:
            # a hedge there casts doubt on facts ("Nixon reportedly resigned in 1974") and a generic
            # clause breaks the sentence, so it is left as written (an LLM editor rewrites it).
            ctx.left_as_written.extend(node.semsi)
            return splice(seg, reps, text[max(0, node.start - 80) : node.start]) if reps else seg
        if "privacy" in categories and "privacy" not in matched and ctx.profile == "public":
            # No known attribute term in a statement about a public figure: it is left as written.
            # The generic clause used for records ("{subject} has a private family matter") broke
            # public answers ("Facebook has a private matter", "Congress has a past legal matter").
            categories.discard("privacy")
        elif "privacy" in categories and "privacy" not in matched and all(
            f.severity < 2 for f in node.semsi if f.category == "privacy"
        ):
            # Only a weak cue (a relative, a marriage, a death) and no attribute term: a record's
            # ordinary content ("Her daughter drove her in"). Its names become surrogates; the rest
            # stays, where the generic clause broke it ("Her daughter has a private family matter").
            reps.extend(name_reps(seg, node, taken, ctx))
            ctx.left_as_written.extend(f for f in node.semsi if f.category == "privacy")
            categories.discard("privacy")
        elif "privacy" in categories and "privacy" not in matched:
            # No known attribute term: de-identify the statement (its names become surrogates);
            # with no name to replace, generalise the sensitive part of the statement.
            names = [] if _table_cell(node) else name_reps(seg, node, taken, ctx)
            if not names and not any(c.pii for c in node.children):
                return fallback(text, node, ctx, reason="no_term")
            reps.extend(names)
            matched.add("privacy")
        if "harmful" in categories:
            reps.extend(name_reps(seg, node, taken, ctx))  # a record's accused keeps no name either
        body = _assemble(text, node, seg, reps)
        if "privacy" in categories:
            ctx.strategies.append("generalise")
        kinds = categories & {"misinformation", "harmful"}
        light = False
        # Only the learned detector's guess: it says a sentence may be a claim, not that it is false or
        # unproven ("The act caused an enormous backlash" is history), so no note says so.
        guess = all(f.source == LEARNED_SOURCE for f in node.semsi)
        # A rule's conspiracy or medical pattern ("is a lizard person", "cures autism") is a claim
        # whatever its wording.
        patterned = any(f.category == "misinformation" and f.severity >= 3 and f.source != LEARNED_SOURCE
                        for f in node.semsi)
        if "misinformation" in kinds and (not (claim_like(seg) or patterned) or guess):
            # Not an assertive causal/medical claim (often a detector's guess): no "not supported by
            # reliable evidence" note, which would make a plain statement read as nonsense.
            kinds.discard("misinformation")
            light = True
        if kinds == {"harmful"} and privacy_terms and "harmful" not in matched:
            return body  # the harmful part was the private attribute, and it is generalised now
        kind = "misinformation" if "misinformation" in kinds else "harmful" if kinds else None
        term_starts = (node.start, *(node.start + a for a, _ in harmful_terms))
        denied = denies_itself(seg) or any(denied_by_frame(text, at) for at in term_starts)
        if kind == "harmful" and (
            all(f.severity < 2 for f in node.semsi if f.category == "harmful")
            or (guess and ctx.profile == "public")
            or denied
        ):
            # A report of criticism or controversy ("Republicans have long criticized the ACA") or a
            # denied accusation: its terms are softened at most. That someone criticised something
            # is not an unproven claim, so no "though this has not been proven" is bolted on. Left as
            # written, it is no leak either (a record's "Critics attacked his policy" stays).
            if denied:  # "nor was he murdered", "denies that he assaulted": nothing is alleged there
                body = _assemble(text, node, seg, [(s, e, r.removeprefix("allegedly ")) for s, e, r in reps])
            if body != seg:
                ctx.strategies.append("generalise")
            ctx.left_as_written.extend(f for f in node.semsi if f.category == "harmful")
            return body
        insults = all("insult" in f.label for f in node.semsi if f.category == "harmful")
        if kind == "harmful" and harmful_terms and insults:
            # An insult whose words are replaced ("such a psycho" -> "such a difficult person") is no
            # claim left to call unproven: no hedge is bolted on.
            ctx.strategies.append("generalise")
            return body
        # Public text that reports who says it ("Critics said she was ...") needs no hedge of ours; a
        # record needs none once its terms are generalised (its statement must not survive verbatim: _leaks).
        # The reporting verb may open the flagged clause itself ("Commentators described X as a hypocrite").
        privacy_here = any(f.category == "privacy" for f in node.semsi)
        if ctx.profile == "public" and kind == "harmful" and court_record(seg) and not privacy_here:
            # An admission or a court's finding ("confessed he stole from the fund") is no accusation of
            # ours to soften or call unproven. Not when the clause also states a criminal record: that
            # is still generalised, in both profiles (session 15).
            ctx.left_as_written.extend(f for f in node.semsi if f.category == "harmful")
            ctx.removed_terms[:] = [t for t in ctx.removed_terms if t.casefold() not in seg.casefold()]
            return seg
        # An admission or a conviction the paragraph records makes its deed no accusation, in a record
        # too ("... stole £12,000 from his neighbour. Pickering, who admitted fraud, ...").
        said = court_record_in_paragraph(text, node.start, node.end) or (
            ctx.profile == "public" and (any(reported(text, p) for p in term_starts) or criticised(seg))
        ) or (ctx.profile == "public" and hedged_in_its_sentence(text, node.start, node.end))
        if not said and any(reported(text, p) for p in term_starts):
            # A record's reported speech ("Lily said that her dad hits her mum") is the record of what
            # was said: once its terms are generalised, no "allegedly" or "not proven" of ours on top.
            unhedged = _assemble(text, node, seg, [(s, e, r.removeprefix("allegedly ")) for s, e, r in reps])
            said = unhedged != seg
        # An insult's replacement that says "unproven" qualifies the accusation, not a false claim beside it.
        qualified = qualified_by_edit(body) and kind == "harmful"
        hedge_needed = needs_hedge(seg, claim=kind == "misinformation")
        if kind is not None and (not hedge_needed or qualified or said):
            # Already attributed by the text, a fact of record, or qualified by the edit itself ("someone
            # facing unproven claims"): the generalised terms are the edit, no hedge is bolted on.
            if said or not hedge_needed:
                # Nor an "allegedly" of the tables: "a committee concluded that he had misled MPs".
                body = _assemble(text, node, seg, [(s, e, r.removeprefix("allegedly ")) for s, e, r in reps])
            if body == seg:
                return seg
            ctx.strategies.append("generalise")
            return body
        if kind is None:
            if light and body == seg:
                lighter = wrap(text, node, body, "misinformation", ctx, light=True)
                if lighter != body:
                    ctx.strategies.append("attribute")
                    return lighter
                kind = "misinformation"
            else:
                if light and not ctx.strategies:
                    ctx.strategies.append("generalise")
                return body
        # The terms that made it harmful: the softened ones, else the violent-event nouns the detector saw.
        events = harmful_terms or event_nouns(seg)
        if kind == "harmful" and events and all(names_an_event(seg, s, e) for s, e in events):
            # "after the murder of Seth Rich": an event the text reports, not an accusation against anyone.
            ctx.strategies.append("generalise")
            return body
        killing = _KILLED.search(seg)
        counts_dead = killing is not None and killed_in_an_event(text, node.start + killing.start())
        if kind == "harmful" and not harmful_terms and counts_dead:
            return body  # "the bombing of Flight 203, which killed all 107 people on board": its dead, no deed
        if not is_clause(text, node.start, seg):
            if body != seg:
                ctx.strategies.append("hedge")
                return body
            if kind == "misinformation" and opens_predicate(text, node.start, seg):
                # A claim in a predicate of a subject before it ("Drinking bleach ... flushes parasites
                # out and cures autism"): the adverb opens the predicate and the note follows it.
                ctx.strategies.append("attribute")
                return wrap(text, node, claim_adverb() + " " + body, kind, ctx, adverb=False, changed=True)
            if ctx.profile == "public":
                return body  # no generic clause in a public answer (see above): nothing to soften here
            return fallback(text, node, ctx, reason="fragment")
        ctx.strategies.append("attribute" if kind == "misinformation" else "hedge")
        # Softened harmful terms already hedge the statement; an unverified claim always gets one.
        adverb = kind == "misinformation" or "harmful" not in matched
        return wrap(text, node, body, kind, ctx, adverb=adverb, changed=body != seg)


def _keep_full_stop(text: str, node: Node, rendered: str) -> str:
    """A name whose abbreviation ends its sentence ("works at Hale Logistics Inc. Next ...") keeps the
    sentence's full stop in its replacement ("works at an organisation. Next ...")."""
    ends_sentence = re.match(r"(?:$|\n| [A-Z\"“(])", text[node.end :]) is not None
    # An abbreviation of two letters or more ("Inc.", "Ltd."), not an initial ("Thomas J.    MRN").
    abbreviation = re.search(r"[A-Za-z]{2,}\.\Z", text[node.start : node.end]) is not None
    if abbreviation and ends_sentence and not rendered.endswith("."):
        return rendered + "."
    return rendered


_YES_NO = re.compile(
    r"(?:is|are|was|were|did|does|do|has|have|had|can|could|will|would|should)\b(?!n['’]?t\b)", re.IGNORECASE
)


def _yes_no_question(text: str, pos: int) -> bool:
    """The sentence at `pos` is a yes/no question ("Is it true that ...?", "Did X ...?"): it asks
    whether the statement holds and presumes nothing."""
    bounds = next(((s, e) for s, e in split_sentences(text) if s <= pos < e), None)
    if bounds is None:
        return False
    sentence = text[bounds[0] : bounds[1]].strip()
    return sentence.endswith("?") and bool(_YES_NO.match(sentence))


def _table_cell(node: Node) -> bool:
    """A table cell's attribute ("Epilepsy" under "Condition"): the attribute itself, never a name."""
    return bool(node.semsi) and all(f.source == TABLE_SOURCE for f in node.semsi)


# "the evening of" before a date that keeps only its year: "on the evening of 2 February 2026".
_PART_OF_A_DAY = re.compile(
    r"(?<![\w'’-])(?:the|that) (morning|afternoon|evening|night|weekend|week|day|eve) of $", re.I
)
_KILLED = re.compile(r"(?<![\w'’-])(?:killed|killing|kills|injured|injuring|wounded|wounding)(?![\w'’-])", re.I)
_QUOTED = re.compile(r"[\"“][^\"“”\n]{1,300}[\"”]")
_REPORTING = re.compile(
    r"(?<![\w'’-])(?:claim(?:s|ed)?|sa(?:y|ys|id)|alleg(?:e|es|ed)|wr(?:ote|ites)|posted|argu(?:e|es|ed)|"
    r"suggest(?:s|ed)?|insist(?:s|ed)?)(?: that)?[ \t]+[^.;!?\n]*"
)


def _quoted_or_reported(seg: str) -> list[tuple[int, int]]:
    """Spans of `seg` that quote or report what someone said (the whole rest of the clause after a
    reporting verb; `attribute.reported` asks the narrower question of one position)."""
    return [m.span() for m in _QUOTED.finditer(seg)] + [m.span() for m in _REPORTING.finditer(seg)]


# A short parenthesis right after an attribute term details it: "(cutting)", "(type 2)", "(20mg)"; a
# bare year or number does not ("a prior conviction (2016)": the year is kept).
_ASIDE = re.compile(r"[ \t]*\((?=[^()\n]*[^\W\d_])(?:[^()\n]|\n(?![ \t]*\n)){1,40}\)")  # a wrap may fall inside
# The last pronoun before a term; "he's", "she'd" count ("because he's gay" -> "his personal life").
_NEAR_PRONOUN = re.compile(
    r"(?<![\w'’-])(he|she|I|we|you)(?![\w-])(?!.*(?<![\w'’-])(?:he|she|I|we|you|they)(?![\w-]))", re.IGNORECASE
)


# A name between may hold initials' full stops ("accused Louis C.K. of ...").
_NAME_RUN = r"(?:[^,.;:!?]|(?<=\b[A-Z])\.){1,60}?"
_ACCUSED_OF = re.compile(rf"(?<![\w'’-])accuse[sd] ({_NAME_RUN}) of(?=\s)", re.IGNORECASE)
_QUESTIONED_OF = re.compile(rf"(?<![\w'’-])(questioned {_NAME_RUN}) of(?=\s)")


def _assemble(text: str, node: Node, seg: str, reps: list[tuple[int, int, str]]) -> str:
    """The statement with its replacements spliced in, repeats collapsed and the accusation frame kept."""
    body = collapse_repeats(splice(seg, reps, text[max(0, node.start - 80) : node.start]), [r for *_, r in reps])
    if any(r.startswith("allegedly ") for *_, r in reps):
        # The writer's certainty next to a table's hedge: "definitely allegedly took" -> "allegedly took".
        body = _CERTAIN_BY_HEDGE.sub("allegedly", body)
    return _keep_accused_frame(seg, body)


_CERTAIN = "|".join(sorted(CERTAINTY_ADVERBS))
_CERTAIN_BY_HEDGE = re.compile(
    rf"(?<![\w'’-])(?:(?:{_CERTAIN})[ \t]+allegedly|allegedly[ \t]+(?:{_CERTAIN}))(?![\w'’-])", re.IGNORECASE
)


def _keep_accused_frame(seg: str, body: str) -> str:
    """"accused Maria Lopez of theft" -> "questioned Person A over ...", not "questioned Person A of": the
    softer verb takes another preposition (the table rewrites only the verb when a name stands between)."""
    if not _ACCUSED_OF.search(seg):
        return body
    return _QUESTIONED_OF.sub(r"\1 over", body)


_NAMED_BEFORE = re.compile(r"(?<![\w'’-])(?:the|this|that|his|her|their|its|our|my|your) ([a-z]+) $", re.IGNORECASE)
