"""Tests of the GloVe loader and the W2A1 word-vector functions beyond the graded tests."""
import numpy as np
import pytest

from utils.notebook_tools import ROOT, load_definitions
from utils.w2v_utils import Embeddings, glove_embeddings, load_glove, nearest_words, read_glove_vecs, vector_of

W2A1 = ROOT / "Week-2/W2A1_Word_Vector_Operations/Operations_on_Word_Vectors.ipynb"


@pytest.fixture(scope="module")
def w2a1():
    return load_definitions(W2A1)


def test_glove_rows_are_the_original_vectors_in_the_original_order():
    words, matrix = load_glove()
    assert matrix.shape == (400000, 50) and len(words) == 400000
    assert words[:5] == ["the", ",", ".", "of", "to"] and words[-1] == "sandberger"
    # Values as printed in glove.6B.50d.txt.
    np.testing.assert_allclose(matrix[0][:4], [0.418, 0.24968, -0.41242, 0.1217], rtol=1e-6)
    king = matrix[words.index("king")]
    np.testing.assert_allclose(king[:4], [0.50451, 0.68607, -0.59517, -0.022801], rtol=1e-5)


def test_read_glove_vecs_matches_the_matrix_and_is_read_only():
    words, word_to_vec_map = read_glove_vecs()
    assert len(words) == 400000 and "frog" in words
    with pytest.raises(ValueError):
        word_to_vec_map["the"][0] = 0.0


def test_read_glove_vecs_reads_a_text_file(tmp_path):
    path = tmp_path / "tiny.txt"
    path.write_text("cat 0.5 -1.0\ndog 0.25 2\n")
    words, word_to_vec_map = read_glove_vecs(path)
    assert words == {"cat", "dog"}
    np.testing.assert_array_equal(word_to_vec_map["dog"], [0.25, 2.0])


def test_unknown_words_raise_key_error_naming_the_word(w2a1):
    _, word_to_vec_map = read_glove_vecs()
    with pytest.raises(KeyError, match="florbix"):
        vector_of("florbix", word_to_vec_map)
    with pytest.raises(KeyError, match="florbix"):
        w2a1.complete_analogy_fast("man", "woman", "florbix", glove_embeddings())
    with pytest.raises(KeyError, match="florbix"):
        w2a1.neutralize("florbix", np.ones(50), word_to_vec_map)


def test_nearest_words_excludes_and_ranks():
    _, word_to_vec_map = read_glove_vecs()
    neighbours = nearest_words(word_to_vec_map["frog"], k=3, exclude={"frog"})
    assert [w for w, _ in neighbours] == ["snake", "ape", "toad"]
    assert neighbours[0][1] >= neighbours[1][1] >= neighbours[2][1]
    with pytest.raises(ValueError, match="zero vector"):
        nearest_words(np.zeros(50))


def test_fast_analogy_gives_the_loops_answer(w2a1):
    """On the 30,000 most frequent words (so the loop stays quick), for many analogies."""
    words, matrix = load_glove()
    subset = {w: matrix[i] for i, w in enumerate(words[:30000])}
    table = Embeddings.from_map(subset)
    triads = [("man", "woman", "king"), ("paris", "france", "tokyo"), ("good", "better", "bad"),
              ("walk", "walked", "run"), ("mouse", "mice", "child"), ("cold", "hot", "dark"),
              ("one", "two", "three"), ("doctor", "hospital", "teacher")]
    for triad in triads:
        assert w2a1.complete_analogy_fast(*triad, table) == w2a1.complete_analogy(*triad, subset), triad


def test_cosine_similarity_is_symmetric_and_scale_invariant(w2a1):
    rng = np.random.RandomState(0)
    for _ in range(20):
        u, v = rng.standard_normal(7), rng.standard_normal(7)
        assert w2a1.cosine_similarity(u, v) == pytest.approx(w2a1.cosine_similarity(v, u))
        assert w2a1.cosine_similarity(3 * u, 0.5 * v) == pytest.approx(w2a1.cosine_similarity(u, v))
        assert -1.0 <= w2a1.cosine_similarity(u, v) <= 1.0
