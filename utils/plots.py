"""Figures drawn with matplotlib for the notebooks (diagrams and training curves)."""
import matplotlib.pyplot as plt
from matplotlib.patches import FancyBboxPatch


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
