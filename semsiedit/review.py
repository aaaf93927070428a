"""needs_review: whether a person should look at a rewrite before it is used (issue 11.6).

A document needs review when what remains or what was lost crosses a threshold of the risk preset
(`--risk strict|balanced|lenient`, each threshold overridable in the config):
- residual leakage: the highest residual similarity of a sensitive span to the rewrite;
- utility loss: the rewrite's utility (mean best-match sentence similarity) below a floor;
- findings left: sensitive findings the last round could not fix;
- detector disagreement: findings only one side saw (LLM critic vs the deterministic detectors),
  which says the detectors' view of this document is not to be trusted alone.
Unscored documents are judged on the last two only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from semsiedit.types import DocumentResult

if TYPE_CHECKING:
    from semsiedit.config import Settings

LLM_SOURCE = "llm-critic"


@dataclass(frozen=True)
class Thresholds:
    leakage: float  # residual leakage of any span above this
    utility: float  # utility below this
    findings_left: int  # more sensitive findings left after the last round than this
    disagreement: int  # more findings seen by only one of critic and detectors than this


PRESETS: dict[str, Thresholds] = {
    "strict": Thresholds(leakage=0.60, utility=0.85, findings_left=0, disagreement=0),
    "balanced": Thresholds(leakage=0.75, utility=0.75, findings_left=0, disagreement=2),
    "lenient": Thresholds(leakage=0.90, utility=0.60, findings_left=2, disagreement=5),
}


def thresholds(settings: Settings) -> Thresholds:
    base = PRESETS[settings.risk]
    return Thresholds(
        leakage=base.leakage if settings.review_leakage is None else settings.review_leakage,
        utility=base.utility if settings.review_utility is None else settings.review_utility,
        findings_left=base.findings_left,
        disagreement=base.disagreement if settings.review_disagreement is None else settings.review_disagreement,
    )


def disagreement(result: DocumentResult) -> int:
    """Findings of the first round that only the LLM critic, or only the detectors, reported (0 without
    an LLM critic: then there is nobody to disagree with)."""
    found = result.findings_before
    llm = [f for f in found if LLM_SOURCE in f.source]
    if not llm:
        return 0
    local = [f for f in found if LLM_SOURCE not in f.source]
    only_llm = sum(not any(f.overlaps(g) for g in local) for f in llm)
    only_local = sum(not any(f.overlaps(g) for g in llm) for f in local if f.category != "pii")
    return only_llm + only_local


def review(result: DocumentResult, settings: Settings) -> list[str]:
    """Why `result` needs review (empty: it does not)."""
    t = thresholds(settings)
    reasons: list[str] = []
    if result.error:
        reasons.append("error")
    language = (result.profile or {}).get("language", "en")
    if language != "en":
        reasons.append(f"written in another language ({language}): only identifiers and names were detected")
    scores = result.scores
    if scores is not None:
        top = max(scores.residuals, default=0.0)
        if top > t.leakage:
            reasons.append(f"residual leakage {top:.2f} > {t.leakage:.2f}")
        if scores.utility < t.utility:
            reasons.append(f"utility {scores.utility:.2f} < {t.utility:.2f}")
    left = len(result.findings_after)
    if left > t.findings_left:
        reasons.append(f"{left} finding(s) left > {t.findings_left}")
    disagree = disagreement(result)
    if disagree > t.disagreement:
        reasons.append(f"detector disagreement {disagree} > {t.disagreement}")
    return reasons


def mark(result: DocumentResult, settings: Settings) -> None:
    result.review_reasons = review(result, settings)
    result.needs_review = bool(result.review_reasons)
