"""Deterministic detectors: Presidio for structured PII, lexicon + parse rules for SemSI."""

from semsiedit.detection.engine import DetectionEngine
from semsiedit.detection.merge import merge_findings

__all__ = ["DetectionEngine", "merge_findings"]
