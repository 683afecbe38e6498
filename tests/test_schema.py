"""Every metadata key the chunker writes is declared in rag.schema (and nothing declared is
forgotten), so the TypedDict mypy checks against stays true."""

from __future__ import annotations

from typing import get_type_hints

from rag.chunking import chunk_source
from rag.loading import load_documents
from rag.schema import ChunkMetadata, Person
from tests.conftest import CORPUS, MINUTES, ROOT


def test_chunk_metadata_keys_are_all_declared() -> None:
    paths = [CORPUS, ROOT / "tests" / "fixtures" / "minutes"] + (
        [MINUTES] if MINUTES.exists() else []
    )
    seen: set[str] = set()
    people: set[str] = set()
    for doc in load_documents(paths, []):
        for chunk in chunk_source(doc):
            seen |= chunk.metadata.keys()
            for p in [chunk.metadata.get("questioner"), *chunk.metadata.get("answerers", [])]:
                people |= (p or {}).keys()
    declared = set(get_type_hints(ChunkMetadata))
    assert seen <= declared, seen - declared
    assert people <= set(get_type_hints(Person))
    if MINUTES.exists():  # reports and minutes together use every declared key
        assert declared == seen, declared - seen
