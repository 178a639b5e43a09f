"""Word-level language models of Shakespeare (the W1 word-level lab): tokens, an n-gram baseline, bits per character.

    python -m utils.word_lm train       # train the two shipped word LSTMs from scratch, write data/ (`make models`)
    python -m utils.word_lm evaluate    # the bits-per-character table of every model on the held-out text

Tokens keep the space before a word (" the", as GPT-2's tokenizer does), so joining the tokens gives the text
back exactly: a word model then assigns a probability to the very characters a character model reads, and the
two can be compared in bits per character. A word outside the vocabulary becomes "<unk>"; to stay a model of
characters, the word model also pays for spelling it (SpellingModel).

The text and its split are W1A2's (utils.shakespeare): the held-out passages are the 5% the shipped character
LSTM never saw. The word models also keep 5% of their training text aside (validation) to watch over-fitting.
"""
import argparse
import collections
import functools
import json
import math
import re
import sys
import time

import numpy as np

from utils import ROOT
from utils.model_files import load_weights_checked, read_record, save_weights_and_record, shown_path

DATA = ROOT / "data"
RECORD_FILE = DATA / "word_lstm.json"
WEIGHTS = {"random": DATA / "word_lstm_random.weights.h5", "glove": DATA / "word_lstm_glove.weights.h5"}
FORMAT = 1
UNK = "<unk>"

# A word (letters, with inner apostrophes: "o'er", "Who's"), "--", or one other character, each with the space
# before it; a newline is a token of its own. utils.shakespeare's text has single spaces and no space before
# a newline, so every character belongs to exactly one token.
TOKEN = re.compile(r" ?(?:[A-Za-z]+(?:'[A-Za-z]+)*|--|[^\sA-Za-z])|\n")

MIN_COUNT = 5  # the vocabulary cut-off: tokens seen fewer times in the training text become <unk>
MODEL = {"embedding_dim": 50, "units": 256}  # 50: GloVe 6B 50d's size; 256 units: both train in about 55 min on 2 cores
TRAINING = {"seq_length": 64, "batch_size": 32, "epochs": 8, "learning_rate": 3e-3, "seed": 0}


# --- tokens --------------------------------------------------------------------------------------------------

def tokenise(text):
    """The tokens of `text`; "".join(tokens) == text, or a ValueError showing the first character left out."""
    tokens = TOKEN.findall(text)
    joined = "".join(tokens)
    if joined != text:
        at = next((i for i, (a, b) in enumerate(zip(joined, text)) if a != b), len(joined))
        raise ValueError(f"the text cannot be tokenised losslessly near {text[max(0, at - 20):at + 20]!r} "
                         "(use utils.shakespeare's cleaned text: single spaces, none before a newline)")
    return tokens


def shown(token):
    """A token made visible: its leading space as '·' and a newline as '⏎'."""
    return token.replace("\n", "⏎").replace(" ", "·")


def word_form(token):
    """The lower-case word of a token, as GloVe spells it ("·Who's" -> "who's")."""
    return token.strip().lower()


@functools.lru_cache(maxsize=1)
def corpus():
    """{"train", "validation", "held_out"}: the three texts, as strings (W1A2's split, then 5% of its training text)."""
    from utils.shakespeare import train_validation_split, training_text
    rest, held_out = train_validation_split(training_text())
    train, validation = train_validation_split(rest)
    return {"train": train, "validation": validation, "held_out": held_out}


@functools.lru_cache(maxsize=1)
def corpus_tokens():
    """{"train", "validation", "held_out"}: the tokens of each text of corpus()."""
    return {name: tokenise(text) for name, text in corpus().items()}


# --- spelling an unknown word ----------------------------------------------------------------------------------

class SpellingModel:
    """A character bigram model of the rare tokens: what it costs to spell out a word the vocabulary lacks.

    Trained on every token of the training text that falls below the vocabulary's cut-off (with its leading
    space), add-one smoothed over the characters seen plus an end mark, so any such token has a probability.
    """
    END = "\0"

    def __init__(self, rare_tokens):
        self.characters = sorted({ch for token in rare_tokens for ch in token} | {self.END})
        index = {ch: i for i, ch in enumerate(self.characters)}
        counts = np.ones((len(self.characters) + 1, len(self.characters)))  # row 0: the start of a token
        for token in rare_tokens:
            previous = 0
            for ch in token + self.END:
                counts[previous, index[ch]] += 1
                previous = index[ch] + 1
        self.log2_probs = np.log2(counts / counts.sum(axis=1, keepdims=True))
        self.index = index

    def bits(self, token):
        """-log2 p(the characters of token, then the end mark); ValueError for a character never seen."""
        unknown = sorted(set(token) - set(self.index))
        if unknown:
            raise ValueError(f"characters the spelling model never saw: {unknown}")
        total, previous = 0.0, 0
        for ch in token + self.END:
            total -= self.log2_probs[previous, self.index[ch]]
            previous = self.index[ch] + 1
        return float(total)


def bits_per_character(token_bits, tokens, in_vocabulary, spelling):
    """Bits per character of a word model: its bits per token, plus the spelling of each <unk>, over the characters.

    token_bits[i] is -log2 p(token i | before it) (the <unk> id's probability for an unknown token);
    in_vocabulary[i] says whether token i is in the vocabulary.
    """
    token_bits = np.asarray(token_bits, dtype=np.float64)
    spelled = sum(spelling.bits(token) for token, known in zip(tokens, in_vocabulary) if not known)
    return float((token_bits.sum() + spelled) / sum(len(token) for token in tokens))


# --- the n-gram baseline ------------------------------------------------------------------------------------------

class KneserNey:
    """Interpolated Kneser-Ney of order 3 over integer ids, the formulation of NLTK's KneserNeyInterpolated.

    NLTK's model computes its continuation counts by scanning every n-gram at each call (hours on this corpus);
    this one counts once, with the same formula, and tests/test_word_lm.py checks it against NLTK on a small text.
        p3(w | u v) = max(c(u v w) - D, 0) / c(u v .) + D N1+(u v .) / c(u v .) p2(w | v)
        p2(w | v)   = max(N1+(. v w) - D, 0) / N1+(. v .) + D N1+(v .) / N1+(. v .) p1(w)
        p1(w)       = N1+(. w) / N1+(. .)
    where c counts n-grams and N1+ counts distinct words in the dotted place; an unseen context defers to the
    next lower order.
    """

    def __init__(self, ids, discount=0.75):
        if not 0 < discount < 1:
            raise ValueError(f"discount must be between 0 and 1, got {discount}")
        ids = [int(i) for i in ids]
        self.discount = discount
        self.trigrams = collections.Counter(zip(ids, ids[1:], ids[2:]))
        bigrams = collections.Counter(zip(ids, ids[1:]))
        self.context3 = collections.defaultdict(lambda: [0, 0])  # (u, v) -> [c(u v .), N1+(u v .)]
        for (u, v, _), count in self.trigrams.items():
            self.context3[u, v][0] += count
            self.context3[u, v][1] += 1
        self.middle = collections.Counter((v, w) for _, v, w in self.trigrams)  # N1+(. v w)
        self.middle_total = collections.Counter(v for _, v, _ in self.trigrams)  # N1+(. v .)
        self.followers = collections.Counter(v for v, _ in bigrams)  # N1+(v .)
        self.left = collections.Counter(w for _, w in bigrams)  # N1+(. w)
        self.bigram_types = len(bigrams)  # N1+(. .)
        self.context3 = dict(self.context3)

    def p1(self, w):
        return self.left[w] / self.bigram_types

    def p2(self, w, v):
        total = self.middle_total[v]
        if not self.followers[v] or not total:
            return self.p1(w)
        d = self.discount
        return max(self.middle[v, w] - d, 0) / total + d * self.followers[v] / total * self.p1(w)

    def p3(self, w, u, v):
        if (u, v) not in self.context3:
            return self.p2(w, v)
        count, types = self.context3[u, v]
        d = self.discount
        return max(self.trigrams[u, v, w] - d, 0) / count + d * types / count * self.p2(w, v)

    def token_bits(self, ids):
        """-log2 p(ids[i] | ids[i-2], ids[i-1]) for i = 2 .. len(ids) - 1 (the first two tokens are context)."""
        ids = [int(i) for i in ids]
        return np.array([-math.log2(self.p3(w, u, v)) for u, v, w in zip(ids, ids[1:], ids[2:])])


# --- GloVe ----------------------------------------------------------------------------------------------------

def glove_embedding_matrix(vocabulary, seed=0):
    """(matrix (V, 50), found (V,) bool): row i is the GloVe vector of token i's word_form where GloVe has it,
    otherwise random with GloVe's spread (the model learns it)."""
    from utils.w2v_utils import load_glove
    words, vectors = load_glove()
    row = {word: i for i, word in enumerate(words)}
    rng = np.random.default_rng(seed)
    matrix = rng.normal(0.0, float(vectors.std()), (len(vocabulary), vectors.shape[1])).astype(np.float32)
    found = np.array([word_form(token) in row for token in vocabulary])
    for i, token in enumerate(vocabulary):
        if found[i]:
            matrix[i] = vectors[row[word_form(token)]]
    return matrix, found


# --- the word LSTMs -------------------------------------------------------------------------------------------

NOTEBOOK = ROOT / "Week-1" / "W1_Lab_Word_Level_Language_Model" / "Word_Level_Language_Model.ipynb"


@functools.lru_cache(maxsize=1)
def notebook_functions():
    """The notebook's graded functions the word LSTMs are built and trained with (loaded once)."""
    from utils.notebook_tools import load_definitions
    return load_definitions(NOTEBOOK)


def lstm_token_bits(model, ids, seq_length=TRAINING["seq_length"], batch_size=64):
    """-log2 p(ids[i] | ids[:i]) for i = 1 .. len(ids) - 1, the model reading windows of seq_length tokens,
    each from a zero state (the last window may be shorter)."""
    import keras
    ids = np.asarray(ids, dtype=np.int32)
    starts = list(range(0, len(ids) - 1, seq_length))
    bits = []
    for start_batch in range(0, len(starts), batch_size):
        chunk = starts[start_batch:start_batch + batch_size]
        width = max(min(seq_length, len(ids) - 1 - s) for s in chunk)
        inputs = np.zeros((len(chunk), width), np.int32)
        for row, s in enumerate(chunk):
            piece = ids[s:s + min(width, len(ids) - 1 - s)]
            inputs[row, :len(piece)] = piece
        log_probs = keras.ops.convert_to_numpy(keras.ops.log_softmax(model(inputs, training=False), axis=-1))
        for row, s in enumerate(chunk):
            n = min(width, len(ids) - 1 - s)
            targets = ids[s + 1:s + 1 + n]
            bits.append(-log_probs[row, np.arange(n), targets] / math.log(2))
    return np.concatenate(bits)


def vocabulary_and_ids(functions=None, min_count=MIN_COUNT):
    """(vocabulary, {split: ids}) with the notebook's build_vocabulary and words_to_ids on corpus_tokens()."""
    functions = functions or notebook_functions()
    tokens = corpus_tokens()
    vocabulary = functions.build_vocabulary(tokens["train"], min_count)
    word_to_id = {word: i for i, word in enumerate(vocabulary)}
    return vocabulary, {name: functions.words_to_ids(split, word_to_id) for name, split in tokens.items()}


def build(kind, vocabulary, functions=None):
    """The notebook's word_lstm_model for `kind` "random" (Keras' default initialisation) or "glove"."""
    if kind not in WEIGHTS:
        raise ValueError(f"kind must be one of {sorted(WEIGHTS)}, got {kind!r}")
    functions = functions or notebook_functions()
    matrix = glove_embedding_matrix(vocabulary)[0] if kind == "glove" else None
    return functions.word_lstm_model(len(vocabulary), MODEL["embedding_dim"], MODEL["units"], matrix)


def train_one(kind, vocabulary, ids, functions=None, training=TRAINING, steps_per_epoch=None, verbose=2):
    """Train one word LSTM on (input, next token) windows of the training ids; returns (model, history)."""
    import keras
    functions = functions or notebook_functions()
    keras.utils.set_random_seed(training["seed"])
    model = build(kind, vocabulary, functions)
    inputs, targets = functions.make_windows(ids["train"], training["seq_length"])
    validation = functions.make_windows(ids["validation"], training["seq_length"])
    steps = steps_per_epoch or math.ceil(len(inputs) / training["batch_size"])
    schedule = keras.optimizers.schedules.CosineDecay(training["learning_rate"], training["epochs"] * steps,
                                                      alpha=0.02)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=schedule, clipnorm=1.0),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(inputs, targets, batch_size=training["batch_size"], epochs=training["epochs"],
                        steps_per_epoch=steps_per_epoch, validation_data=validation, shuffle=True, verbose=verbose)
    return model, history


def spelling_model(vocabulary):
    """The SpellingModel of the training tokens outside `vocabulary`."""
    known = set(vocabulary)
    return SpellingModel([token for token in corpus_tokens()["train"] if token not in known])


def bits_table(models, vocabulary, ids, functions=None, n_tokens=None):
    """{name: bits per character on the held-out text (its first n_tokens tokens)} for the Kneser-Ney trigram,
    each word LSTM in `models` ({name: model}) and the W1A2 character LSTM, all on the same characters.

    Every model predicts every token (character) but those of the first two tokens, which are context."""
    from utils import char_lstm
    tokens = corpus_tokens()["held_out"][:n_tokens]
    held_out = ids["held_out"][:len(tokens)]
    known = set(vocabulary)
    in_vocabulary = [token in known for token in tokens]
    spelling = spelling_model(vocabulary)
    table = {"Kneser-Ney trigram": bits_per_character(
        KneserNey(ids["train"]).token_bits(held_out), tokens[2:], in_vocabulary[2:], spelling)}
    for name, model in models.items():
        bits = lstm_token_bits(model, held_out)[1:]
        table[name] = bits_per_character(bits, tokens[2:], in_vocabulary[2:], spelling)
    char_model, characters, _ = char_lstm.load_shipped_model()
    text = "".join(tokens)
    context = len(tokens[0]) + len(tokens[1])
    char_ids = characters.encode(text[context - 1:])
    table["character LSTM (W1A2)"] = float(lstm_token_bits(char_model, char_ids, seq_length=256).mean())
    return table


def load_shipped_models(word_lstm_model=None, vocabulary=None):
    """({"random": model, "glove": model} with the shipped weights, the record), built with `word_lstm_model`
    (the notebook's by default); clear errors if the files are missing or were made for another vocabulary."""
    record = shipped_record()
    vocabulary = record["vocabulary"] if vocabulary is None else vocabulary
    if len(vocabulary) != len(record["vocabulary"]):
        raise ValueError(f"the shipped models know {len(record['vocabulary']):,} tokens, the vocabulary given has "
                         f"{len(vocabulary):,}: run `make models` (or: python -m utils.word_lm train)")
    word_lstm_model = word_lstm_model or notebook_functions().word_lstm_model
    models = {}
    for kind, path in WEIGHTS.items():
        # The GloVe rows only start training: the shipped weights replace them, so both kinds load alike.
        models[kind] = word_lstm_model(len(vocabulary), MODEL["embedding_dim"], MODEL["units"])
        load_weights_checked(models[kind], path, "run `make models` (or: python -m utils.word_lm train)")
    return models, record


def shipped_record():
    """The JSON record written with the shipped weights: the vocabulary, the recipe, the training log, the table."""
    return read_record(RECORD_FILE, FORMAT, "word LSTM", lambda record: isinstance(record.get("vocabulary"), list))


def train(functions=None):
    """Train both word LSTMs, measure the bits-per-character table, save the weights and the record."""
    functions = functions or notebook_functions()
    vocabulary, ids = vocabulary_and_ids(functions)
    print(f"{len(vocabulary):,} tokens in the vocabulary; {len(ids['train']):,} training tokens, "
          f"{len(ids['validation']):,} validation, {len(ids['held_out']):,} held out", flush=True)
    models, log = {}, {}
    for kind in WEIGHTS:
        start = time.time()
        model, history = train_one(kind, vocabulary, ids, functions)
        log[kind] = {"seconds": round(time.time() - start),
                     "loss": [round(v, 4) for v in history.history["loss"]],
                     "val_loss": [round(v, 4) for v in history.history["val_loss"]]}
        print(f"{kind}: {log[kind]}", flush=True)
        models[kind] = model
    table = bits_table({f"word LSTM, {kind} embeddings": model for kind, model in models.items()}, vocabulary, ids)
    record = {"format": FORMAT, "vocabulary": vocabulary, "min_count": MIN_COUNT, "model": MODEL,
              "training": {**TRAINING, **{kind: entry for kind, entry in log.items()}},
              "tokens": {name: len(split) for name, split in ids.items()},
              "bits_per_character": {name: round(bits, 4) for name, bits in table.items()}}
    for kind, model in models.items():
        bare = functions.word_lstm_model(len(vocabulary), MODEL["embedding_dim"], MODEL["units"])
        bare.set_weights(model.get_weights())  # uncompiled: the file holds no optimizer state
        save_weights_and_record(bare, WEIGHTS[kind], record, RECORD_FILE)
    print(json.dumps(record["bits_per_character"], indent=1))
    print(f"saved {', '.join(shown_path(p) for p in WEIGHTS.values())} and {shown_path(RECORD_FILE)}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("train", "evaluate"))
    args = parser.parse_args(argv)
    if args.command == "train":
        train()
    else:
        vocabulary, ids = vocabulary_and_ids()
        models, record = load_shipped_models(vocabulary=vocabulary)
        table = bits_table({f"word LSTM, {kind} embeddings": m for kind, m in models.items()}, vocabulary, ids)
        print(json.dumps({name: round(bits, 4) for name, bits in table.items()}, indent=1))


if __name__ == "__main__":
    sys.exit(main())
