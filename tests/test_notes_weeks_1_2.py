"""The lecture notes of Weeks 1 and 2: the agreed structure, links into the notebooks, math the site can render, and
every worked number that has a twin in code recomputed with the notebook's own function (or with Keras).

A failure names the note and the number; fix the note (or the code, if the note is right)."""
import inspect
import math
import re
from urllib.parse import unquote

import numpy as np
import pytest

from utils.notebook_tools import ROOT, load_definitions, markdown_math_to_mathml

WEEK1 = ROOT / "Week-1" / "README.md"
WEEK2 = ROOT / "Week-2" / "README.md"
NOTES = [WEEK1, WEEK2]
SECTIONS = ["Outline", "Key concepts and definitions", "Important formulas", "Worked examples", "Practice questions",
            "Open questions", "References"]
AGREED_FIGURES = {"Week-1": {"rnn_cell", "lstm_cell", "gru_cell", "bidirectional_rnn", "deep_rnn"}, "Week-2": set()}

W1A1 = ROOT / "Week-1/W1A1_RNN_Step_by_Step/Building_a_Recurrent_Neural_Network_Step_by_Step.ipynb"
W1A2 = ROOT / "Week-1/W1A2_Dinosaur_Island/Dinosaur_Island_Character_Level_Language_Model.ipynb"
W1A3 = ROOT / "Week-1/W1A3_Jazz_Improvisation/Improvise_a_Jazz_Solo_with_an_LSTM.ipynb"
W2A1 = ROOT / "Week-2/W2A1_Word_Vector_Operations/Operations_on_Word_Vectors.ipynb"
LAB = ROOT / "Week-2/W2_Lab_Word2Vec/Word2Vec_from_Scratch.ipynb"


def text(path):
    return path.read_text(encoding="utf-8")


def h2_titles(path):
    return re.findall(r"^## (.+?)\s*$", text(path), re.M)


def section(path, title):
    """The text of one H2 section, up to the next H2."""
    match = re.search(rf"^## {re.escape(title)}\s*$(.*?)(?=^## |\Z)", text(path), re.M | re.S)
    assert match, f"{path.relative_to(ROOT)} has no section '## {title}'"
    return match.group(1)


def quotes(path, number):
    """Whether the note quotes `number` (as written, e.g. '0.9899' or '42,240'; TeX's 42{,}240 counts)."""
    return re.search(rf"(?<![\d.,]){re.escape(number)}(?![\d])", text(path).replace("{,}", ",")) is not None


def assert_quoted(path, *numbers):
    missing = [n for n in numbers if not quotes(path, n)]
    assert not missing, f"{path.relative_to(ROOT)} no longer quotes {missing}: update this test with the note"


# --- Structure -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", NOTES, ids=lambda p: p.parent.name)
def test_the_seven_agreed_sections_in_order(path):
    titles = h2_titles(path)
    present = [t for t in titles if t in SECTIONS]
    assert present == SECTIONS, f"{path.parent.name}: H2 sections {titles}; the agreed ones, in order: {SECTIONS}"
    # Lecture content may sit only between the key concepts and the formulas.
    first, formulas = titles.index("Key concepts and definitions"), titles.index("Important formulas")
    extra = [t for i, t in enumerate(titles) if t not in SECTIONS and not first < i < formulas]
    assert not extra, f"{path.parent.name}: H2 sections outside the agreed place: {extra}"


@pytest.mark.parametrize("path", NOTES, ids=lambda p: p.parent.name)
def test_key_concepts_are_a_glossary_list(path):
    items = re.findall(r"^- \*\*(.+?)\*\*", section(path, "Key concepts and definitions"), re.M)
    assert len(items) >= 15, f"{path.parent.name}: only {len(items)} glossary entries ('- **term**: definition')"


@pytest.mark.parametrize("path", NOTES, ids=lambda p: p.parent.name)
def test_every_practice_question_has_a_hidden_answer(path):
    practice = section(path, "Practice questions")
    questions = re.findall(r"^\*\*Q(\d+)\.\*\*", practice, re.M)
    assert questions == [str(i) for i in range(1, len(questions) + 1)], f"questions numbered {questions}"
    blocks = re.findall(r"<details>(.*?)</details>", text(path), re.S)
    assert len(blocks) == len(questions), f"{len(questions)} questions but {len(blocks)} <details> blocks"
    assert text(path).count("<details>") == len(blocks), "a <details> is not closed"
    for i, block in enumerate(blocks, 1):
        assert block.lstrip().startswith("<summary>Answer</summary>"), f"Q{i}: <details> must open with the summary"
        answer = block.split("</summary>", 1)[1].strip()
        assert len(answer) > 40, f"Q{i}: the <details> block holds no answer"
    # Each question is followed by its own answer, before the next question.
    for chunk in re.split(r"^\*\*Q\d+\.\*\*", practice, flags=re.M)[1:]:
        assert "<details><summary>Answer</summary>" in chunk, "a question without an answer block"


@pytest.mark.parametrize("path", NOTES, ids=lambda p: p.parent.name)
def test_formulas_table_has_the_agreed_columns_and_links_to_notebooks(path):
    rows = [line for line in section(path, "Important formulas").splitlines() if line.startswith("|")]
    assert rows[0] == "| Formula | What it means | Where it is used |", rows[0]
    assert rows[1] == "|---|---|---|"
    notebooks = 0
    for row in rows[2:]:
        # A '|' inside math would split the row: use \lvert ... \rvert in tables.
        cells = row.strip("|").split(" | ")
        assert len(cells) == 3 and all(c.strip() for c in cells), f"row with {len(cells)} cells: {row}"
        assert "$" in cells[0], f"the first column holds no formula: {row}"
        notebooks += bool(re.search(r"\]\([^)]+\.(html|ipynb)", cells[2]))
    assert len(rows) - 2 >= 10 and notebooks >= len(rows) - 4, "most formulas should link to the notebook using them"


def preview_ids(target):
    html = target.with_suffix(".html")
    return set(re.findall(r'\bid="([^"]+)"', html.read_text(encoding="utf-8")))


@pytest.mark.parametrize("path", NOTES, ids=lambda p: p.parent.name)
def test_links_into_notebooks_land_on_a_heading(path):
    links = re.findall(r"\]\(([^)\s#]+\.(?:html|ipynb))#([^)\s]+)\)", text(path))
    assert len(links) >= 20, "the formulas and worked examples should link to the cells that carry them out"
    missing = []
    for target, fragment in links:
        ids = preview_ids(path.parent / target)
        # Browsers try the fragment as written, then percent-decoded (how nbconvert's ids with '—' are reached).
        if fragment not in ids and unquote(fragment) not in ids:
            missing.append(f"{target}#{fragment}")
    assert not missing, f"anchors that match no heading of the preview: {missing}"


@pytest.mark.parametrize("path", NOTES, ids=lambda p: p.parent.name)
def test_figures_are_the_agreed_ones(path):
    figures = set(re.findall(r"!\[[^\]]*\]\(figures/([a-z_]+)\.png\)", text(path)))
    assert figures == AGREED_FIGURES[path.parent.name]
    # (That the files exist is checked with every other link by tests/test_repository.py.)


@pytest.mark.parametrize("path", NOTES, ids=lambda p: p.parent.name)
def test_math_converts_to_mathml_without_raw_tex(path):
    html = markdown_math_to_mathml(text(path))
    leftovers = sorted({tex for math_ in re.findall(r"<math.*?</math>", html, re.S)
                        for tex in re.findall(r"\\[A-Za-z]+", math_)})
    assert not leftovers, f"TeX the MathML converter leaves raw: {leftovers}"
    assert "$" not in re.sub(r"`[^`\n]*`", "", html), "an unmatched $ (math not converted)"


@pytest.mark.parametrize("path", NOTES, ids=lambda p: p.parent.name)
def test_references_are_cited_with_authors_and_years(path):
    entries = re.findall(r"^- (.+?)(?=^- |\Z)", section(path, "References"), re.M | re.S)
    assert len(entries) >= 8
    for entry in entries:
        assert re.search(r"\((19|20)\d\d[ab]?\)", entry), f"a reference without a year: {entry[:80]}"


# --- Week 1: numbers with a twin in code ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def w1a1():
    return load_definitions(W1A1)


def softmax(z):
    e = np.exp(np.asarray(z, dtype=float) - np.max(z))
    return e / e.sum()


TEMPERATURE_TABLE = {0.5: (0.867, 0.117, 0.016), 1.0: (0.665, 0.245, 0.090), 2.0: (0.506, 0.307, 0.186)}


def test_temperature_table_is_softmax_of_scaled_scores():
    assert_quoted(WEEK1, "(0.867, 0.117, 0.016)", "(0.665, 0.245, 0.090)", "(0.506, 0.307, 0.186)")
    for tau, quoted in TEMPERATURE_TABLE.items():
        np.testing.assert_allclose(softmax(np.array([2.0, 1.0, 0.0]) / tau), quoted, atol=5e-4)


def test_w1a3_sample_with_temperature_draws_the_quoted_distribution():
    """W1A3 reshapes probabilities, p ** (1/T); practice question Q11 says this equals softmax(z / T)."""
    sample_with_temperature = load_definitions(W1A3).sample_with_temperature
    p = softmax([2.0, 1.0, 0.0])
    rng = np.random.default_rng(0)
    for tau, quoted in TEMPERATURE_TABLE.items():
        draws = np.array([sample_with_temperature(p, tau, rng) for _ in range(20_000)])
        frequencies = np.bincount(draws, minlength=3) / draws.size
        np.testing.assert_allclose(frequencies, quoted, atol=0.012, err_msg=f"temperature {tau}")
    assert sample_with_temperature(p, 0, rng) == 0  # tau -> 0: the argmax


def test_language_model_examples():
    assert_quoted(WEEK1, "3.912", "2.303", "1.204", "0.693", "8.112", "8.517")
    probabilities = [0.02, 0.1, 0.3, 0.5]
    assert math.prod(probabilities) == pytest.approx(3e-4)
    assert [round(-math.log(p), 3) for p in probabilities] == [3.912, 2.303, 1.204, 0.693]
    assert round(-math.log(3e-4), 3) == 8.112
    assert round(-math.log(math.prod([0.01, 0.2, 0.25, 0.4])), 3) == 8.517  # Q5
    assert (round(math.e / (math.e + 2), 3), round(math.e ** 2 / (math.e ** 2 + 2), 3)) == (0.576, 0.787)  # Q6
    assert (round(0.9 ** 40, 3), round(1.1 ** 40)) == (0.015, 45)  # section 8


def test_q7_clipping_by_value_with_w1a2_clip_and_by_norm():
    assert_quoted(WEEK1, "(3, -4, 5)", "(1.154, -1.538, 4.615)")
    clip = load_definitions(W1A2).clip
    g = np.array([3.0, -4.0, 12.0])
    np.testing.assert_array_equal(clip({"dWaa": g}, 5)["dWaa"], [3, -4, 5])
    by_norm = g * 5 / np.linalg.norm(g)
    np.testing.assert_allclose(by_norm, [1.154, -1.538, 4.615], atol=5e-4)
    assert np.linalg.norm(g) == 13


def test_q8_gates_that_keep_the_state(w1a1):
    """GRU with Gamma_u = 0 and LSTM with Gamma_f = 1, Gamma_i = 0 copy the state, as Q8 answers."""
    rng = np.random.RandomState(8)
    n_x, n_a, n_y, m = 3, 4, 2, 5
    xt, a_prev, c_prev = rng.randn(n_x, m), rng.randn(n_a, m), rng.randn(n_a, m)

    def W():
        return rng.randn(n_a, n_a + n_x)
    gru = {"Wu": W(), "Wr": W(), "Wc": W(), "bu": np.full((n_a, 1), -50.0), "br": rng.randn(n_a, 1),
           "bc": rng.randn(n_a, 1), "Wy": rng.randn(n_y, n_a), "by": rng.randn(n_y, 1)}
    a_next = w1a1.gru_cell_forward(xt, a_prev, gru)[0]
    np.testing.assert_allclose(a_next, a_prev, atol=1e-12)
    lstm = {"Wf": W(), "Wi": W(), "Wc": W(), "Wo": W(), "bf": np.full((n_a, 1), 50.0), "bi": np.full((n_a, 1), -50.0),
            "bc": rng.randn(n_a, 1), "bo": rng.randn(n_a, 1), "Wy": rng.randn(n_y, n_a), "by": rng.randn(n_y, 1)}
    c_next = w1a1.lstm_cell_forward(xt, a_prev, c_prev, lstm)[1]
    np.testing.assert_allclose(c_next, c_prev, atol=1e-12)
    lstm["bf"], lstm["bi"] = -lstm["bf"], -lstm["bi"]  # forget everything, write the candidate
    a_next, c_next, _, cache = w1a1.lstm_cell_forward(xt, a_prev, c_prev, lstm)
    np.testing.assert_allclose(c_next, cache[6], atol=1e-12)  # cache[6] is the candidate cct


def keras_parameters(layer, input_shape):
    import keras
    model = keras.Sequential([keras.Input(input_shape), layer])
    return model.count_params()


def test_week1_parameter_counts_match_keras():
    import keras
    assert_quoted(WEEK1, "42,240", "10,560", "31,680", "31,872", "810,100", "808,000", "5,312", "180")
    L = keras.layers
    assert keras_parameters(L.LSTM(64), (None, 100)) == 42_240 == 4 * 64 * (64 + 100 + 1)
    assert keras_parameters(L.SimpleRNN(64), (None, 100)) == 10_560
    assert keras_parameters(L.GRU(64), (None, 100)) == 31_872  # reset_after=True: extra recurrent biases
    assert keras_parameters(L.GRU(64, reset_after=False), (None, 100)) == 31_680 == 3 * 64 * (64 + 100 + 1)
    assert keras_parameters(L.SimpleRNN(100), (None, 8000)) == 810_100  # Q2
    assert keras_parameters(L.Dense(8000), (100,)) == 808_000
    assert keras_parameters(L.Bidirectional(L.SimpleRNN(32)), (None, 50)) == 5_312  # Q4
    assert keras_parameters(L.Dense(5), (64,)) == 325
    assert keras_parameters(L.LSTM(5), (None, 3)) == 180  # worked example B
    assert keras_parameters(L.SimpleRNN(32), (None, 10)) + keras_parameters(L.SimpleRNN(32), (None, 32)) \
        + keras_parameters(L.Dense(4), (32,)) == 3_588  # Q10


def test_week1_claims_about_keras_defaults():
    """Section 10: Keras initialises the forget-gate bias to 1; section 9: its GRU resets after the weights."""
    import keras
    assert keras.layers.LSTM(4).unit_forget_bias is True
    assert keras.layers.GRU(4).reset_after is True
    lstm = keras.layers.LSTM(3)
    lstm.build((None, None, 2))
    bias = lstm.cell.bias.numpy()  # Keras' gate order: input, forget, candidate, output
    np.testing.assert_array_equal(bias, [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0])


# --- Week 2: numbers with a twin in code ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def w2a1():
    return load_definitions(W2A1)


@pytest.fixture(scope="module")
def lab():
    return load_definitions(LAB)


def test_section1_feature_table_cosines(w2a1):
    table = {"violin": (0.98, 0.95, 0.00, 0.01, 0.30), "cello": (0.97, 0.96, 0.01, 0.00, 0.70),
             "trumpet": (0.99, 0.02, 0.00, 0.00, 0.35), "carrot": (0.01, 0.00, 0.97, 0.93, 0.15),
             "turnip": (0.00, 0.01, 0.95, 0.96, 0.20)}
    quoted = {("violin", "cello"): "0.967", ("violin", "trumpet"): "0.746", ("violin", "carrot"): "0.034",
              ("carrot", "turnip"): "0.999"}
    assert_quoted(WEEK2, *quoted.values())
    for (u, v), value in quoted.items():
        assert f"{w2a1.cosine_similarity(np.array(table[u]), np.array(table[v])):.3f}" == value, (u, v)


def test_q2_offsets_and_3cosadd_disagree_as_quoted(w2a1):
    assert_quoted(WEEK2, "0.9762", "0.9899", "0.9778")
    vectors = {w: np.array(v, dtype=float) for w, v in {"kitten": (1, 3), "cat": (3, 3), "puppy": (1, 1),
                                                         "dog": (2.8, 1.4), "wolfhound": (9, 1)}.items()}
    assert w2a1.complete_analogy("kitten", "cat", "puppy", vectors) == "wolfhound"  # offsets
    d = vectors["cat"] - vectors["kitten"]
    assert round(w2a1.cosine_similarity(d, vectors["dog"] - vectors["puppy"]), 4) == 0.9762
    target = d + vectors["puppy"]
    scores = {w: w2a1.cosine_similarity(vectors[w], target) for w in ("dog", "wolfhound")}
    assert (round(scores["dog"], 4), round(scores["wolfhound"], 4)) == (0.9899, 0.9778)  # 3CosAdd: dog


def test_q4_negative_sampling_loss_and_factors(lab):
    assert_quoted(WEEK2, "1.4143", "-0.1192", "0.2689", "0.6225", "4.1589")
    v_c, u_o, u_neg = np.array([[1.0]]), np.array([[2.0]]), np.array([[[-1.0], [0.5]]])
    loss, gradients = lab.sgns_loss_and_gradients(v_c, u_o, u_neg)
    assert round(loss, 4) == 1.4143
    # With v_c = 1 the gradients of the output vectors are the factors themselves.
    assert round(float(gradients["du_o"][0, 0]), 4) == -0.1192
    np.testing.assert_allclose(gradients["du_neg"].ravel(), [0.2689, 0.6225], atol=5e-5)
    zeros_loss, _ = lab.sgns_loss_and_gradients(np.ones((1, 3)), np.zeros((1, 3)), np.zeros((1, 5, 3)))
    assert round(zeros_loss, 4) == round(6 * math.log(2), 4) == 4.1589


def test_q5_noise_distribution_and_subsampling(lab):
    assert_quoted(WEEK2, "0.750, 0.222, 0.028", "0.183")
    np.testing.assert_allclose(lab.noise_distribution([81, 16, 1]), [27 / 36, 8 / 36, 1 / 36])
    np.testing.assert_allclose(lab.noise_distribution([81, 16, 1]), [0.750, 0.222, 0.028], atol=5e-4)
    keep = lab.subsample_keep_probability([40, 2, 958], t=1e-3)  # frequencies 0.04, 0.002, 0.958
    assert round(keep[0], 3) == 0.183 and keep[1] == 1.0
    assert round(900 ** 0.75) == 164  # section 8


def test_lab_constants_match_the_notes(lab):
    """The notes say the lab uses t = 10^-3 and the power 3/4."""
    assert inspect.signature(lab.subsample_keep_probability).parameters["t"].default == 1e-3
    assert inspect.signature(lab.noise_distribution).parameters["power"].default == 0.75


def test_q7_neutralize(w2a1):
    assert_quoted(WEEK2, "(0.8, -0.6, 3)", "0.535")
    g, e = np.array([0.6, 0.8, 0.0]), np.array([2.0, 1.0, 3.0])
    debiased = w2a1.neutralize("word", g, {"word": e})
    np.testing.assert_allclose(debiased, [0.8, -0.6, 3.0], atol=1e-12)
    assert round(w2a1.cosine_similarity(e, g), 3) == 0.535


def test_q11_equalize_gives_unit_vectors_symmetric_about_g(w2a1):
    g = np.array([1.0, 0.0, 0.0])
    vectors = {"she": np.array([0.9, 0.6, 0.2]), "he": np.array([-0.3, 0.8, 0.1])}
    e1, e2 = w2a1.equalize(("she", "he"), g, vectors)
    assert np.linalg.norm(e1) == pytest.approx(1) and np.linalg.norm(e2) == pytest.approx(1)
    assert e1 @ g == pytest.approx(-(e2 @ g))
    np.testing.assert_allclose(e1 - (e1 @ g) * g, e2 - (e2 @ g) * g, atol=1e-12)


def test_glove_weighting_and_q6():
    assert_quoted(WEEK2, "0.032", "0.178", "0.595", "0.2991", "0.0115")
    x_max, alpha = 100, 0.75  # Pennington et al. (2014)

    def f(x):
        return min(1.0, (x / x_max) ** alpha)
    assert [round(f(x), 3) for x in (1, 10, 50)] == [0.032, 0.178, 0.595]
    assert round(f(20), 4) == 0.2991
    assert round(f(20) * (2.5 + 0.2 + 0.1 - math.log(20)) ** 2, 4) == 0.0115


def test_q3_and_section7_tree_depths():
    assert math.ceil(math.log2(10_000)) == 14 and math.ceil(math.log2(30_000)) == 15


def test_week2_parameter_counts_match_keras():
    import keras
    assert_quoted(WEEK2, "91,648", "131,584", "645", "223,877", "255")
    L = keras.layers
    first = keras_parameters(L.LSTM(128, return_sequences=True), (None, 50))
    second = keras_parameters(L.LSTM(128), (None, 128))
    dense = keras_parameters(L.Dense(5), (128,))
    assert (first, second, dense) == (91_648, 131_584, 645) and first + second + dense == 223_877
    assert keras_parameters(L.Dense(5), (50,)) == 255  # Emojifier-V1's softmax layer


def test_q12_bits_per_character_with_the_labs_function():
    from utils.word_lm import bits_per_character
    assert_quoted(WEEK1, "90.5", "1.833", "1.548")

    class ThirtyBits:  # a spelling model that charges 30 bits for every unknown word
        def bits(self, token):
            return 30.0

    tokens = [" ab"] * 8000 + [" abcdefgh"] * 2000    # 8,000 x 3 + 2,000 x 9 = 42,000 characters
    assert sum(map(len, tokens)) == 42000
    known = [True] * 9600 + [False] * 400
    bpc = bits_per_character(np.full(10000, 6.5), tokens, known, ThirtyBits())
    assert round(bpc, 3) == 1.833
    assert round(bits_per_character(np.full(10000, 6.5), tokens, [True] * 10000, ThirtyBits()), 3) == 1.548
    assert round(2 ** 6.5, 1) == 90.5
