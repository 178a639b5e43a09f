"""Word and character language models of Shakespeare, side by side in bits per character (the W1 word-level lab).

On the same held-out characters (W1A2's held-out passages, all tokens but the first two): the Kneser-Ney trigram
(utils.word_lm.KneserNey, discounts 0.6 / 0.75 / 0.9), the two shipped word LSTMs (random and GloVe start) and
W1A2's shipped character LSTM, each LSTM read in windows of two lengths (how much the zero state at each window's
start costs it). Then bits per token of the two word LSTMs by how often the token occurs in the training text.
The word models use the notebook's own build_vocabulary / words_to_ids / word_lstm_model.

Writes benchmarks/results/word_lm.md.

    .venv/bin/python benchmarks/word_lm.py
"""
import collections
import os
import time
from datetime import date

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from machine import machine_and_versions  # noqa: E402
from utils import char_lstm, word_lm  # noqa: E402
from utils.notebook_tools import ROOT  # noqa: E402

RESULTS = ROOT / "benchmarks/results/word_lm.md"
GROUPS = [("below the cut-off (<unk>)", 0, word_lm.MIN_COUNT), ("5-19", word_lm.MIN_COUNT, 20), ("20-199", 20, 200),
          ("200-1,999", 200, 2000), ("2,000 or more", 2000, None)]


def main():
    start = time.time()
    vocabulary, ids = word_lm.vocabulary_and_ids()
    models, record = word_lm.load_shipped_models(vocabulary=vocabulary)
    tokens = word_lm.corpus_tokens()["held_out"]
    scored, held_out = tokens[2:], ids["held_out"]
    known = [token in set(vocabulary) for token in scored]
    spelling = word_lm.spelling_model(vocabulary)
    n_characters = sum(map(len, scored))
    rows, token_bits = [], {}
    for discount in (0.6, 0.75, 0.9):
        bits = word_lm.KneserNey(ids["train"], discount).token_bits(held_out)
        rows.append((f"Kneser-Ney trigram, D = {discount}", "", bits.mean(),
                     word_lm.bits_per_character(bits, scored, known, spelling)))
    for kind, model in models.items():
        for window in (word_lm.TRAINING["seq_length"], 256):
            bits = word_lm.lstm_token_bits(model, held_out, seq_length=window)[1:]
            token_bits.setdefault(kind, bits)
            rows.append((f"word LSTM, {kind} start", f"{window} tokens", bits.mean(),
                         word_lm.bits_per_character(bits, scored, known, spelling)))
    char_model, characters, _ = char_lstm.load_shipped_model()
    context = len(tokens[0]) + len(tokens[1])
    char_ids = characters.encode("".join(tokens)[context - 1:])
    for window in (100, 256):
        bits = word_lm.lstm_token_bits(char_model, char_ids, seq_length=window)
        assert len(bits) == n_characters
        rows.append(("character LSTM (W1A2)", f"{window} characters", None, float(bits.mean())))

    counts = collections.Counter(word_lm.corpus_tokens()["train"])
    count_of = np.array([counts[token] for token in scored])
    lines = ["# Word and character language models, in bits per character", "",
             f"`.venv/bin/python benchmarks/word_lm.py` ({date.today().isoformat()}, {time.time() - start:.0f} s). "
             f"{machine_and_versions(np, tf, keras)}", "",
             f"Held-out text: W1A2's held-out passages, {len(scored):,} tokens = {n_characters:,} characters scored "
             f"(all but the first two tokens); {1 - np.mean(known):.1%} of the tokens are outside the "
             f"{len(vocabulary):,}-token vocabulary (min_count {word_lm.MIN_COUNT}) and are paid for as `<unk>` "
             "plus their spelling. Word LSTMs: the shipped weights (`make models`), "
             f"{word_lm.MODEL['units']} units, {record['training']['epochs']} epochs.", "",
             "| model | LSTM reads windows of | bits per token | perplexity | bits per character |", "|---|---|---|---|---|"]
    for name, window, per_token, bpc in rows:
        shown = f"{per_token:.3f} | {2 ** per_token:.1f}" if per_token is not None else "| "
        lines.append(f"| {name} | {window} | {shown} | {bpc:.3f} |")
    lines += ["", "Bits per token of the word LSTMs (windows of "
              f"{word_lm.TRAINING['seq_length']} tokens) by the token's count in the training text:", "",
              "| count in the training text | share of held-out tokens | random start | GloVe start | GloVe's gain |",
              "|---|---|---|---|---|"]
    for label, low, high in GROUPS:
        mask = (count_of >= low) & ((count_of < high) if high else True)
        random_bits, glove_bits = token_bits["random"][mask].mean(), token_bits["glove"][mask].mean()
        lines.append(f"| {label} | {mask.mean():.1%} | {random_bits:.3f} | {glove_bits:.3f} | "
                     f"{random_bits - glove_bits:+.3f} |")
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
