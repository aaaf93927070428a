"""semsiedit: privacy-preserving text rewriting (detect → critique → rewrite → verify → score)."""

__version__ = "0.1.0"
