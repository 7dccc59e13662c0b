"""The MiniLM embedder every engine stage shares: packing sentences into token-budget batches must
never change a sentence's vector, only how fast it is computed."""

from __future__ import annotations

import numpy as np

from aaie.engine import embeddings as E

SHORT = "Phones distract students."
MEDIUM = "Schools that ban phones during lessons report fewer interruptions and better focus."
LONG = " ".join(["The debate about technology in classrooms has many sides"] * 40) + "."


def test_vector_does_not_depend_on_batch_neighbours_or_order() -> None:
    emb = E.get_embedder()
    alone = emb.embed([MEDIUM])[0]
    mixed = emb.embed([LONG, SHORT, MEDIUM, SHORT + " Really.", LONG[:400]])
    assert np.allclose(mixed[2], alone, atol=1e-5)
    assert np.allclose(emb.embed([SHORT, MEDIUM])[::-1], emb.embed([MEDIUM, SHORT]), atol=1e-5)


def test_vectors_are_unit_length_and_meaningful() -> None:
    emb = E.get_embedder()
    v = emb.embed([MEDIUM, "Banning mobile phones in class helps pupils concentrate.", LONG])
    assert v.shape == (3, 384)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    related = "Banning mobile phones in class helps pupils concentrate."
    unrelated = "The recipe needs two eggs and a cup of flour."
    a, b, c = emb.embed([MEDIUM, related, unrelated])
    assert a @ b > a @ c + 0.2  # padding must not leak into the mean pooling


def test_token_batches_cover_every_sentence_once_within_the_budget() -> None:
    lengths = [5, 300, 12, 12, 40, 7, 256, 90, 3, 64, 64, 64, 64, 65]
    batches = E._token_batches(lengths)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for b in batches:
        assert len(b) == 1 or len(b) * max(lengths[i] for i in b) <= E._TOKEN_BUDGET
    # Short sentences share a batch rather than each costing an onnxruntime call.
    assert any(len(b) > 2 for b in batches)
