"""LLM backends behind one small interface (see base.py)."""

from semsiedit.llm.base import ChatClient, ChatResult, ScriptedChatClient

__all__ = ["ChatClient", "ChatResult", "ScriptedChatClient"]
