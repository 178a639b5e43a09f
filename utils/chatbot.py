"""The W3 chatbot lab's models: the station assistant and the Shakespeare chatbot, trained, loaded and decoded.

    python -m utils.chatbot train [station|shakespeare]   # train the shipped models from scratch (`make models`)
    python -m utils.chatbot evaluate                      # their held-out figures, printed

Both are the notebook's own `chatbot_model` (an encoder-decoder GRU with attention), built and trained with the
notebook's graded `encode_line` and `teacher_forcing`, so the shipped weights come from the code a learner reads.
"""
import argparse
import functools
import json
import math
import sys
import time
from collections import Counter

import numpy as np

from utils import ROOT
from utils.chatbot_data import (END, MAX_REPLY_TOKENS, MAX_REQUEST_TOKENS, PROMPT_TOKENS, SHAKESPEARE_REPLY_TOKENS,
                                START, UNK, build_vocabulary, detokenize, reply_tokens, shakespeare_exchanges,
                                slot_accuracy, station_corpus, tokenize)
from utils.model_files import load_weights_checked, read_record, save_weights_and_record

NOTEBOOK = ROOT / "Week-3" / "W3_Lab_Seq2Seq_Chatbot" / "Sequence_to_Sequence_Chatbot.ipynb"
BEAM_NOTEBOOK = ROOT / "Week-3" / "W3_Lab_Beam_Search_and_BLEU" / "Beam_Search_and_BLEU.ipynb"
DATA = ROOT / "data"
FORMAT = 1
CHATBOTS = ("station", "shakespeare")
# Longest request (prompt) and reply, in tokens, each model reads and writes.
MAX_TOKENS = {"station": (MAX_REQUEST_TOKENS, MAX_REPLY_TOKENS),
              "shakespeare": (PROMPT_TOKENS, SHAKESPEARE_REPLY_TOKENS)}
MIN_COUNT = {"station": 1, "shakespeare": 5}  # Shakespeare's rarer words become <unk> (2.8% of the tokens)
MODEL = {"station": {"embedding_dim": 64, "n_a": 96}, "shakespeare": {"embedding_dim": 64, "n_a": 128}}
# Adam with clipnorm 1, the learning rate decayed to 5% along a cosine over the epochs.
TRAINING = {"station": {"epochs": 12, "batch_size": 64, "learning_rate": 3e-3, "seed": 0},
            "shakespeare": {"epochs": 8, "batch_size": 64, "learning_rate": 2e-3, "seed": 0}}
SHAKESPEARE_VALIDATION_SHARE = 0.05


def weights_file(name):
    return DATA / f"chatbot_{name}.weights.h5"


def record_file(name):
    return DATA / f"chatbot_{name}.json"


@functools.lru_cache(maxsize=1)
def notebook_functions():
    """The notebook's graded functions the chatbots are built and trained with (loaded once)."""
    from utils.notebook_tools import load_definitions
    return load_definitions(NOTEBOOK)


@functools.lru_cache(maxsize=1)
def beam_lab():
    """The graded functions of the W3 lab "Beam Search and BLEU" (beam_search, normalised_score), loaded once."""
    from utils.notebook_tools import load_definitions
    return load_definitions(BEAM_NOTEBOOK)


def beam_search(*args, **kwargs):
    """The beam lab's beam_search."""
    return beam_lab().beam_search(*args, **kwargs)


@functools.lru_cache(maxsize=2)
def pairs(name):
    """{split: list of (request, reply)}; the station's "train", "validation", "held_out", "held_out_times",
    Shakespeare's "train", "validation" (every 20th training exchange) and "held_out" (unseen plays)."""
    if name == "station":
        return {split: [(request, reply) for request, reply, *_ in examples]
                for split, examples in station_corpus().items()}
    if name == "shakespeare":
        exchanges = shakespeare_exchanges()
        every = round(1 / SHAKESPEARE_VALIDATION_SHARE)
        return {"train": [pair for i, pair in enumerate(exchanges["train"]) if i % every],
                "validation": exchanges["train"][::every], "held_out": exchanges["held_out"]}
    raise ValueError(f"name must be one of {CHATBOTS}, got {name!r}")


def vocabulary(name):
    """The vocabulary of a chatbot's training requests and replies (SPECIALS first)."""
    train = pairs(name)["train"]
    return build_vocabulary([request for request, _ in train] + [reply for _, reply in train], MIN_COUNT[name])


def encode_pairs(name, split, word_to_id, encode_line=None, teacher_forcing=None):
    """(requests, previous, targets, weights) of a split, by encode_line and teacher_forcing (the notebook's
    by default)."""
    encode_line = encode_line or notebook_functions().encode_line
    teacher_forcing = teacher_forcing or notebook_functions().teacher_forcing
    max_request, max_reply = MAX_TOKENS[name]
    chosen = pairs(name)[split]
    requests = np.stack([encode_line(request, word_to_id, max_request) for request, _ in chosen])
    replies = [reply_tokens(reply) if name == "station" else tokenize(reply) for _, reply in chosen]
    return (requests,) + teacher_forcing(replies, word_to_id, max_reply)


def build(name, vocab_size, functions=None):
    """The notebook's chatbot_model at the size of `name`: (model, attention_model)."""
    functions = functions or notebook_functions()
    return functions.chatbot_model(vocab_size, **MODEL[name])


def compile_for_training(model, learning_rate, decay_steps=None):
    """Compile with the course's loss (logits, per-token weights) and Adam; cosine decay over decay_steps if given."""
    import keras
    if decay_steps:
        learning_rate = keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps, alpha=0.05)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate, clipnorm=1.0),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), weighted_metrics=[])


def train(name, functions=None, epochs=None, verbose=2):
    """Train chatbot `name` from scratch; returns (model, attention_model, vocabulary, history, seconds)."""
    import keras
    functions = functions or notebook_functions()
    training = TRAINING[name]
    keras.utils.set_random_seed(training["seed"])
    vocab = vocabulary(name)
    word_to_id = {word: i for i, word in enumerate(vocab)}
    encoders = (functions.encode_line, functions.teacher_forcing)
    requests, previous, targets, weights = encode_pairs(name, "train", word_to_id, *encoders)
    validation = encode_pairs(name, "validation", word_to_id, *encoders)
    model, attention_model = build(name, len(vocab), functions)
    epochs = epochs or training["epochs"]
    compile_for_training(model, training["learning_rate"], epochs * math.ceil(len(requests) / training["batch_size"]))
    start = time.time()
    history = model.fit([requests, previous], targets, sample_weight=weights, batch_size=training["batch_size"],
                        epochs=epochs, shuffle=True, verbose=verbose,
                        validation_data=(list(validation[:2]), validation[2], validation[3]))
    return model, attention_model, vocab, history.history, time.time() - start


# --- decoding and scoring ---------------------------------------------------------------------------------------

def reply_bits(model, requests, previous, targets, weights, batch_size=256):
    """(-log2 p of each target token (m, T), with 0 where weights are 0): teacher-forced, in batches."""
    import keras
    bits = np.zeros(targets.shape)
    for start in range(0, len(requests), batch_size):
        rows = slice(start, start + batch_size)
        logits = model([requests[rows], previous[rows]], training=False)
        log_probs = keras.ops.convert_to_numpy(keras.ops.log_softmax(logits, axis=-1))
        picked = np.take_along_axis(log_probs, targets[rows][..., None], axis=-1)[..., 0]
        bits[rows] = -picked / math.log(2) * weights[rows]
    return bits


def next_logits(model, requests, previous, t):
    """The logits after the first t ids of each row of previous (zero-padded to a fixed width), shape (n, V).

    Fixed shapes let Keras compile the model once (predict_on_batch) instead of running it eagerly at every
    step; the padding changes nothing, since the masks skip it and the decoder is causal."""
    return np.asarray(model.predict_on_batch([requests, previous])[:, t - 1])


def next_log_probs_for(model, request_ids, beam_width, max_len=MAX_REPLY_TOKENS + 1):
    """next_log_probs(prefixes) for beam search on one request: log P(next id | request, prefix), shape (n, V).

    Every call has beam_width rows, the request padded to MAX_REQUEST_TOKENS and the prefixes to max_len."""
    import keras
    request = np.zeros((beam_width, max(MAX_REQUEST_TOKENS, len(request_ids))), np.int32)
    request[:, :len(request_ids)] = request_ids

    def next_log_probs(prefixes):
        n, t = len(prefixes), len(prefixes[0])
        if n > beam_width or t > max_len:
            raise ValueError(f"{n} prefixes of {t} ids: at most beam_width = {beam_width} of max_len = {max_len}")
        previous = np.zeros((beam_width, max_len), np.int32)
        previous[:n, :t] = prefixes
        logits = next_logits(model, request, previous, t)[:n]
        return keras.ops.convert_to_numpy(keras.ops.log_softmax(logits, axis=-1))
    return next_log_probs


def beam_reply(model, request_ids, start_id, end_id, beam_width=3, max_len=MAX_REPLY_TOKENS + 1):
    """The best reply (ids, without <end>) by the beam lab's beam search (width 1 is greedy)."""
    next_log_probs = next_log_probs_for(model, request_ids, beam_width, max_len)
    best, _ = beam_search(next_log_probs, start_id, end_id, beam_width, max_len)[0]
    return best[:-1] if best and best[-1] == end_id else best


def reply_trigram_bits(train_replies, held_out_replies, word_to_id):
    """Bits per token (each reply's tokens and <end>) of held-out reply texts under a Kneser-Ney trigram model of
    the training replies alone: the baseline that never reads the prompt."""
    from utils.word_lm import KneserNey

    class ReplyTrigram(KneserNey):
        def p1(self, w):  # add-one on the continuation counts: a word seen only in prompts is not impossible
            return (self.left[w] + 1) / (self.bigram_types + len(word_to_id))

    def stream(reply):  # two <start>s of context, so every token and <end> is predicted
        ids = [word_to_id.get(token, word_to_id[UNK]) for token in tokenize(reply)]
        return [word_to_id[START]] * 2 + ids + [word_to_id[END]]
    trigram = ReplyTrigram([i for reply in train_replies for i in stream(reply)])
    return float(np.mean(np.concatenate([trigram.token_bits(stream(reply)) for reply in held_out_replies])))


def sampled_replies(model, requests, start_id, end_id, temperature, rng, max_len=MAX_REPLY_TOKENS + 1):
    """Replies (lists of ids, without <end>) to a batch of requests, each token drawn from softmax(logits / T)."""
    requests = np.asarray(requests, np.int32)
    previous = np.zeros((len(requests), max_len), np.int32)
    previous[:, 0] = start_id
    drawn = np.zeros((len(requests), max_len), np.int32)
    for t in range(1, max_len + 1):
        z = next_logits(model, requests, previous, t).astype(np.float64) / temperature
        probabilities = np.exp(z - z.max(axis=1, keepdims=True))
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        # One uniform number per request, inverted through its cumulative distribution.
        tokens = (probabilities.cumsum(axis=1) < rng.random((len(requests), 1))).sum(axis=1)
        drawn[:, t - 1] = np.minimum(tokens, probabilities.shape[1] - 1)
        if t < max_len:
            previous[:, t] = drawn[:, t - 1]
        if (drawn[:, :t] == end_id).any(axis=1).all():
            break
    return [row[:row.index(end_id)] if end_id in row else row for row in drawn[:, :t].tolist()]


def texts_of(replies, vocab):
    """Reply texts of id lists."""
    return [detokenize([vocab[i] for i in reply]) for reply in replies]


class Retrieval:
    """The retrieval baseline: answer with the reply to the most similar training prompt (TF-IDF cosine)."""

    def __init__(self, prompts, replies):
        self.replies = list(replies)
        documents = [Counter(tokenize(prompt)) for prompt in prompts]
        self.words = sorted({word for document in documents for word in document})
        self.column = {word: i for i, word in enumerate(self.words)}
        document_frequency = Counter(word for document in documents for word in document)
        self.idf = np.log((1 + len(documents)) / (1 + np.array([document_frequency[w] for w in self.words]))) + 1
        self.matrix = self._vectors(documents)

    def _vectors(self, documents):
        from scipy.sparse import csr_matrix
        rows, columns, values = [], [], []
        for row, document in enumerate(documents):
            for word, count in document.items():
                if word in self.column:
                    rows.append(row)
                    columns.append(self.column[word])
                    values.append(count * self.idf[self.column[word]])
        matrix = csr_matrix((values, (rows, columns)), shape=(len(documents), len(self.words)))
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1))).ravel()
        return csr_matrix(matrix.multiply(1 / np.maximum(norms, 1e-12)[:, None]))

    def reply(self, prompts):
        """The retrieved reply for each prompt."""
        similarity = (self._vectors([Counter(tokenize(p)) for p in prompts]) @ self.matrix.T).toarray()
        return [self.replies[i] for i in similarity.argmax(axis=1)]


# --- shipped models ---------------------------------------------------------------------------------------------

def load_shipped(name, chatbot_model=None):
    """(model, attention_model, vocabulary, record) of the shipped chatbot `name`, built with `chatbot_model`
    (the notebook's, by default)."""
    if name not in CHATBOTS:
        raise ValueError(f"name must be one of {CHATBOTS}, got {name!r}")
    record = read_record(record_file(name), FORMAT, f"{name} chatbot", valid=lambda r: r.get("name") == name)
    chatbot_model = chatbot_model or notebook_functions().chatbot_model
    model, attention_model = chatbot_model(len(record["vocabulary"]), **record["model"])
    load_weights_checked(model, weights_file(name), "run `make models` to retrain the chatbots")
    return model, attention_model, record["vocabulary"], record


def station_figures(model, vocab, functions, beam_examples=None):
    """{split: {"exact", "slots"}} greedy on every held-out request, and beam (width 3) on the first beam_examples."""
    corpus = station_corpus()
    word_to_id = {word: i for i, word in enumerate(vocab)}
    start_id, end_id = word_to_id[START], word_to_id[END]
    figures = {}
    for split in ("validation", "held_out", "held_out_times"):
        examples = corpus[split]
        requests = np.stack([functions.encode_line(r, word_to_id, MAX_REQUEST_TOKENS) for r, *_ in examples])
        replies = functions.greedy_replies(model, requests, start_id, end_id, MAX_REPLY_TOKENS + 1)
        exact, slots = slot_accuracy(texts_of(replies, vocab), examples)
        figures[split] = {"examples": len(examples), "greedy_exact": exact, "greedy_slots": slots}
        if beam_examples and split != "validation":
            beams = [beam_reply(model, request[request > 0], start_id, end_id, 3)
                     for request in requests[:beam_examples]]
            exact, slots = slot_accuracy(texts_of(beams, vocab), examples[:beam_examples])
            figures[split].update(beam_examples=beam_examples, beam3_exact=exact, beam3_slots=slots)
    return figures


def shakespeare_perplexities(model, vocab, functions):
    """Held-out bits per reply token (and perplexity) of the chatbot, teacher-forced, and of the reply-only trigram."""
    word_to_id = {word: i for i, word in enumerate(vocab)}
    requests, previous, targets, weights = encode_pairs("shakespeare", "held_out", word_to_id, functions.encode_line,
                                                        functions.teacher_forcing)
    bits = reply_bits(model, requests, previous, targets, weights).sum() / weights.sum()
    exchanges = pairs("shakespeare")
    trigram = reply_trigram_bits([r for _, r in exchanges["train"]], [r for _, r in exchanges["held_out"]], word_to_id)
    return {"exchanges": len(requests), "tokens": int(weights.sum()), "bits_per_token": float(bits),
            "perplexity": float(2 ** bits), "trigram_bits_per_token": trigram,
            "trigram_perplexity": float(2 ** trigram)}


def shakespeare_figures(model, vocab, functions):
    """shakespeare_perplexities, and distinct-1/2 of the greedy replies and of the real ones."""
    word_to_id = {word: i for i, word in enumerate(vocab)}
    requests = encode_pairs("shakespeare", "held_out", word_to_id, functions.encode_line, functions.teacher_forcing)[0]
    replies = functions.greedy_replies(model, requests, word_to_id[START], word_to_id[END],
                                       SHAKESPEARE_REPLY_TOKENS + 1)
    real = [tokenize(reply) for _, reply in pairs("shakespeare")["held_out"]]
    return dict(shakespeare_perplexities(model, vocab, functions),
                greedy_distinct_1=functions.distinct_n(replies, 1), greedy_distinct_2=functions.distinct_n(replies, 2),
                real_distinct_1=functions.distinct_n(real, 1), real_distinct_2=functions.distinct_n(real, 2))


def figures_of(name, model, vocab, functions):
    """The held-out figures the record of chatbot `name` keeps."""
    if name == "station":
        return station_figures(model, vocab, functions, beam_examples=200)
    return shakespeare_figures(model, vocab, functions)


def train_and_save(name, functions=None):
    """Train chatbot `name`, measure it on its held-out data, write data/chatbot_<name>.{weights.h5,json}."""
    functions = functions or notebook_functions()
    model, _, vocab, history, seconds = train(name, functions)
    figures = figures_of(name, model, vocab, functions)
    record = {"format": FORMAT, "name": name, "vocabulary": vocab, "min_count": MIN_COUNT[name],
              "max_tokens": MAX_TOKENS[name], "model": MODEL[name], "parameters": int(model.count_params()),
              "training": dict(TRAINING[name], examples=len(pairs(name)["train"]),
                               loss=[round(x, 5) for x in history["loss"]],
                               val_loss=[round(x, 5) for x in history["val_loss"]], seconds=round(seconds)),
              "held_out": figures}
    bare, _ = build(name, len(vocab), functions)
    bare.set_weights(model.get_weights())  # uncompiled: the file holds no optimizer state
    save_weights_and_record(bare, weights_file(name), record, record_file(name))
    print(json.dumps(figures, indent=1))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("train", "evaluate"))
    parser.add_argument("names", nargs="*", metavar="name", help=f"any of {', '.join(CHATBOTS)} (default: both)")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(CHATBOTS))
    if unknown:
        parser.error(f"unknown chatbot {', '.join(unknown)}: choose from {', '.join(CHATBOTS)}")
    import utils.quiet_tf  # noqa: F401  (keeps TensorFlow's start-up log quiet)
    for name in args.names or CHATBOTS:
        if args.command == "train":
            train_and_save(name)
        else:
            model, _, vocab, _ = load_shipped(name)
            print(name, json.dumps(figures_of(name, model, vocab, notebook_functions()), indent=1))


if __name__ == "__main__":
    sys.exit(main())
