"""Figures drawn with matplotlib for the notebooks (diagrams and training curves).

`python -m utils.plots` writes the model diagrams (the RNN, LSTM and GRU cells, bidirectional and deep RNNs, the
W3A1 attention model, scaled dot-product and multi-head attention, the Transformer encoder and decoder layers) as
PNG files under Week-*/figures/, where the notebooks and the weekly notes show them.
"""
import sys
from pathlib import Path as FilePath

import matplotlib.pyplot as plt
from matplotlib import patheffects
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path

ROOT = FilePath(__file__).resolve().parents[1]


def _arrow(ax, start, end, color="0.25"):
    ax.annotate("", xy=end, xytext=start, arrowprops=dict(arrowstyle="->", lw=1.5, color=color))


def draw_unrolled_rnn(T_x=4, cell_label="RNN\ncell", state_label="a", ax=None):
    """Draw a recurrent network unrolled over T_x steps: one shared cell, inputs below, predictions above."""
    if ax is None:
        _, ax = plt.subplots(figsize=(2.3 * T_x + 1.5, 3.2))
    for t in range(T_x):
        cx = 1.6 + 2.3 * t
        ax.add_patch(FancyBboxPatch((cx - 0.6, 0.9), 1.2, 1.0, boxstyle="round,pad=0.05",
                                    fc="#dbe9f6", ec="#2b6cb0", lw=1.5))
        ax.text(cx, 1.4, cell_label, ha="center", va="center", fontsize=10)
        ax.text(cx, 0.0, f"$x^{{\\langle {t + 1} \\rangle}}$", ha="center", fontsize=13)
        _arrow(ax, (cx, 0.3), (cx, 0.85))
        ax.text(cx, 2.65, f"$\\hat y^{{\\langle {t + 1} \\rangle}}$", ha="center", fontsize=13)
        _arrow(ax, (cx, 1.95), (cx, 2.55))
        label = f"${state_label}^{{\\langle {t} \\rangle}}$"
        ax.text(cx - 1.15, 1.55, label, ha="center", fontsize=12)
        _arrow(ax, (cx - 1.7, 1.4), (cx - 0.65, 1.4), color="#c05621")
    last = 1.6 + 2.3 * (T_x - 1)
    ax.text(last + 1.15, 1.55, f"${state_label}^{{\\langle {T_x} \\rangle}}$", ha="center", fontsize=12)
    _arrow(ax, (last + 0.65, 1.4), (last + 1.6, 1.4), color="#c05621")
    ax.set_xlim(-0.3, last + 1.9)
    ax.set_ylim(-0.3, 3.1)
    ax.axis("off")
    ax.set_title("The same cell (same weights) applied at every time step", fontsize=11)
    return ax


def plot_attention_map(weights, input_text, output_text, ax=None):
    """Heat map of attention weights (Ty, Tx): one row per output character, one column per input character."""
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.5))
    Ty, Tx = weights.shape
    shown = min(Tx, max(len(input_text), 1))  # the padding columns carry (almost) no weight
    image = ax.imshow(weights[:, :shown], cmap="Blues", aspect="auto", vmin=0)
    ax.set_xticks(range(shown), list(input_text[:shown]))
    ax.set_yticks(range(Ty), list(output_text[:Ty]))
    ax.set_xlabel("input characters")
    ax.set_ylabel("output characters")
    ax.set_title(f"Attention: '{input_text}' -> '{output_text}'")
    plt.colorbar(image, ax=ax, fraction=0.025)
    return ax


# ---------------------------------------------------------------------------------------------------------------
# Diagrams of the models, written to Week-*/figures/ by `python -m utils.plots` and shown in the notebooks.
# Every canvas is measured in inches (one data unit = one inch), so positions and font sizes read alike.
# Colours: the Okabe-Ito palette (safe for colour-blind readers), light fills with dark edges.
# Notation: <t> for time steps, [l] for layers, as in W1A1's notation table.

INK = "0.2"
STYLE = {  # kind of box: (fill, edge)
    "cell": ("#d6e9f5", "#0072b2"),    # recurrent cells, linear layers
    "gate": ("#fcebc7", "#b07800"),    # sigmoid gates
    "tanh": ("#ccede3", "#007a5a"),    # tanh layers, candidates
    "attend": ("#f5ddeb", "#a8507f"),  # attention, softmax
    "norm": ("#e8e8e8", "#555555"),    # add & norm, concatenation, plain operations
}
A_PATH, C_PATH, S_PATH = "#0072b2", "#d55e00", "#009e73"  # colours of the a, c and s (or residual) paths


def _canvas(width, height):
    """A blank figure whose axes span it, measured in inches."""
    fig = plt.figure(figsize=(width, height))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.axis("off")
    return fig, ax


def _text(ax, x, y, text, size=12, **kwargs):
    """Centred text (mathtext allowed)."""
    kwargs = {"ha": "center", "va": "center", "color": "black", **kwargs}
    return ax.text(x, y, text, fontsize=size, **kwargs)


def _box(ax, x, y, w, h, text, kind="cell", size=11, dashed=False):
    """A rounded box centred at (x, y) with centred text."""
    fill, edge = STYLE[kind]
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0,rounding_size=0.08",
                                fc=fill, ec=edge, lw=1.6, ls="--" if dashed else "-", zorder=3))
    return _text(ax, x, y, text, size=size, zorder=4)


def _op(ax, x, y, text, r=0.2, size=13):
    """A point-wise operation (+, ×, tanh) drawn as a circle."""
    ax.add_patch(Circle((x, y), r, fc="white", ec=INK, lw=1.4, zorder=3))
    return _text(ax, x, y, text, size=size, zorder=4)


def _flow(ax, points, color=INK, arrow=True, lw=1.6, halo=False, dashed=False):
    """A polyline through `points` with an arrow head at the end; `halo` clears a gap where it crosses a line."""
    patch = FancyArrowPatch(path=Path(points), arrowstyle="-|>" if arrow else "-", mutation_scale=13,
                            color=color, lw=lw, ls="--" if dashed else "-", zorder=2.5 if halo else 2,
                            shrinkA=0, shrinkB=0, joinstyle="miter", capstyle="butt")
    if halo:
        patch.set_path_effects([patheffects.Stroke(linewidth=lw + 5, foreground="white"), patheffects.Normal()])
    ax.add_patch(patch)
    return patch


def _dot(ax, x, y, color=INK):
    """A junction where one line splits into two."""
    ax.add_patch(Circle((x, y), 0.05, fc=color, ec=color, zorder=3))


def _frame(ax, x0, y0, x1, y1, label=None):
    """The dashed outline of a cell, with an optional label in its top-left corner."""
    ax.add_patch(FancyBboxPatch((x0, y0), x1 - x0, y1 - y0, boxstyle="round,pad=0,rounding_size=0.15",
                                fc="#f7f7f7", ec="0.55", lw=1.2, ls="--", zorder=0))
    if label:
        _text(ax, x0 + 0.15, y1 - 0.22, label, size=10, ha="left", color="0.35")


def _t(symbol, t="t"):
    """A symbol with a time-step superscript: a<t>."""
    return f"${symbol}^{{\\langle {t} \\rangle}}$"


def rnn_cell_figure():
    """The basic RNN cell: a<t> = tanh(Waa a<t-1> + Wax x<t> + ba), y<t> = softmax(Wya a<t> + by)."""
    fig, ax = _canvas(9, 4.6)
    _frame(ax, 1.3, 0.75, 7.5, 3.9, "RNN cell (the same weights at every step)")
    _text(ax, 0.55, 1.9, _t("a", "t-1"), size=14)
    _text(ax, 3.3, 0.3, _t("x"), size=14)
    _box(ax, 3.3, 1.9, 2.9, 0.7, r"$W_{aa}\, a^{\langle t-1 \rangle} + W_{ax}\, x^{\langle t \rangle} + b_a$")
    _flow(ax, [(1.0, 1.9), (1.85, 1.9)], A_PATH)
    _flow(ax, [(3.3, 0.5), (3.3, 1.55)])
    _op(ax, 5.4, 1.9, "tanh", r=0.38, size=11)
    _flow(ax, [(4.75, 1.9), (5.02, 1.9)], A_PATH)
    _flow(ax, [(5.78, 1.9), (8.0, 1.9)], A_PATH)
    _dot(ax, 6.5, 1.9, A_PATH)
    _text(ax, 8.45, 1.9, _t("a"), size=14)
    _box(ax, 6.5, 3.05, 2.1, 0.6, r"softmax$(W_{ya}\, a^{\langle t \rangle} + b_y)$", kind="attend")
    _flow(ax, [(6.5, 1.9), (6.5, 2.75)], A_PATH)
    _flow(ax, [(6.5, 3.35), (6.5, 4.05)])
    _text(ax, 6.5, 4.3, _t(r"\hat y"), size=14)
    return fig


def lstm_cell_figure():
    """The LSTM cell: forget, update (input) and output gates, the candidate, and the c and a paths."""
    fig, ax = _canvas(10, 6.1)
    _frame(ax, 1.0, 0.55, 8.2, 5.75, "LSTM cell")
    # the memory path along the top: c<t-1> -> forget -> add the new content -> c<t>
    y_c = 5.0
    _text(ax, 0.5, y_c, _t("c", "t-1"), size=14)
    _flow(ax, [(0.95, y_c), (2.2, y_c)], C_PATH)
    _op(ax, 2.4, y_c, r"$\times$")
    _flow(ax, [(2.6, y_c), (4.3, y_c)], C_PATH)
    _op(ax, 4.5, y_c, "$+$")
    _flow(ax, [(4.7, y_c), (9.0, y_c)], C_PATH)
    _text(ax, 9.45, y_c, _t("c"), size=14)
    # the input bus [a<t-1>; x<t>] along the bottom, feeding the four layers
    y_bus, y_gate = 1.05, 2.45
    _text(ax, 0.5, y_bus, _t("a", "t-1"), size=14)
    _flow(ax, [(0.95, y_bus), (6.6, y_bus)], A_PATH, arrow=False)
    _text(ax, 1.45, 0.2, _t("x"), size=14)
    _flow(ax, [(1.45, 0.42), (1.45, y_bus)], INK, arrow=False)
    _dot(ax, 1.45, y_bus)
    _text(ax, 3.1, 0.72, r"$[a^{\langle t-1 \rangle}; x^{\langle t \rangle}]$", size=11)
    gates = [(2.4, "forget gate\n" r"$\Gamma_f = \sigma(\cdot)$", "gate"),
             (3.75, "update gate\n" r"$\Gamma_i = \sigma(\cdot)$", "gate"),
             (5.1, "candidate\n" r"$\tilde c = \tanh(\cdot)$", "tanh"),
             (6.6, "output gate\n" r"$\Gamma_o = \sigma(\cdot)$", "gate")]
    for x, label, kind in gates:
        _flow(ax, [(x, y_bus), (x, y_gate - 0.42)], A_PATH)
        _dot(ax, x, y_bus, A_PATH)
        _box(ax, x, y_gate, 1.25, 0.8, label, kind=kind, size=10)
    # forget: Gamma_f scales c<t-1>; update: Gamma_i * c~ is added
    _flow(ax, [(2.4, y_gate + 0.4), (2.4, y_c - 0.2)])
    y_mul = 3.85
    _flow(ax, [(3.75, y_gate + 0.4), (3.75, y_mul), (4.3, y_mul)])
    _flow(ax, [(5.1, y_gate + 0.4), (5.1, y_mul), (4.7, y_mul)])
    _op(ax, 4.5, y_mul, r"$\times$")
    _flow(ax, [(4.5, y_mul + 0.2), (4.5, y_c - 0.2)])
    # output: a<t> = Gamma_o * tanh(c<t>)
    _dot(ax, 7.7, y_c, C_PATH)
    _flow(ax, [(7.7, y_c), (7.7, 4.08)], C_PATH)
    _op(ax, 7.7, 3.7, "tanh", r=0.36, size=10)
    _flow(ax, [(7.7, 3.34), (7.7, y_gate + 0.2)])
    _op(ax, 7.7, y_gate, r"$\times$")
    _flow(ax, [(6.6 + 0.625, y_gate), (7.5, y_gate)])
    _flow(ax, [(7.9, y_gate), (9.0, y_gate)], A_PATH)
    _text(ax, 9.45, y_gate, _t("a"), size=14)
    _dot(ax, 8.6, y_gate, A_PATH)
    _box(ax, 8.6, 1.35, 1.1, 0.5, "softmax", kind="attend", size=10)
    _flow(ax, [(8.6, y_gate), (8.6, 1.6)], A_PATH)
    _flow(ax, [(8.6, 1.1), (8.6, 0.5)])
    _text(ax, 8.6, 0.25, _t(r"\hat y"), size=14)
    _text(ax, 3.35, y_c + 0.45, r"$c^{\langle t \rangle} = \Gamma_f \odot c^{\langle t-1 \rangle}"
          r" + \Gamma_i \odot \tilde c^{\langle t \rangle}$", size=11, ha="left")
    _text(ax, 6.35, 3.25, r"$a^{\langle t \rangle} = \Gamma_o \odot \tanh(c^{\langle t \rangle})$", size=11)
    return fig


def gru_cell_figure():
    """The GRU cell: relevance (reset) gate, candidate, update gate, and the a path."""
    fig, ax = _canvas(10, 5.6)
    _frame(ax, 1.0, 0.3, 9.0, 5.3, "GRU cell")
    y_a, y_x, y_g = 4.75, 0.75, 2.4
    _text(ax, 0.5, y_a, _t("a", "t-1"), size=14)
    _flow(ax, [(0.95, y_a), (6.8, y_a)], A_PATH)
    _op(ax, 7.0, y_a, r"$\times$")
    _flow(ax, [(7.2, y_a), (8.2, y_a)], A_PATH)
    _op(ax, 8.4, y_a, "$+$")
    _flow(ax, [(8.6, y_a), (9.1, y_a)], A_PATH)
    _text(ax, 9.5, y_a, _t("a"), size=14)
    _text(ax, 0.5, y_x, _t("x"), size=14)
    _flow(ax, [(0.95, y_x), (6.2, y_x)], arrow=False)
    # each layer reads [a<t-1>; x<t>]: a<t-1> from above, x<t> from below
    boxes = [(2.0, "relevance gate\n" r"$\Gamma_r = \sigma(\cdot)$", "gate"),
             (4.6, "candidate\n" r"$\tilde c = \tanh(\cdot)$", "tanh"),
             (6.2, "update gate\n" r"$\Gamma_u = \sigma(\cdot)$", "gate")]
    for x, label, kind in boxes:
        _box(ax, x, y_g, 1.3, 0.8, label, kind=kind, size=10)
        _dot(ax, x, y_x)
        _flow(ax, [(x, y_x), (x, y_g - 0.4)])
    for x in (2.0, 3.3, 6.2):
        _dot(ax, x, y_a, A_PATH)
    _flow(ax, [(2.0, y_a), (2.0, y_g + 0.4)], A_PATH)
    _flow(ax, [(6.2, y_a), (6.2, y_g + 0.4)], A_PATH)
    # the candidate reads [Gamma_r * a<t-1>; x<t>]
    _flow(ax, [(3.3, y_a), (3.3, y_g + 0.2)], A_PATH)
    _op(ax, 3.3, y_g, r"$\times$")
    _flow(ax, [(2.65, y_g), (3.1, y_g)])
    _flow(ax, [(3.5, y_g), (3.95, y_g)])
    _text(ax, 3.3, 3.45, r"$\Gamma_r \odot a^{\langle t-1 \rangle}$", size=11, ha="left",
          bbox=dict(fc="white", ec="none", pad=1))
    # update: a<t> = Gamma_u * c~ + (1 - Gamma_u) * a<t-1>
    _flow(ax, [(6.85, y_g), (8.2, y_g)])
    _dot(ax, 7.0, y_g)
    _flow(ax, [(7.0, y_g), (7.0, 3.36)])
    _op(ax, 7.0, 3.65, r"$1{-}$", r=0.28, size=12)
    _flow(ax, [(7.0, 3.93), (7.0, y_a - 0.2)])
    _op(ax, 8.4, y_g, r"$\times$")
    _flow(ax, [(4.6 + 0.65, y_g - 0.15), (5.45, y_g - 0.15), (5.45, 1.45), (8.4, 1.45), (8.4, y_g - 0.2)],
          color=S_PATH, halo=True)
    _text(ax, 7.4, 1.2, _t(r"\tilde c"), size=12)
    _flow(ax, [(8.4, y_g + 0.2), (8.4, y_a - 0.2)])
    _text(ax, 7.6, 2.62, r"$\Gamma_u$", size=12)
    _text(ax, 4.75, 4.05, r"$a^{\langle t \rangle} = \Gamma_u \odot \tilde c^{\langle t \rangle}"
          r" + (1 - \Gamma_u) \odot a^{\langle t-1 \rangle}$", size=11)
    return fig


def bidirectional_rnn_figure(T_x=4):
    """A bidirectional RNN unrolled over T_x steps: a forward and a backward chain, both read by each prediction."""
    fig, ax = _canvas(10, 5.4)
    xs = [1.6 + 2.1 * t for t in range(T_x)]
    y_x, y_f, y_b, y_y = 0.35, 1.7, 3.0, 4.55
    dx = 0.32  # the backward cells sit a little to the right, so the lines between them stay visible
    for t, x in enumerate(xs, start=1):
        _text(ax, x, y_x, _t("x", t), size=13)
        _flow(ax, [(x - dx, y_x + 0.25), (x - dx, y_f - 0.3)])
        _flow(ax, [(x, y_x + 0.25), (x, 0.95), (x + dx + 0.35, 0.95), (x + dx + 0.35, y_b - 0.3)], halo=True)
        _flow(ax, [(x - dx - 0.3, y_f + 0.3), (x - dx - 0.3, y_y - 0.32)], color=A_PATH, halo=True)
        _flow(ax, [(x + dx + 0.1, y_b + 0.3), (x + dx + 0.1, y_y - 0.32)], color=C_PATH)
        _box(ax, x - dx, y_f, 1.1, 0.6, _t(r"\overrightarrow{a}\,{}", t), size=12)
        _box(ax, x + dx, y_b, 1.1, 0.6, _t(r"\overleftarrow{a}\,{}", t), kind="gate", size=12)
        _box(ax, x - 0.1, y_y, 1.3, 0.6, _t(r"\hat y", t), kind="attend", size=12)
    for a, b in zip(xs, xs[1:]):
        _flow(ax, [(a - dx + 0.55, y_f), (b - dx - 0.55, y_f)], A_PATH, halo=True)
        _flow(ax, [(b + dx - 0.55, y_b), (a + dx + 0.55, y_b)], C_PATH, halo=True)
    _text(ax, xs[0] - dx - 1.05, y_f, _t(r"\overrightarrow{a}\,{}", 0), size=12)
    _flow(ax, [(xs[0] - dx - 0.8, y_f), (xs[0] - dx - 0.55, y_f)], A_PATH)
    _text(ax, xs[-1] + dx + 1.05, y_b, _t(r"\overleftarrow{a}\,{}", T_x + 1), size=12)
    _flow(ax, [(xs[-1] + dx + 0.8, y_b), (xs[-1] + dx + 0.55, y_b)], C_PATH)
    _text(ax, 0.1, y_f + 0.5, "forward:\nleft to right", size=10, ha="left", color=A_PATH)
    _text(ax, 9.9, y_b + 0.55, "backward:\nright to left", size=10, ha="right", color=C_PATH)
    _text(ax, 5.0, 5.15, r"$\hat y^{\langle t \rangle} = \mathrm{softmax}(W_{ya}"
          r"[\overrightarrow{a}\,{}^{\langle t \rangle}; \overleftarrow{a}\,{}^{\langle t \rangle}] + b_y)$", size=11)
    return fig


def deep_rnn_figure(T_x=4, L=3):
    """A deep (stacked) RNN unrolled over T_x steps: layer [l] reads the states of layer [l-1]."""
    fig, ax = _canvas(10, 1.2 * L + 2.3)
    xs = [1.9 + 2.1 * t for t in range(T_x)]
    ys = [1.5 + 1.2 * l for l in range(L)]
    for t, x in enumerate(xs, start=1):
        _text(ax, x, 0.3, _t("x", t), size=13)
        _flow(ax, [(x, 0.52), (x, ys[0] - 0.3)])
        for l, y in enumerate(ys, start=1):
            _box(ax, x, y, 1.3, 0.6, f"$a^{{[{l}]\\langle {t} \\rangle}}$", size=12)
            if l < L:
                _flow(ax, [(x, y + 0.3), (x, ys[l] - 0.3)], A_PATH)
        _flow(ax, [(x, ys[-1] + 0.3), (x, ys[-1] + 0.85)])
        _text(ax, x, ys[-1] + 1.08, _t(r"\hat y", t), size=13)
    for l, y in enumerate(ys, start=1):
        _text(ax, 0.65, y, f"$a^{{[{l}]\\langle 0 \\rangle}}$", size=12)
        _flow(ax, [(1.05, y), (xs[0] - 0.65, y)], A_PATH)
        for a, b in zip(xs, xs[1:]):
            _flow(ax, [(a + 0.65, y), (b - 0.65, y)], A_PATH)
        _text(ax, xs[-1] + 0.85, y, f"layer [{l}]", size=10, ha="left", color="0.35")
    _text(ax, 5.0, 1.2 * L + 2.0, r"$a^{[l]\langle t \rangle} = \tanh(W_{ax}^{[l]} a^{[l-1]\langle t \rangle}"
          r" + W_{aa}^{[l]} a^{[l]\langle t-1 \rangle} + b_a^{[l]})$", size=11)
    return fig


def attention_model_figure():
    """The W3A1 model: bidirectional pre-attention LSTM, attention, post-attention LSTM; and one attention step."""
    fig, ax = _canvas(10, 9.0)
    # top: the whole model at output step t
    _text(ax, 0.15, 8.75, "The model at output step $t$", size=11, ha="left", color="0.35")
    xs, labels = [2.6, 3.9, 5.2, 7.8], ["1", "2", "3", "T_x"]
    y_x, y_bi, y_a, y_sum, y_post = 4.15, 4.9, 5.65, 6.65, 7.6
    for x, t in zip(xs, labels):
        _text(ax, x, y_x, _t("x", t), size=12)
        _flow(ax, [(x, y_x + 0.2), (x, y_bi - 0.28)])
        _box(ax, x, y_bi, 1.05, 0.55, "Bi-LSTM", size=10)
        _flow(ax, [(x, y_bi + 0.28), (x, y_a - 0.2)], A_PATH)
        _text(ax, x, y_a, _t("a", t), size=12)
        dx, dy = 5.2 - x, y_sum - (y_a + 0.22)
        to_rim = 0.27 / (dx * dx + dy * dy) ** 0.5  # stop on the rim of the sum's circle
        _flow(ax, [(x, y_a + 0.22), (5.2 - dx * to_rim, y_sum - dy * to_rim)], A_PATH)
    _text(ax, 6.5, y_bi, r"$\cdots$", size=14)
    _text(ax, 6.5, y_a, r"$\cdots$", size=14)
    for a, b in [(0, 1), (1, 2)]:
        _flow(ax, [(xs[a] + 0.53, y_bi + 0.08), (xs[b] - 0.53, y_bi + 0.08)], A_PATH, lw=1.2)
        _flow(ax, [(xs[b] - 0.53, y_bi - 0.08), (xs[a] + 0.53, y_bi - 0.08)], C_PATH, lw=1.2)
    _text(ax, 0.15, y_bi, "pre-attention\nbidirectional LSTM", size=10, ha="left")
    _op(ax, 5.2, y_sum, r"$\Sigma$", r=0.25, size=13)
    _box(ax, 1.9, y_sum, 1.9, 0.6, "attention weights\n(below)", kind="attend", size=10)
    _flow(ax, [(2.85, y_sum), (4.95, y_sum)], S_PATH)
    _text(ax, 3.35, y_sum + 0.25, r"$\alpha^{\langle t, t' \rangle}$", size=12)
    _flow(ax, [(5.2, y_sum + 0.25), (5.2, y_post - 0.3)])
    _text(ax, 5.3, 7.1, r"context$^{\langle t \rangle} = \sum_{t'} \alpha^{\langle t, t' \rangle}"
          r" a^{\langle t' \rangle}$", size=11, ha="left")
    _box(ax, 5.2, y_post, 2.3, 0.6, "post-attention LSTM", size=10)
    _text(ax, 1.55, y_post, r"$s^{\langle t-1 \rangle}, c^{\langle t-1 \rangle}$", size=12)
    _flow(ax, [(2.45, y_post), (4.05, y_post)], S_PATH)
    _dot(ax, 3.3, y_post, S_PATH)
    _flow(ax, [(3.3, y_post), (3.3, 7.25), (1.9, 7.25), (1.9, y_sum + 0.3)], S_PATH, dashed=True)
    _flow(ax, [(6.35, y_post), (8.3, y_post)], S_PATH)
    _text(ax, 9.1, y_post, r"$s^{\langle t \rangle}, c^{\langle t \rangle}$", size=12)
    _dot(ax, 7.0, y_post, S_PATH)
    _flow(ax, [(7.0, y_post), (7.0, 8.1)], S_PATH)
    _box(ax, 7.0, 8.4, 1.6, 0.55, "Dense, softmax", kind="attend", size=10)
    _flow(ax, [(7.8, 8.4), (8.5, 8.4)])
    _text(ax, 8.85, 8.4, _t(r"\hat y"), size=13)
    ax.plot([0.15, 9.85], [3.75, 3.75], color="0.7", lw=1)
    # bottom: one attention step, as one_step_attention computes it
    _text(ax, 0.15, 3.5, "One attention step (one_step_attention): the weights and the context", size=11,
          ha="left", color="0.35")
    y_s, y_row, y_low = 2.55, 2.05, 0.5
    _text(ax, 0.5, y_s, _t("s", "t-1"), size=12)
    _flow(ax, [(0.85, y_s), (1.35, y_s)], S_PATH)
    _box(ax, 2.0, y_s, 1.3, 0.55, "RepeatVector\n" r"($T_x$ copies)", kind="norm", size=10)
    _flow(ax, [(2.65, y_s), (3.2, y_s)], S_PATH)
    _text(ax, 0.5, 1.55, r"$a^{\langle 1 \rangle} \ldots a^{\langle T_x \rangle}$", size=11)
    _flow(ax, [(1.2, 1.55), (3.2, 1.55)], A_PATH)
    _dot(ax, 1.5, 1.55, A_PATH)
    _flow(ax, [(1.5, 1.55), (1.5, y_low), (9.2, y_low), (9.2, y_row - 0.35)], A_PATH)
    steps = [(3.75, "Concatenate", "norm", 1.1), (5.15, "Dense(10)\ntanh", "cell", 1.1),
             (6.5, "Dense(1)\nrelu", "cell", 1.0), (7.85, "Softmax\nover $T_x$", "attend", 1.1),
             (9.2, "Dot\n" r"$\sum_{t'} \alpha\, a$", "attend", 0.95)]
    for (x, label, kind, w), nxt in zip(steps, steps[1:] + [None]):
        _box(ax, x, y_row, w, 1.3 if label == "Concatenate" else 0.7, label, kind=kind, size=10)
        if nxt:
            _flow(ax, [(x + w / 2, y_row), (nxt[0] - nxt[3] / 2, y_row)])
    _text(ax, 7.15, y_row + 0.25, r"$e$", size=11)
    _text(ax, 8.53, y_row + 0.25, r"$\alpha$", size=11)
    _flow(ax, [(9.2, y_row + 0.35), (9.2, 3.0)])
    _text(ax, 8.55, 2.9, r"context$^{\langle t \rangle}$", size=12)
    _text(ax, 5.8, 1.05, r"energies $e^{\langle t, t' \rangle}$, shape $(m, T_x, 1)$; weights $\alpha^{\langle t, t'"
          r" \rangle}$ sum to 1 over $t'$", size=10)
    return fig


def scaled_dot_product_attention_figure():
    """Scaled dot-product attention: Q K^T, scale by sqrt(d_k), optional mask, softmax over the keys, times V."""
    fig, ax = _canvas(10, 3.9)
    y = 2.0
    _text(ax, 0.45, 2.45, "$Q$", size=14)
    _text(ax, 0.45, 1.55, "$K$", size=14)
    _flow(ax, [(0.7, 2.45), (1.4, 2.45)])
    _flow(ax, [(0.7, 1.55), (1.4, 1.55)])
    _box(ax, 1.95, y, 1.1, 1.2, "MatMul\n$Q K^T$", size=11)
    _flow(ax, [(2.5, y), (2.9, y)])
    _box(ax, 3.5, y, 1.2, 0.8, "scale\n" r"$\div \sqrt{d_k}$", kind="norm", size=11)
    _flow(ax, [(4.1, y), (4.45, y)])
    _box(ax, 5.5, y, 2.1, 0.8, "mask (optional)\n" r"$+ (1 - \mathrm{mask}) \cdot (-10^9)$", kind="norm",
         size=10, dashed=True)
    _flow(ax, [(6.55, y), (6.9, y)])
    _box(ax, 7.5, y, 1.2, 0.8, "softmax\nover the keys", kind="attend", size=10)
    _flow(ax, [(8.1, y), (8.6, y)])
    _text(ax, 8.33, y + 0.25, r"$\alpha$", size=11)
    _box(ax, 9.25, y, 1.3, 0.8, "MatMul\n" r"$\times V$", size=11)
    _text(ax, 9.25, 0.35, "$V$", size=14)
    _flow(ax, [(9.25, 0.6), (9.25, y - 0.4)])
    _flow(ax, [(9.25, y + 0.4), (9.25, 3.05)])
    _text(ax, 9.25, 3.3, "output", size=11)
    _text(ax, 0.2, 3.45, r"$\mathrm{Attention}(Q, K, V) = \mathrm{softmax}\left(\frac{Q K^T}{\sqrt{d_k}} + M\right) V$",
          size=13, ha="left")
    _text(ax, 0.2, 0.75, "scores and weights $\\alpha$: (..., seq_len_q, seq_len_k)\n"
          "output: (..., seq_len_q, depth_v)", size=10, ha="left", va="center")
    return fig


def multi_head_attention_figure():
    """Multi-head attention: h heads of linear projections and attention, concatenated, then a last projection."""
    fig, ax = _canvas(10, 6.9)
    xs = {"Q": 2.0, "K": 3.8, "V": 5.6}
    y_in, y_lin, y_att, y_cat, y_out = 0.35, 1.5, 3.0, 4.45, 5.5
    for j in (2, 1, 0):  # the h heads, drawn as a stack; head 1 in front
        o = 0.14 * j
        for name, x in xs.items():
            _box(ax, x + o, y_lin + o, 1.4, 0.6, "" if j else f"Linear ${name} W_j^{name}$", size=11)
        _box(ax, 3.8 + o, y_att + o, 5.0, 0.7, "" if j else r"scaled dot-product attention $\rightarrow$ head$_j$",
             kind="attend", size=11)
    for name, x in xs.items():
        _text(ax, x, y_in, f"${name}$", size=14)
        _flow(ax, [(x, y_in + 0.22), (x, y_lin - 0.3)])
        _flow(ax, [(x, y_lin + 0.3), (x, y_att - 0.35)])
    _text(ax, 6.85, 2.2, "$h$ heads, in parallel:\n"
          r"head$_j$ = Attention$(Q W_j^Q, K W_j^K, V W_j^V)$" "\n" r"each of size $d_k$", size=10, ha="left")
    for x in (2.4, 3.8, 5.2):
        _flow(ax, [(x, y_att + 0.35 + (0.28 if x == 5.2 else 0)), (3.8 + (x - 3.8) * 0.6, y_cat - 0.3)])
    _box(ax, 3.8, y_cat, 3.4, 0.6, r"Concat(head$_1, \ldots,$ head$_h$)", kind="norm", size=11)
    _flow(ax, [(3.8, y_cat + 0.3), (3.8, y_out - 0.3)])
    _box(ax, 3.8, y_out, 1.8, 0.6, r"Linear $W^O$", size=11)
    _flow(ax, [(3.8, y_out + 0.3), (3.8, 6.2)])
    _text(ax, 3.8, 6.45, r"MultiHead$(Q, K, V)$ = Concat(head$_1, \ldots,$ head$_h$) $W^O$", size=12)
    return fig


def _sublayer(ax, x, y, label, kind, residual_x, norm_label, w=3.0, inputs=("Q", "K", "V")):
    """One Transformer sub-layer from the junction at height y: the layer, then Add & LayerNorm with the residual."""
    y_box, y_norm = y + 0.95, y + 2.05
    _dot(ax, x, y)
    if inputs:
        for dx, name in zip((-0.8, 0.0, 0.8), inputs):
            if name:
                _flow(ax, [(x, y), (x + dx, y + 0.2), (x + dx, y_box - 0.4)])
                _text(ax, x + dx + 0.15, y + 0.38, f"${name}$", size=10, ha="left")
    else:
        _flow(ax, [(x, y), (x, y_box - 0.4)])
    _box(ax, x, y_box, w, 0.8, label, kind=kind, size=10)
    _flow(ax, [(x, y_box + 0.4), (x, y_norm - 0.25)])
    _box(ax, x, y_norm, w, 0.5, f"Add & LayerNorm ({norm_label})", kind="norm", size=10)
    _flow(ax, [(x, y), (residual_x, y), (residual_x, y_norm), (x + w / 2, y_norm)], S_PATH)
    return y_norm + 0.25


def transformer_encoder_block_figure():
    """The Transformer encoder layer: self-attention and feed-forward sub-layers, each with residual and layer norm."""
    fig, ax = _canvas(9.5, 7.0)
    x, rx = 3.6, 5.6
    _frame(ax, 1.0, 0.85, 6.0, 6.2)
    _text(ax, 0.55, 3.5, r"$\times$ N" "\nlayers", size=11)
    _text(ax, x, 0.3, "input x: (batch, input_seq_len, embedding_dim)", size=10)
    _flow(ax, [(x, 0.5), (x, 1.15)])
    top = _sublayer(ax, x, 1.15, "multi-head self-attention\n(padding mask)", "attend", rx, "layernorm1")
    _flow(ax, [(x, top), (x, top + 0.3)])
    top = _sublayer(ax, x, top + 0.3, "feed-forward: Dense(relu), Dense\nthen Dropout", "cell", rx, "layernorm2",
                    inputs=None)
    _flow(ax, [(x, top), (x, 6.45)])
    _text(ax, x, 6.7, "encoder_layer_out: same shape as x", size=10)
    notes = [(2.1, "self_mha_output = mha(x, x, x)"), (3.2, "skip_x_attention"), (4.8, "ffn_output"),
             (5.9, "encoder_layer_out")]
    for y, note in notes:
        _text(ax, 6.2, y, note, size=10, ha="left", family="monospace")
    _text(ax, 6.2, 1.2, "residual connection", size=10, ha="left", color=S_PATH)
    return fig


def transformer_decoder_block_figure():
    """The Transformer decoder layer: masked self-attention, cross-attention over the encoder output, feed-forward."""
    fig, ax = _canvas(10, 9.8)
    x, rx = 4.7, 6.7
    _frame(ax, 1.9, 0.85, 7.0, 8.8)
    _text(ax, 1.4, 2.6, r"$\times$ N" "\nlayers", size=11)
    _text(ax, x, 0.3, "input x: the target so far, (batch, target_seq_len, embedding_dim)", size=10)
    _flow(ax, [(x, 0.5), (x, 1.15)])
    top = _sublayer(ax, x, 1.15, "masked multi-head self-attention\n(look-ahead mask)", "attend", rx, "layernorm1")
    _flow(ax, [(x, top), (x, top + 0.3)])
    y = top + 0.3
    top = _sublayer(ax, x, y, "multi-head cross-attention\n(padding mask)", "attend", rx, "layernorm2",
                    inputs=("", "Q", ""))
    _text(ax, 0.85, y + 0.95, "enc_output\n(from the\nencoder)", size=10)
    _flow(ax, [(1.5, y + 0.95), (x - 1.5, y + 0.95)], C_PATH)
    _text(ax, 2.3, y + 1.2, "$K$, $V$", size=10)
    _flow(ax, [(x, top), (x, top + 0.3)])
    top = _sublayer(ax, x, top + 0.3, "feed-forward: Dense(relu), Dense\nthen Dropout", "cell", rx, "layernorm3",
                    inputs=None)
    _flow(ax, [(x, top), (x, 9.2)])
    _text(ax, x, 9.45, "out3: same shape as x", size=10)
    notes = [(2.1, "mult_attn_out1,\nattn_weights_block1"), (3.2, "Q1"),
             (4.7, "mult_attn_out2,\nattn_weights_block2"), (5.8, "mult_attn_out2\n(after layernorm2)"),
             (7.3, "ffn_output"), (8.4, "out3")]
    for y, note in notes:
        _text(ax, 7.2, y, note, size=10, ha="left", family="monospace")
    return fig


# Where `python -m utils.plots` writes each diagram (paths relative to the repository root).
FIGURES = {
    "Week-1/figures/rnn_cell.png": rnn_cell_figure,
    "Week-1/figures/lstm_cell.png": lstm_cell_figure,
    "Week-1/figures/gru_cell.png": gru_cell_figure,
    "Week-1/figures/bidirectional_rnn.png": bidirectional_rnn_figure,
    "Week-1/figures/deep_rnn.png": deep_rnn_figure,
    "Week-3/figures/attention_model.png": attention_model_figure,
    "Week-4/figures/scaled_dot_product_attention.png": scaled_dot_product_attention_figure,
    "Week-4/figures/multi_head_attention.png": multi_head_attention_figure,
    "Week-4/figures/transformer_encoder_block.png": transformer_encoder_block_figure,
    "Week-4/figures/transformer_decoder_block.png": transformer_decoder_block_figure,
}
DPI = 150


def save_figures(root=ROOT):
    """Draw every diagram in FIGURES and write it as a PNG under `root`; return the paths written."""
    written = []
    for relative, draw in FIGURES.items():
        path = FilePath(root) / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        fig = draw()
        # Fixed size and dpi, and no "Software" stamp: the same library versions write the same bytes.
        fig.savefig(path, dpi=DPI, metadata={"Software": None})
        plt.close(fig)
        written.append(path)
    return written


def main(argv=None):
    """Write every diagram; with a folder argument, write them under that folder instead of the repository."""
    argv = sys.argv[1:] if argv is None else argv
    root = FilePath(argv[0]) if argv else ROOT
    for path in save_figures(root):
        print(f"wrote {path.relative_to(root)}")


if __name__ == "__main__":
    import matplotlib
    matplotlib.use("Agg")
    main()
