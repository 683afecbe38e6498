from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
REPORT = CORPUS / "sumida-jichitai-dx-gyosei-chosa-r05.txt"
SHARED = ROOT.parent / "shared"
MINUTES = SHARED / "minutes"
SCALE = SHARED / "scale" / "shinagawa-minutes-r02-r07.jsonl.xz"


def need_shared(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared is only on developer and CI machines)")
    return path
