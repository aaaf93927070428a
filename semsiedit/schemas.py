"""What the LLM must answer, as pydantic models: validated on every reply (SPEC §3)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class CriticItem(BaseModel):
    quote: str = Field(min_length=1, description="exact text copied from the document")
    category: Literal["pii", "privacy", "harmful", "misinformation"]
    severity: int = Field(2, ge=1, le=3)
    reason: str = ""
    subject: str | None = None


class CriticReply(BaseModel):
    findings: list[CriticItem] = Field(default_factory=list)


class EditorItem(BaseModel):
    id: str = Field(min_length=1, description="the finding id being rewritten")
    replacement: str = Field(description="new text for the quoted span")


class EditorReply(BaseModel):
    edits: list[EditorItem] = Field(default_factory=list)


def json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """A compact JSON schema for response_format / grammar-constrained decoding."""
    return model.model_json_schema()
