"""The diagrams of utils.plots: each draws with the labels a learner looks for, in the course's notation, and the
PNG files under Week-*/figures/ are exactly the ones `python -m utils.plots` writes (no orphans, none missing).
PNG bytes are not compared: they differ between builds of matplotlib and FreeType."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from utils import plots  # noqa: E402

# For each diagram, texts that must appear on it (mathtext source, as written in the notebooks).
EXPECTED = {
    plots.rnn_cell_figure: [r"a^{\langle t-1 \rangle}", r"x^{\langle t \rangle}", r"\hat y^{\langle t \rangle}",
                            "tanh", "softmax"],
    plots.lstm_cell_figure: [r"\Gamma_f", r"\Gamma_i", r"\Gamma_o", r"\tilde c", r"c^{\langle t-1 \rangle}",
                             r"c^{\langle t \rangle}", r"a^{\langle t-1 \rangle}", r"a^{\langle t \rangle}",
                             "forget gate", "update gate", "output gate", "candidate"],
    plots.gru_cell_figure: [r"\Gamma_u", r"\Gamma_r", r"\tilde c", r"a^{\langle t-1 \rangle}",
                            r"x^{\langle t \rangle}", "update gate", "relevance gate"],
    plots.bidirectional_rnn_figure: [r"\overrightarrow{a}", r"\overleftarrow{a}", r"x^{\langle 4 \rangle}",
                                     r"\hat y^{\langle 1 \rangle}"],
    plots.deep_rnn_figure: [r"a^{[1]\langle 1 \rangle}", r"a^{[3]\langle 4 \rangle}", r"a^{[2]\langle 0 \rangle}",
                            r"\hat y^{\langle 4 \rangle}"],
    plots.attention_model_figure: ["Bi-LSTM", "post-attention LSTM", "RepeatVector", "Concatenate",
                                   "Dense(10)\ntanh", "Dense(1)\nrelu", "Softmax", r"\alpha^{\langle t, t' \rangle}",
                                   r"s^{\langle t-1 \rangle}", "context", r"x^{\langle T_x \rangle}"],
    plots.scaled_dot_product_attention_figure: ["$Q$", "$K$", "$V$", "$Q K^T$", r"\sqrt{d_k}", "mask (optional)",
                                                "softmax"],
    plots.multi_head_attention_figure: [r"W_j^Q", r"W_j^K", r"W_j^V", "Concat", r"W^O", "scaled dot-product attention",
                                        "$h$ heads"],
    plots.transformer_encoder_block_figure: ["multi-head self-attention", "padding mask", "layernorm1", "layernorm2",
                                             "feed-forward", "Add & LayerNorm", "residual connection"],
    plots.transformer_decoder_block_figure: ["masked multi-head self-attention", "look-ahead mask", "cross-attention",
                                             "enc_output", "layernorm1", "layernorm2", "layernorm3", "$K$, $V$"],
}


RECURRENT = {plots.rnn_cell_figure, plots.lstm_cell_figure, plots.gru_cell_figure, plots.bidirectional_rnn_figure,
             plots.deep_rnn_figure, plots.attention_model_figure}


def texts(fig):
    return [text.get_text() for text in fig.findobj(matplotlib.text.Text)]


def test_every_saved_diagram_has_expected_labels():
    assert set(EXPECTED) == set(plots.FIGURES.values()), "add the new diagram to EXPECTED"


@pytest.mark.parametrize("draw", list(EXPECTED), ids=lambda f: f.__name__)
def test_diagram_draws_with_its_labels(draw):
    fig = draw()
    try:
        assert isinstance(fig, matplotlib.figure.Figure)
        written = "\n".join(texts(fig))
        missing = [label for label in EXPECTED[draw] if label not in written]
        assert not missing, f"{draw.__name__} lacks the labels {missing}"
        # Time steps use angle brackets: round brackets are reserved for examples, as in W1A1's notation table.
        assert "^{(" not in written
        if draw in RECURRENT:
            assert "\\langle" in written
        # Legible at a notebook's width: between 8 and 10.5 inches wide, no text under 10 pt.
        width, _ = fig.get_size_inches()
        assert 8 <= width <= 10.5
        sizes = [text.get_fontsize() for text in fig.findobj(matplotlib.text.Text) if text.get_text()]
        assert min(sizes) >= 10
    finally:
        plt.close(fig)


@pytest.mark.parametrize("draw", list(EXPECTED), ids=lambda f: f.__name__)
def test_no_text_leaves_the_canvas(draw):
    fig = draw()
    try:
        renderer = fig.canvas.get_renderer()
        canvas = fig.bbox
        outside = []
        for text in fig.findobj(matplotlib.text.Text):
            box = text.get_window_extent(renderer)
            if text.get_text() and not (canvas.contains(*box.p0) and canvas.contains(*box.p1)):
                outside.append(text.get_text())
        assert not outside, f"{draw.__name__}: text cut off at the edge: {outside}"
    finally:
        plt.close(fig)


def test_unrolled_rnn_labels_time_steps_with_angle_brackets():
    ax = plots.draw_unrolled_rnn(T_x=3)
    try:
        written = [text.get_text() for text in ax.texts]
        assert r"$x^{\langle 1 \rangle}$" in written and r"$a^{\langle 3 \rangle}$" in written
        assert not any("^{(" in text for text in written)
    finally:
        plt.close(ax.figure)


def test_figures_folders_hold_exactly_the_generated_diagrams():
    expected = {plots.ROOT / path for path in plots.FIGURES}
    present = set(plots.ROOT.glob("Week-*/figures/*"))
    assert not expected - present, f"missing diagrams, run `python -m utils.plots`: {sorted(expected - present)}"
    assert not present - expected, f"files under figures/ that utils.plots does not write: {sorted(present - expected)}"


def test_save_figures_writes_every_diagram(tmp_path):
    written = plots.save_figures(tmp_path)
    assert sorted(written) == sorted(tmp_path / path for path in plots.FIGURES)
    for path in written:
        assert path.read_bytes().startswith(b"\x89PNG")
        assert b"Software" not in path.read_bytes()[:4096]
