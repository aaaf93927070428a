"""semsiedit: privacy-preserving text rewriting (detect → critique → rewrite → verify → score).

    >>> from semsiedit import rewrite_text, detect_text
    >>> result = rewrite_text("Maria Gonzalez was diagnosed with HIV.")
    >>> result.rewritten, [f.category for f in result.findings_before]

The names below load on first use, so `import semsiedit` (and `semsiedit --help`) stays instant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# name -> module that defines it (imported on first access, PEP 562)
_LAZY = {
    "rewrite_text": "semsiedit.api",
    "rewrite_texts": "semsiedit.api",
    "detect_text": "semsiedit.api",
    "detect_texts": "semsiedit.api",
    "Settings": "semsiedit.config",
    "Document": "semsiedit.types",
    "DocumentResult": "semsiedit.types",
    "Edit": "semsiedit.types",
    "Finding": "semsiedit.types",
    "Scores": "semsiedit.types",
}
__all__ = [
    "Document",
    "DocumentResult",
    "Edit",
    "Finding",
    "Scores",
    "Settings",
    "__version__",
    "detect_text",
    "detect_texts",
    "rewrite_text",
    "rewrite_texts",
]

if TYPE_CHECKING:
    from semsiedit.api import detect_text, detect_texts, rewrite_text, rewrite_texts
    from semsiedit.config import Settings
    from semsiedit.types import Document, DocumentResult, Edit, Finding, Scores


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'semsiedit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
