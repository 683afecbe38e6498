"""The LLM mode's prompts and replies, through LangChain's chat-model interface with a fake
model (``FakeListChatModel``); the real HTTP path is in tests/test_answering.py."""

from __future__ import annotations

from typing import Any

from langchain_core.language_models import FakeListChatModel

from rag.generation import TRANSLATE_PROMPT, japanese_wording


class _Recording(FakeListChatModel):
    """A fake chat model that keeps the prompts it was sent."""

    seen: list[Any] = []

    def invoke(self, input: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: A002
        self.seen.append(input)
        return super().invoke(input, *args, **kwargs)


def test_an_english_question_is_put_into_japanese_by_the_model() -> None:
    llm = _Recording(responses=["「品川区はふるさと納税の寄附をどう増やすのか」\n(translation)"])
    llm.seen = []
    wording = japanese_wording(llm, "How will Shinagawa increase furusato nozei donations?")
    assert wording == "品川区はふるさと納税の寄附をどう増やすのか"  # first line, quotes off
    [[(role, prompt)]] = llm.seen
    assert role == "human" and prompt.startswith(TRANSLATE_PROMPT.split("{")[0])
    assert prompt.endswith("How will Shinagawa increase furusato nozei donations?")


def test_a_reply_that_is_no_japanese_question_is_not_searched() -> None:
    """An English echo, an empty reply, a reply too long to be a question, or a failing
    endpoint: the search runs with the English question alone."""
    for reply in ["How will Shinagawa increase donations?", "", "ふるさと納税" * 100]:
        assert japanese_wording(FakeListChatModel(responses=[reply]), "How?") is None
    preamble = FakeListChatModel(responses=["以下が日本語訳です：\n品川区の寄附はいくらか"])
    assert japanese_wording(preamble, "How much?") == "品川区の寄附はいくらか"

    class Down(FakeListChatModel):
        def invoke(self, *args: Any, **kwargs: Any) -> Any:
            raise ConnectionError("127.0.0.1:9 refused")

    assert japanese_wording(Down(responses=["x"]), "How?") is None
