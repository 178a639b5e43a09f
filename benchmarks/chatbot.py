"""The W3 chatbot lab's shipped models, measured: decoding strategies on the station assistant, and the
open-domain Shakespeare chatbot against its baselines.

Station assistant: exact match and slot accuracy on the held-out splits, greedy (every request, batched) and beam
search of widths 1, 3 and 5 (the beam lab's own `beam_search`, on the first BEAM_REQUESTS requests of each split),
with the seconds per request of each, side by side. Shakespeare: held-out bits per reply token of the seq2seq
model against a Kneser-Ney trigram of replies alone, and BLEU / distinct-1 / distinct-2 / the most common reply
of greedy and sampled replies, a TF-IDF retrieval baseline and the real replies, on all held-out exchanges.

Writes benchmarks/results/chatbot.md.

    .venv/bin/python benchmarks/chatbot.py
"""
import os
import time
from collections import Counter
from datetime import date

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import keras  # noqa: E402
import numpy as np  # noqa: E402
import sacrebleu  # noqa: E402
import tensorflow as tf  # noqa: E402

from machine import machine_and_versions  # noqa: E402
from utils import chatbot  # noqa: E402
from utils.chatbot_data import END, MAX_REQUEST_TOKENS, START, slot_accuracy, station_corpus  # noqa: E402
from utils.notebook_tools import ROOT  # noqa: E402

RESULTS = ROOT / "benchmarks/results/chatbot.md"
BEAM_REQUESTS = 500
BEAM_WIDTHS = (1, 3, 5)


def station_rows(functions):
    model, _, vocab, _ = chatbot.load_shipped("station", functions.chatbot_model)
    word_to_id = {word: i for i, word in enumerate(vocab)}
    start_id, end_id = word_to_id[START], word_to_id[END]
    corpus, rows = station_corpus(), []
    for split in ("held_out", "held_out_times"):
        examples = corpus[split]
        requests = np.stack([functions.encode_line(r, word_to_id, MAX_REQUEST_TOKENS) for r, *_ in examples])
        began = time.time()
        greedy = chatbot.texts_of(functions.greedy_replies(model, requests, start_id, end_id), vocab)
        rows.append((split, "greedy, batched", len(examples), (time.time() - began) / len(examples),
                     *slot_accuracy(greedy, examples)))
        rows.append((split, "greedy, batched", BEAM_REQUESTS, None,
                     *slot_accuracy(greedy[:BEAM_REQUESTS], examples[:BEAM_REQUESTS])))
        for width in BEAM_WIDTHS:
            began = time.time()
            beams = [chatbot.beam_reply(model, request[request != 0], start_id, end_id, width)
                     for request in requests[:BEAM_REQUESTS]]
            rows.append((split, f"beam search, width {width}", BEAM_REQUESTS, (time.time() - began) / BEAM_REQUESTS,
                         *slot_accuracy(chatbot.texts_of(beams, vocab), examples[:BEAM_REQUESTS])))
    return rows


def shakespeare_lines(functions):
    model, _, vocab, _ = chatbot.load_shipped("shakespeare", functions.chatbot_model)
    word_to_id = {word: i for i, word in enumerate(vocab)}
    exchanges = chatbot.pairs("shakespeare")
    requests = chatbot.encode_pairs("shakespeare", "held_out", word_to_id, functions.encode_line,
                                    functions.teacher_forcing)[0]
    measured = chatbot.shakespeare_perplexities(model, vocab, functions)
    seq2seq, trigram = measured["bits_per_token"], measured["trigram_bits_per_token"]
    start_id, end_id, max_len = word_to_id[START], word_to_id[END], chatbot.MAX_TOKENS["shakespeare"][1] + 1
    prompts, real = zip(*exchanges["held_out"])
    rng = np.random.default_rng(0)
    candidates = {
        "seq2seq, greedy": [" ".join(vocab[i] for i in r)
                            for r in functions.greedy_replies(model, requests, start_id, end_id, max_len)],
        "seq2seq, sampled (T = 1)": [" ".join(vocab[i] for i in r) for r in chatbot.sampled_replies(
            model, requests, start_id, end_id, 1.0, rng, max_len)],
        "retrieval (TF-IDF)": chatbot.Retrieval(*zip(*exchanges["train"])).reply(list(prompts)),
        "the real replies": list(real)}
    lines = [f"Held-out exchanges: {len(prompts):,} from the unseen plays, {measured['tokens']:,} reply tokens "
             "(`<end>` included).", "",
             "| model of the real reply | bits per token | perplexity |", "|---|---|---|",
             f"| Kneser-Ney trigram of replies (ignores the prompt) | {trigram:.3f} | {2 ** trigram:.1f} |",
             f"| seq2seq with attention | {seq2seq:.3f} | {2 ** seq2seq:.1f} |", "",
             "| replies | BLEU vs the real reply | distinct-1 | distinct-2 | most common reply |", "|---|---|---|---|---|"]
    for name, texts in candidates.items():
        tokens = [text.split() for text in texts]
        reply, count = Counter(texts).most_common(1)[0]
        bleu = sacrebleu.corpus_bleu(texts, [list(real)], tokenize="none", force=True).score
        lines.append(f"| {name} | {bleu:.2f} | {functions.distinct_n(tokens, 1):.3f} | "
                     f"{functions.distinct_n(tokens, 2):.3f} | {count} x \"{reply}\" |")
    return lines


def main():
    start = time.time()
    functions = chatbot.notebook_functions()
    rows = station_rows(functions)
    lines = ["## Station assistant: decoding, on requests the model never saw", "",
             "`held_out`: the 9 held-out paraphrase templates; `held_out_times`: bookings at the departure times "
             "never seen in training. Beam search is the lab \"Beam Search and BLEU\"'s graded `beam_search` "
             "(alpha 0.7), one request at a time.", "",
             "| split | decoding | requests | ms per request | exact match | slot accuracy |",
             "|---|---|---|---|---|---|"]
    for split, method, n, seconds, exact, slots in rows:
        shown_time = f"{1000 * seconds:.1f}" if seconds is not None else ""
        shown_slots = ", ".join(f"{slot} {value:.1%}" for slot, value in slots.items())
        lines.append(f"| {split} | {method} | {n:,} | {shown_time} | {exact:.1%} | {shown_slots} |")
    lines += ["", "## Shakespeare: the open-domain chatbot and its baselines", ""] + shakespeare_lines(functions)
    lines = ["# The seq2seq chatbots", "",
             f"`.venv/bin/python benchmarks/chatbot.py` ({date.today().isoformat()}, {time.time() - start:.0f} s). "
             + machine_and_versions(np, tf, keras), ""] + lines
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
