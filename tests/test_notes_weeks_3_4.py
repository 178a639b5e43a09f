"""The lecture notes of Weeks 3 and 4: the agreed structure, hidden answers, formulas that convert to MathML, and
the formulas and numbers the notes quote checked against the notebooks' own functions (loaded with
`load_definitions`, so a change in a notebook that contradicts its notes fails here)."""
import math
import re

import numpy as np
import pytest

from utils.notebook_tools import CODE_SPANS, ROOT, load_definitions, markdown_math_to_mathml

WEEK3 = ROOT / "Week-3" / "README.md"
WEEK4 = ROOT / "Week-4" / "README.md"
NOTES = [WEEK3, WEEK4]
SECTIONS = ["Outline", "Key concepts and definitions", "Important formulas", "Worked examples", "Practice questions",
            "Open questions", "References"]
BLEU_LAB = ROOT / "Week-3/W3_Lab_Beam_Search_and_BLEU/Beam_Search_and_BLEU.ipynb"
W3A1 = ROOT / "Week-3/W3A1_Date_Translation_with_Attention/Neural_Machine_Translation_with_Attention.ipynb"
W3A2 = ROOT / "Week-3/W3A2_Trigger_Word_Detection/Trigger_Word_Detection.ipynb"
CTC_LAB = ROOT / "Week-3/W3_Lab_Speech_Recognition_with_CTC/Speech_Recognition_with_CTC.ipynb"
W4A1 = ROOT / "Week-4/W4A1_Transformer/Transformer_Network.ipynb"
NER_LAB = ROOT / "Week-4/W4_Lab_Named_Entity_Recognition/Named_Entity_Recognition.ipynb"
QA_LAB = ROOT / "Week-4/W4_Lab_Question_Answering/Question_Answering.ipynb"


def text_of(path):
    return path.read_text(encoding="utf-8")


def without_code(markdown):
    return re.sub(r"```.*?```", "", markdown, flags=re.S)


def h2_titles(markdown):
    return re.findall(r"^## (.+?)\s*$", without_code(markdown), flags=re.M)


def section(markdown, title):
    """The body of the H2 section with this title (up to the next H2)."""
    match = re.search(rf"^## {re.escape(title)}\s*$(.*?)(?=^## |\Z)", without_code(markdown), flags=re.M | re.S)
    assert match, f"no section '## {title}'"
    return match.group(1)


def quotes(markdown, figure):
    """Whether the notes quote this figure as a number (not as part of a longer one)."""
    return re.search(rf"(?<![\d.]){re.escape(figure)}(?![\d])", markdown) is not None


def check_quoted(markdown, figure, value, fmt):
    assert format(value, fmt) == figure, f"the notes quote {figure}, the notebook's code gives {value:{fmt}}"
    assert quotes(markdown, figure), f"the notes no longer quote {figure}: update this test"


# --- structure ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("notes", NOTES, ids=lambda p: p.parent.name)
def test_notes_have_the_agreed_sections_in_order(notes):
    titles = h2_titles(text_of(notes))
    agreed = [title for title in titles if title in SECTIONS]
    assert agreed == SECTIONS, f"{notes.parent.name}: the agreed H2 sections, in order, are {SECTIONS}; found {agreed}"
    first, last = titles.index("Key concepts and definitions"), titles.index("Important formulas")
    misplaced = [title for i, title in enumerate(titles) if title not in SECTIONS and not first < i < last]
    assert not misplaced, f"lecture sections must sit between Key concepts and Important formulas: {misplaced}"


@pytest.mark.parametrize("notes", NOTES, ids=lambda p: p.parent.name)
def test_key_concepts_is_a_glossary(notes):
    entries = re.findall(r"^- \*\*[^*]+\*\*.*?: \S", section(text_of(notes), "Key concepts and definitions"), re.M)
    assert len(entries) >= 15, f"{notes.parent.name}: the glossary has {len(entries)} '- **term**: definition' entries"


@pytest.mark.parametrize("notes", NOTES, ids=lambda p: p.parent.name)
def test_formulas_table_says_where_each_formula_is_used(notes):
    body = section(text_of(notes), "Important formulas")
    rows = [line for line in body.splitlines() if line.startswith("|")]
    assert rows[0].replace(" ", "") == "|Formula|Whatitmeans|Whereitisused|", rows[0]
    for row in rows[2:]:
        cells = [cell.strip() for cell in row.strip("|").split(" | ")]
        assert len(cells) == 3 and all(cells), f"a row needs three cells: {row}"
        where = cells[2]
        if where.startswith("Lecture only"):
            continue
        notebooks = re.findall(r"\]\(([^)]+\.ipynb)\)", where)
        assert notebooks, f"'where it is used' must link the notebook: {row}"
        assert all((notes.parent / nb).exists() for nb in notebooks), notebooks
        assert re.search(r"§\d|Exercise|`\w+`", where), f"'where it is used' must name the section or exercise: {row}"


@pytest.mark.parametrize("notes", NOTES, ids=lambda p: p.parent.name)
def test_worked_examples_link_every_notebook_of_the_week(notes):
    body = section(text_of(notes), "Worked examples")
    for notebook in sorted(notes.parent.glob("*/*.ipynb")):
        if not notebook.stem.endswith("_exercise"):
            assert f"]({notebook.relative_to(notes.parent)})" in body, f"no worked example links {notebook.name}"


@pytest.mark.parametrize("notes", NOTES, ids=lambda p: p.parent.name)
def test_every_practice_question_hides_its_answer(notes):
    markdown = text_of(notes)
    assert markdown.count("<details>") == markdown.count("</details>")
    blocks = re.findall(r"<details>(.*?)</details>", markdown, flags=re.S)
    for block in blocks:
        assert block.startswith("<summary>Answer</summary>"), block[:60]
        answer = block[len("<summary>Answer</summary>"):].strip()
        assert len(answer) > 40, f"an empty or stub answer: {answer!r}"
    practice = section(markdown, "Practice questions")
    questions = re.findall(r"^\*\*Q\d+\.", practice, flags=re.M)
    assert len(questions) >= 10 and len(questions) == len(re.findall("<details>", practice)), \
        "every practice question is followed by one <details> answer"
    assert "*Answer:*" not in practice, "answers must be hidden in <details>, not inline"
    for question in re.split(r"^(?=\*\*Q\d+\.)", practice, flags=re.M)[1:]:
        assert "<details><summary>Answer</summary>" in question, f"no hidden answer after {question[:60]!r}"


@pytest.mark.parametrize("notes", NOTES, ids=lambda p: p.parent.name)
def test_formulas_convert_to_mathml_without_raw_tex(notes):
    html = markdown_math_to_mathml(text_of(notes))
    outside_code = "".join(CODE_SPANS.split(html)[0::2])
    assert "$" not in outside_code, "a $ left over: an inline formula split across lines, or an unpaired $"
    for math_element in re.findall(r"<math.*?</math>", html, flags=re.S):
        raw = re.findall(r"\\[A-Za-z]+", math_element)
        assert not raw, f"TeX that latex2mathml could not convert: {raw} in {math_element[:200]}"


def test_week_3_embeds_the_attention_figure():
    assert "](figures/attention_model.png)" in text_of(WEEK3)


def test_week_4_embeds_the_transformer_figures():
    markdown = text_of(WEEK4)
    for name in ("scaled_dot_product_attention", "multi_head_attention", "transformer_encoder_block",
                 "transformer_decoder_block"):
        assert f"](figures/{name}.png)" in markdown, name


def test_week_4_has_the_transformer_summary():
    summary = section(text_of(WEEK4), "9. The Transformer in one place")
    for part in ("positional encoding", "padding mask", "look-ahead mask", "encoder-decoder attention",
                 "teacher forcing", "Decoding", "softmax"):
        assert part.lower() in summary.lower(), part


@pytest.mark.parametrize("notes,cited", [
    (WEEK3, ["Sutskever", "Cho, K.", "Bahdanau", "Papineni", "Graves, A.", "Chen, G.", "Vinyals"]),
    (WEEK4, ["Vaswani", "Devlin", "Rajpurkar", "Tjong Kim Sang", "Weston"]),
], ids=["Week-3", "Week-4"])
def test_references_cite_the_sources(notes, cited):
    references = section(text_of(notes), "References")
    for author in cited:
        assert author in references, author
    for entry in re.findall(r"^- (.+?)(?=^- |\Z)", references, flags=re.M | re.S):
        assert re.search(r"\((19|20)\d\d\)", entry) and "<http" in entry, f"author (year) and a URL: {entry[:80]}"


# --- Week 3: formulas and numbers against the notebooks -------------------------------------------------------------

@pytest.fixture(scope="module")
def bleu_lab():
    return load_definitions(BLEU_LAB)


def test_brevity_penalty_of_the_notes_is_the_notebooks(bleu_lab):
    def notes_bp(c, r):  # the notes' formula: 1 if c >= r, e^(1 - r/c) if 0 < c < r, 0 if c = 0 < r
        return 1.0 if c >= r else (math.exp(1 - r / c) if c > 0 else 0.0)
    for c in range(0, 15):
        for r in range(0, 15):
            assert bleu_lab.brevity_penalty(c, r) == pytest.approx(notes_bp(c, r), abs=1e-15), (c, r)


def test_bleu_examples_of_the_notes(bleu_lab):
    markdown = text_of(WEEK3)
    split = str.split
    # The ferry example of section 6.
    references = [split("the ferry leaves the harbour at seven every morning"),
                  split("every morning at seven the ferry departs from the port")]
    candidate = split("every morning the ferry leaves the port at seven")
    counts = [bleu_lab.modified_precision(candidate, references, n) for n in range(1, 5)]
    assert counts == [(9, 9), (6, 8), (2, 7), (1, 6)]
    check_quoted(markdown, "0.435", bleu_lab.corpus_bleu([candidate], [references]), ".3f")
    # Practice question 4.
    references = [split("the river flooded the old market square"),
                  split("the old square by the market was flooded by the river")]
    candidate = split("the river flooded the old square")
    assert [bleu_lab.modified_precision(candidate, references, n) for n in range(1, 5)] == [(6, 6), (5, 5), (4, 4),
                                                                                              (2, 3)]
    check_quoted(markdown, "0.8465", bleu_lab.brevity_penalty(6, 7), ".4f")
    check_quoted(markdown, "0.765", bleu_lab.corpus_bleu([candidate], [references]), ".3f")
    # Practice question 5: clipping, and a zero bigram precision.
    river = split("river river river river")
    assert bleu_lab.modified_precision(river, references, 1) == (1, 4)
    assert bleu_lab.corpus_bleu([river], [references]) == 0.0
    # The lab's worked example, quoted in the worked examples and in practice question 11.
    references = [split("the twenty first of august twenty sixteen"), split("august the twenty first twenty sixteen")]
    wrong_year, no_year = split("august the twenty first twenty seventeen"), split("august the twenty first")
    sentence = [bleu_lab.corpus_bleu([wrong_year], [references]), bleu_lab.corpus_bleu([no_year], [references])]
    check_quoted(markdown, "0.7598", sentence[0], ".4f")
    check_quoted(markdown, "0.6065", sentence[1], ".4f")
    check_quoted(markdown, "0.6832", sum(sentence) / 2, ".4f")
    check_quoted(markdown, "0.6858", bleu_lab.corpus_bleu([wrong_year, no_year], [references] * 2), ".4f")


def test_length_normalisation_examples_of_the_notes(bleu_lab):
    markdown = text_of(WEEK3)
    score = bleu_lab.normalised_score
    check_quoted(markdown, "-1.20", score(-6.0, 5, 1.0), ".2f")
    check_quoted(markdown, "-0.90", score(-8.1, 9, 1.0), ".2f")
    check_quoted(markdown, "-1.945", score(-6.0, 5, 0.7), ".3f")
    check_quoted(markdown, "-1.740", score(-8.1, 9, 0.7), ".3f")


def test_beam_search_example_of_practice_question_1(bleu_lab):
    """Q1: greedy returns AC (0.30), a beam of 2 returns BA (0.32). Outputs have exactly two tokens, then <end>."""
    A, B, C, END, START = range(5)
    table = {(): {A: 0.5, B: 0.4, C: 0.1}, (A,): {A: 0.1, B: 0.3, C: 0.6}, (B,): {A: 0.8, B: 0.1, C: 0.1},
             (C,): {A: 0.2, B: 0.2, C: 0.6}}

    def next_log_probs(prefixes):
        rows = np.full((len(prefixes), 5), -np.inf)
        for row, prefix in zip(rows, prefixes):
            words = tuple(prefix[1:])
            for token, p in (table[words].items() if len(words) < 2 else [(END, 1.0)]):
                row[token] = math.log(p)
        return rows

    (greedy, greedy_log_prob), = bleu_lab.beam_search(next_log_probs, START, END, beam_width=1)
    assert greedy == [A, C, END] and math.exp(greedy_log_prob) == pytest.approx(0.30)
    best, best_log_prob = bleu_lab.beam_search(next_log_probs, START, END, beam_width=2)[0]
    assert best == [B, A, END] and math.exp(best_log_prob) == pytest.approx(0.32)


def test_lstm_parameter_formula_and_w3a1_model_size():
    import keras
    w3a1 = load_definitions(W3A1)
    model = w3a1.modelf(30, 10, 32, 64, 44, 11)
    check_quoted(text_of(WEEK3), "54,752", model.count_params(), ",")

    def lstm_params(units, inputs):  # the notes' 4 n (n + n_in + 1)
        layer = keras.layers.LSTM(units)
        layer.build((None, 5, inputs))
        return layer.count_params()
    for units, inputs in [(32, 44), (64, 64), (16, 30), (48, 32)]:
        assert lstm_params(units, inputs) == 4 * units * (units + inputs + 1)
    # Practice question 7: 22,813 parameters in all.
    total = 2 * lstm_params(16, 30) + (80 + 1) * 8 + (8 + 1) + lstm_params(48, 32) + (48 + 1) * 12
    check_quoted(text_of(WEEK3), "22,813", total, ",")


def test_attention_example_of_practice_question_6():
    """Q6 with W4A1's scaled_dot_product_attention: one query 1 against keys = the energies (d_k = 1), values a."""
    from keras import ops
    w4a1 = load_definitions(W4A1)
    energies, values = np.array([[2.0], [0.5], [-1.0], [0.5]]), np.array([[1.0], [4.0], [-2.0], [0.0]])
    context, weights = w4a1.scaled_dot_product_attention(np.array([[1.0]]), energies, values, None)
    weights, context = ops.convert_to_numpy(weights)[0], float(ops.convert_to_numpy(context)[0, 0])
    markdown = text_of(WEEK3)
    assert "$\\alpha = (0.668, 0.149, 0.033, 0.149)$" in markdown
    assert [f"{w:.3f}" for w in weights] == ["0.668", "0.149", "0.033", "0.149"]
    check_quoted(markdown, "1.198", context, ".3f")


def test_trigger_word_frame_labels_and_lengths():
    import keras
    w3a2 = load_definitions(W3A2)
    y = np.zeros((1, 1375))
    for end_ms in (2000, 5000, 8000):
        y = w3a2.insert_ones(y, end_ms)
    starts = [int(end_ms * 1375 / 10000.0) + 1 for end_ms in (2000, 5000, 8000)]
    assert y.sum() == 150 and all(y[0, s:s + 50].all() and y[0, s - 1] == 0 for s in starts), \
        "the notes say: 1 for the 50 steps right after each end"
    # Practice question 10 (a): 3 x 50 ones in 1,000 steps.
    y = np.zeros((1, 1000))
    for end_ms in (2000, 5000, 8000):
        y = w3a2.insert_ones(y, end_ms)
    assert 1 - y.mean() == pytest.approx(0.85)
    # The spectrogram and convolution lengths of the formulas table and practice question 12.
    assert (441_000 - 200) // 80 + 1 == 5511
    assert keras.layers.Conv1D(196, 15, strides=4).compute_output_shape((None, 5511, 101)) == (None, 1375, 196)


def test_ctc_greedy_trap_of_practice_question_13_and_the_alignments_of_call():
    import itertools
    lab = load_definitions(CTC_LAB)
    markdown = text_of(WEEK3)
    log_probs = np.log(np.array([[0.5, 0.4, 0.1]] * 3))
    assert lab.ctc_greedy_decode(log_probs) == [], "the notes say greedy decoding returns the empty text"
    (best, log_p), *_ = lab.ctc_prefix_beam_search(log_probs, beam_width=8)
    assert best == (1,)
    check_quoted(markdown, "0.524", math.exp(log_p), ".3f")
    check_quoted(markdown, "0.125", 0.5 ** 3, ".3f")
    alignments = [p for p in itertools.product(range(3), repeat=3) if lab.ctc_collapse(p) == [1]]
    assert len(alignments) == 6 and "six alignments" in markdown
    # The forward recursion of the notes is the lab's ctc_loss: -log of the same 0.524.
    assert math.isclose(lab.ctc_loss(log_probs, [1]), -log_p, rel_tol=1e-12)


# --- Week 4 -------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def w4a1():
    return load_definitions(W4A1)


def test_positional_encoding_formula_of_the_notes_is_the_notebooks(w4a1):
    d, positions = 64, 50
    pos, k = np.arange(positions)[:, None], np.arange(d)[None, :]
    angles = pos / 10000 ** (2 * (k // 2) / d)  # PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(...)
    notes_pe = np.where(k % 2 == 0, np.sin(angles), np.cos(angles))
    np.testing.assert_allclose(w4a1.positional_encoding(positions, d)[0], notes_pe, atol=1e-6)
    np.testing.assert_allclose(w4a1.get_angles(pos, k, d), angles, rtol=1e-12)


def test_positional_encoding_facts_of_the_notes(w4a1):
    markdown = text_of(WEEK4)
    pe = w4a1.positional_encoding(40, 50)[0].astype(np.float64)
    np.testing.assert_allclose(pe[0], np.tile([0.0, 1.0], 25))  # [0, 1, 0, 1, ...]
    check_quoted(markdown, "0.841", pe[1, 0], ".3f")
    check_quoted(markdown, "0.540", pe[1, 1], ".3f")
    np.testing.assert_allclose(np.linalg.norm(pe, axis=1), 5.0, rtol=1e-6)  # sqrt(d/2) = 5 for d = 50
    omegas = 10000.0 ** (-2 * np.arange(25) / 50)
    for k in (0, 1, 3, 17):  # PE(p) . PE(p + k) = sum_i cos(omega_i k), whatever p
        np.testing.assert_allclose(np.sum(pe[:40 - k] * pe[k:], axis=1), np.cos(omegas * k).sum(), atol=1e-4)
    # Practice question 8, d = 4.
    pe4 = w4a1.positional_encoding(4, 4)[0].astype(np.float64)
    assert [f"{v:.3f}" for v in pe4[2]] == ["0.909", "-0.416", "0.020", "1.000"]
    check_quoted(markdown, "1.540", pe4[2] @ pe4[3], ".3f")


def test_masks_of_the_worked_examples(w4a1):
    from keras import ops
    padding = ops.convert_to_numpy(w4a1.create_padding_mask(np.array([[7, 6, 0, 0, 1]])))
    np.testing.assert_array_equal(padding, [[[1, 1, 0, 0, 1]]])
    look_ahead = ops.convert_to_numpy(w4a1.create_look_ahead_mask(3))
    np.testing.assert_array_equal(look_ahead, [[[1, 0, 0], [1, 1, 0], [1, 1, 1]]])
    markdown = text_of(WEEK4)
    assert "`[[[1, 1, 0, 0, 1]]]`" in markdown and "`[[1,0,0],[1,1,0],[1,1,1]]`" in markdown


def test_attention_formula_of_the_notes_is_the_notebooks(w4a1):
    from keras import ops
    rng = np.random.RandomState(0)
    q, k, v = rng.randn(2, 3, 4), rng.randn(2, 5, 4), rng.randn(2, 5, 2)
    mask = np.array([[[1, 1, 1, 0, 0]], [[1, 0, 1, 1, 1]]], dtype=np.float32)
    scores = q @ k.transpose(0, 2, 1) / math.sqrt(4) + (1 - mask) * -1e9  # QK^T / sqrt(d_k) + M
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights /= weights.sum(axis=-1, keepdims=True)
    output, got = w4a1.scaled_dot_product_attention(q.astype("float32"), k.astype("float32"), v.astype("float32"),
                                                    mask)
    np.testing.assert_allclose(ops.convert_to_numpy(got), weights, atol=1e-5)
    np.testing.assert_allclose(ops.convert_to_numpy(output), weights @ v, atol=1e-5)


def test_attention_example_of_practice_question_7(w4a1):
    from keras import ops
    markdown = text_of(WEEK4)
    q, k, v = np.array([[1.0, 0.0]]), np.array([[2.0, 0.0], [0.0, 2.0], [2.0, 2.0]]), np.array([[1.0], [2.0], [3.0]])
    output, weights = w4a1.scaled_dot_product_attention(q, k, v, None)
    assert [f"{w:.3f}" for w in ops.convert_to_numpy(weights)[0]] == ["0.446", "0.108", "0.446"]
    check_quoted(markdown, "2.000", float(ops.convert_to_numpy(output)[0, 0]), ".3f")
    output, weights = w4a1.scaled_dot_product_attention(q, k, v, np.array([[1.0, 1.0, 0.0]]))
    assert [f"{w:.3f}" for w in ops.convert_to_numpy(weights)[0]] == ["0.804", "0.196", "0.000"]
    check_quoted(markdown, "1.196", float(ops.convert_to_numpy(output)[0, 0]), ".3f")


def test_parameter_counts_of_the_notes(w4a1):
    import keras
    markdown = text_of(WEEK4)
    mha = keras.layers.MultiHeadAttention(num_heads=4, key_dim=16)
    x = np.zeros((1, 5, 64), dtype="float32")
    mha(x, x)
    assert mha.count_params() == 16_640 and "16{,}640" in markdown  # Q4
    transformer = w4a1.Transformer(num_layers=2, embedding_dim=64, num_heads=4, fully_connected_dim=128,
                                   input_vocab_size=44, target_vocab_size=13, max_positional_encoding_input=30,
                                   max_positional_encoding_target=10)
    sources, targets = np.ones((1, 30), dtype="int32"), np.ones((1, 10), dtype="int32")
    transformer(sources, targets, training=False, enc_padding_mask=w4a1.create_padding_mask(sources),
                look_ahead_mask=w4a1.create_look_ahead_mask(10), dec_padding_mask=w4a1.create_padding_mask(sources))
    check_quoted(markdown, "171,917", transformer.count_params(), ",")


def test_entity_scoring_example_of_practice_question_6():
    ner = load_definitions(NER_LAB)
    true_tags, predicted = [["B-ORG", "I-ORG", "I-ORG"]], [["B-LOC", "I-LOC", "O"]]
    scores = ner.entity_scores(true_tags, predicted)
    assert scores["micro"]["precision"] == 0 and scores["micro"]["recall"] == 0  # no partial credit
    assert scores["LOC"]["support"] == 0 and scores["ORG"]["support"] == 1


def test_best_span_example_of_practice_question_10():
    qa = load_definitions(QA_LAB)
    start, end = np.array([0.1, 2.0, 0.3, -1.0, 0.5]), np.array([0.0, 0.2, 0.4, 3.0, 1.0])
    assert tuple(qa.best_span(start, end, max_len=3)) == (1, 3)
    assert tuple(qa.best_span(start, end, max_len=1)) == (1, 1)
    assert "$(i, j) = (1, 3)$" in text_of(WEEK4)
