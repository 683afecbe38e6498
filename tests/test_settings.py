"""Settings come from one place: environment variables, read once."""

from __future__ import annotations

import pytest

from rag.settings import Settings


def test_host_and_port_are_settings() -> None:
    assert (Settings().host, Settings().port) == ("127.0.0.1", 7860)
    s = Settings.from_env({"RAG_HOST": "0.0.0.0", "RAG_PORT": "8080"})
    assert (s.host, s.port) == ("0.0.0.0", 8080)
    with pytest.raises(ValueError, match="RAG_PORT: 'http' is not a port"):
        Settings.from_env({"RAG_PORT": "http"})
    with pytest.raises(ValueError, match="RAG_PORT: '70000'"):
        Settings.from_env({"RAG_PORT": "70000"})


def test_the_japanese_search_of_english_questions_can_be_switched_off() -> None:
    assert Settings().llm_search_japanese is True
    assert Settings.from_env({"RAG_LLM_SEARCH_JAPANESE": "off"}).llm_search_japanese is False
    assert Settings.from_env({"RAG_LLM_SEARCH_JAPANESE": "1"}).llm_search_japanese is True
    with pytest.raises(ValueError, match="RAG_LLM_SEARCH_JAPANESE: 'maybe'"):
        Settings.from_env({"RAG_LLM_SEARCH_JAPANESE": "maybe"})
