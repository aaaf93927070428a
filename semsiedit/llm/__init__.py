"""LLM backends behind one small interface (see base.py).

Importing this package is cheap: the `openai` package is imported only when a request is made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from semsiedit.llm.base import ChatClient, ChatResult, ScriptedChatClient
from semsiedit.llm.cache import ResponseCache
from semsiedit.llm.openai_client import JSON_MODES, OpenAIChatClient

if TYPE_CHECKING:
    from semsiedit.config import Settings

__all__ = [
    "JSON_MODES",
    "ChatClient",
    "ChatResult",
    "OpenAIChatClient",
    "ResponseCache",
    "ScriptedChatClient",
    "make_client",
]


def make_client(settings: Settings, *, cache: ResponseCache | None = None) -> ChatClient | None:
    """The configured chat client, or None when no model is configured (local editor only).

    The disk cache comes from the settings (`cache_dir`, `no_cache`) unless one is passed in.
    """
    if not settings.llm_configured:
        return None
    if cache is None:
        cache = ResponseCache.from_settings(settings)
    return OpenAIChatClient(settings, cache=cache)
