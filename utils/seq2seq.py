"""Dates written out in words, and a small autoregressive encoder-decoder to search over (W3 lab: beam search, BLEU).

The task: read a human-readable date ("tue 21 aug 2016", "8/21/16", from `utils.nmt_utils.load_dataset`) and
write it out in words. A date has several accepted wordings, and the training data uses each with a fixed
probability (`WORDINGS`, `YEAR_FORMS`):

    the twenty first of august twenty sixteen            0.4 x 0.6
    august twenty first two thousand sixteen             0.3 x 0.4
    august the twenty first twenty sixteen               0.3 x 0.6   ... six wordings in all

so the model learns a distribution over whole sentences, and the most likely sentence is not always found by
taking the most likely word at each step. Words are lower case and separated by single spaces (no hyphens or
commas), so a sentence splits into its tokens with `str.split()`.

Decoding machinery shared by the lab's notebook and tests:
- `Translator`: a Keras 3 encoder (bidirectional GRU over characters) and decoder (GRU over the previous words,
  dot-product attention over the encoder), as a training model (teacher forcing) and, from the same layers,
  an inference function `log_prob_function(text)` giving log P(next word | prefix, text) for a batch of prefixes;
- `greedy_decode` and `sequence_log_prob`, for any such next-word function;
- `TableModel`: a hand-made next-token model (a table of probabilities), no Keras, for toy examples and tests,
  and `plot_search_tree`, which draws every sentence such a model can produce.
"""
import random
from datetime import date

import numpy as np

from utils.nmt_utils import FIRST_DATE, HUMAN_CHARS, LAST_DATE, PAD as CHAR_PAD, UNK, load_dataset, string_to_int

# --- Numbers and dates in words -------------------------------------------------------------------------------

ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen").split()
TENS = (None, None, "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
ORDINAL_ONES = (None, "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
                "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
                "eighteenth", "nineteenth")
MONTHS = ("january february march april may june july august september october november december").split()


def _check_int(n, low, high, name):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not low <= n <= high:
        raise ValueError(f"{name} must be an integer from {low} to {high}, got {n!r}")


def number_to_words(n):
    """0 <= n <= 9999 in words, American style without "and" or hyphens: 2016 -> 'two thousand sixteen'."""
    _check_int(n, 0, 9999, "n")
    if n < 20:
        return ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return TENS[tens] + (f" {ONES[ones]}" if ones else "")
    for size, name in ((1000, "thousand"), (100, "hundred")):
        if n >= size:
            high, rest = divmod(n, size)
            return f"{ONES[high]} {name}" + (f" {number_to_words(rest)}" if rest else "")


def ordinal_words(n):
    """1 <= n <= 99 as an ordinal: 1 -> 'first', 21 -> 'twenty first', 30 -> 'thirtieth'."""
    _check_int(n, 1, 99, "n")
    if n < 20:
        return ORDINAL_ONES[n]
    tens, ones = divmod(n, 10)
    return f"{TENS[tens]} {ORDINAL_ONES[ones]}" if ones else TENS[tens][:-1] + "ieth"


def year_words(year):
    """{wording: probability} of the ways the data writes `year` (1000 to 9999).

    Years 2000-2009 as a number ('two thousand five'); 2010-2099 either as a number ('two thousand sixteen', 0.4)
    or in two pairs of digits ('twenty sixteen', 0.6); other years in pairs of digits ('nineteen fifty',
    'nineteen oh five', 'nineteen hundred').
    """
    _check_int(year, 1000, 9999, "year")
    high, low = divmod(year, 100)
    pairs = f"{number_to_words(high)} " + ("hundred" if low == 0 else
                                           f"oh {ONES[low]}" if low < 10 else number_to_words(low))
    if 2000 <= year <= 2009:
        return {number_to_words(year): 1.0}
    if 2010 <= year <= 2099:
        return {number_to_words(year): YEAR_FORMS["number"], pairs: YEAR_FORMS["pairs"]}
    return {pairs: 1.0}


# How often the data uses each sentence pattern, and each form of a year that has two.
WORDINGS = {"the {day} of {month} {year}": 0.4, "{month} {day} {year}": 0.3, "{month} the {day} {year}": 0.3}
YEAR_FORMS = {"number": 0.4, "pairs": 0.6}


def _as_date(day):
    if isinstance(day, date):
        return day
    try:
        return date.fromisoformat(day)
    except (TypeError, ValueError):
        raise ValueError(f"expected a date or an ISO date string YYYY-MM-DD, got {day!r}") from None


def date_wordings(day):
    """{accepted wording: probability} of a date (a `datetime.date` or 'YYYY-MM-DD'); probabilities sum to 1.

    Sorted from most to least likely (ties in alphabetical order).
    """
    day = _as_date(day)
    wordings = {}
    for pattern, p_pattern in WORDINGS.items():
        for year, p_year in year_words(day.year).items():
            text = pattern.format(day=ordinal_words(day.day), month=MONTHS[day.month - 1], year=year)
            wordings[text] = wordings.get(text, 0.0) + p_pattern * p_year
    return dict(sorted(wordings.items(), key=lambda item: (-item[1], item[0])))


def most_likely_wording(day):
    """The wording the data uses most often for `day`: what an exact search over a perfect model would return."""
    return next(iter(date_wordings(day)))


def sample_wording(day, rng):
    """One wording of `day`, drawn with its probability using `rng` (a `random.Random`)."""
    wordings = date_wordings(day)
    return rng.choices(list(wordings), weights=list(wordings.values()))[0]


def load_word_dataset(m, seed=0):
    """m triples (human-readable date, ISO date, one sampled wording), drawn reproducibly from `seed`."""
    pairs, *_ = load_dataset(m, seed=seed)
    rng = random.Random(f"date wordings {seed}")  # its own stream, independent of load_dataset's
    return [(human, iso, sample_wording(iso, rng)) for human, iso in pairs]


# --- Vocabularies and encodings -------------------------------------------------------------------------------

PAD, START, END = "<pad>", "<start>", "<end>"


def _all_words():
    words = {"the", "of", *MONTHS}
    words |= {w for d in range(1, 32) for w in ordinal_words(d).split()}
    words |= {w for y in range(FIRST_DATE.year, LAST_DATE.year + 1) for text in year_words(y) for w in text.split()}
    return sorted(words)


WORDS = [PAD, START, END] + _all_words()  # fixed, not read off the data; <pad> is 0
WORD_TO_ID = {w: i for i, w in enumerate(WORDS)}
PAD_ID, START_ID, END_ID = WORD_TO_ID[PAD], WORD_TO_ID[START], WORD_TO_ID[END]
HUMAN_VOCAB = {c: i for i, c in enumerate(HUMAN_CHARS + [UNK, CHAR_PAD])}  # as in utils.nmt_utils.load_dataset
TX = 30  # input characters
TY = 1 + max(len(text.split()) for y in range(FIRST_DATE.year, LAST_DATE.year + 1)
             for text in date_wordings(date(y, 9, 27)))  # longest wording (september, two-word day) + <end>


def words_to_ids(text, Ty=None):
    """The word ids of a wording followed by <end>; with Ty, padded with <pad> (0) to Ty ids."""
    words = text.split()
    unknown = sorted(set(words) - set(WORD_TO_ID) | ({PAD, START, END} & set(words)))
    if unknown:
        raise ValueError(f"words outside the vocabulary: {unknown}")
    ids = [WORD_TO_ID[w] for w in words] + [END_ID]
    if Ty is not None:
        if len(ids) > Ty:
            raise ValueError(f"{text!r} has {len(ids) - 1} words; with <end> that is more than Ty = {Ty}")
        ids += [PAD_ID] * (Ty - len(ids))
    return ids


def ids_to_words(ids):
    """The text of a sequence of word ids, up to (not including) the first <end>; <start> and <pad> are skipped."""
    words = []
    for i in ids:
        word = WORDS[int(i)]
        if word == END:
            break
        if word not in (PAD, START):
            words.append(word)
    return " ".join(words)


def encode_targets(wordings, Ty=TY):
    """Teacher forcing arrays for a list of wordings: (previous words, targets, weights), each (m, Ty).

    targets[i] are the word ids and <end>, padded with 0; previous[i] is <start> followed by targets[i]
    shifted right (the decoder's input: the word before each target); weights are 1 on real targets, 0 on
    padding, so padding adds nothing to the loss.
    """
    targets = np.array([words_to_ids(text, Ty) for text in wordings], dtype=np.int32).reshape(-1, Ty)
    previous = np.concatenate([np.full((len(targets), 1), START_ID, dtype=np.int32), targets[:, :-1]], axis=1)
    return previous, targets, (targets != PAD_ID).astype(np.float32)


def encode_inputs(texts, Tx=TX):
    """(m, Tx) character ids of human-readable dates. An empty text is a ValueError; longer texts are cut
    to Tx characters with a warning and unknown characters become <unk> (see `utils.nmt_utils.string_to_int`)."""
    if isinstance(texts, str):
        raise ValueError("expected a list of texts, got a single string")
    if any(not str(text).strip() for text in texts):
        raise ValueError("cannot translate an empty string: there is no date in it")
    return np.array([string_to_int(text, Tx, HUMAN_VOCAB) for text in texts], dtype=np.int32).reshape(-1, Tx)


# --- The model --------------------------------------------------------------------------------------------------

class Translator:
    """Dates -> words: a character encoder and an autoregressive word decoder with attention (Keras 3).

    - encoder: Embedding -> Bidirectional GRU(n_a) over the Tx characters: a (m, Tx, 2 n_a), and the two
      final states concatenated, s0 (m, 2 n_a), the decoder's initial state;
    - decoder, at step t: Embedding of the previous word y<t-1> (<start> at t = 1) -> GRU(2 n_a) state
      s<t> -> dot-product attention of s<t> over a -> context<t> -> Dense on [s<t>; context<t>] -> logits.

    `model` trains with teacher forcing on ([characters, previous words], next words). `encoder` and
    `decoder` are two more Keras models built from the same layers (so they always hold the trained weights);
    `log_prob_function(text)` uses them to give log P(next word | prefix, text) for a batch of prefixes.
    """

    def __init__(self, n_a=32, embedding_dim=32, Tx=TX):
        import keras
        from keras import layers
        self.Tx, self.n_a, self.n_s = Tx, n_a, 2 * n_a
        char_embedding = layers.Embedding(len(HUMAN_VOCAB), embedding_dim, name="char_embedding")
        encoder_rnn = layers.Bidirectional(layers.GRU(n_a, return_sequences=True, return_state=True), name="encoder")
        word_embedding = layers.Embedding(len(WORDS), embedding_dim, name="word_embedding")
        decoder_rnn = layers.GRU(self.n_s, return_sequences=True, return_state=True, name="decoder")
        attention = layers.Attention(name="attention")  # softmax over the input positions of s<t> . a<t'>
        join = layers.Concatenate(name="state_and_context")
        output = layers.Dense(len(WORDS), name="logits")

        def decode(a, s0, previous):
            s, _ = decoder_rnn(word_embedding(previous), initial_state=s0)
            return output(join([s, attention([s, a])]))

        characters = keras.Input((Tx,), dtype="int32", name="characters")
        previous = keras.Input((None,), dtype="int32", name="previous_words")
        a, forward, backward = encoder_rnn(char_embedding(characters))
        s0 = layers.Concatenate(name="initial_state")([forward, backward])
        self.model = keras.Model([characters, previous], decode(a, s0, previous), name="translator")
        self.encoder = keras.Model(characters, [a, s0], name="encoder")
        a_in = keras.Input((Tx, self.n_s), name="a")
        s0_in = keras.Input((self.n_s,), name="s0")
        self.decoder = keras.Model([a_in, s0_in, previous], decode(a_in, s0_in, previous), name="decoder")
        self._last_log_probs = None

    def _next_log_probs(self, a, s0, prefixes):
        if self._last_log_probs is None:  # compiled once (and only when used): about 1 ms per call, not 40
            import tensorflow as tf

            @tf.function(reduce_retracing=True)
            def last_log_probs(a, s0, prefixes):
                return tf.nn.log_softmax(self.decoder([a, s0, prefixes], training=False)[:, -1])

            self._last_log_probs = last_log_probs
        return self._last_log_probs(a, s0, prefixes).numpy().astype(np.float64)

    def log_prob_functions(self, texts):
        """For each text, a function: list of prefixes -> (len(prefixes), len(WORDS)) log P(next word).

        A prefix is a list of word ids that starts with <start>; all prefixes of one call have the same length.
        The encoder runs once for all texts, here; each call of a function runs the decoder over its prefixes.
        """
        a, s0 = self.encoder.predict_on_batch(encode_inputs(texts, self.Tx))
        a, s0 = np.asarray(a), np.asarray(s0)

        def make(i):
            def next_log_probs(prefixes):
                prefixes = np.asarray(prefixes, dtype=np.int32)
                if prefixes.ndim != 2 or prefixes.shape[1] < 1:
                    raise ValueError("prefixes must be a non-empty list of equally long lists of word ids")
                n = len(prefixes)
                return self._next_log_probs(np.repeat(a[i:i + 1], n, 0), np.repeat(s0[i:i + 1], n, 0), prefixes)
            return next_log_probs

        return [make(i) for i in range(len(texts))]

    def log_prob_function(self, text):
        """log P(next word | prefix, text) for a batch of prefixes (see `log_prob_functions`)."""
        return self.log_prob_functions([text])[0]

    def sequence_log_probs(self, texts, wordings):
        """log P(wording + <end> | text) of each (text, wording) pair, by teacher forcing: one model call."""
        if len(texts) != len(wordings):
            raise ValueError(f"{len(texts)} texts but {len(wordings)} wordings")
        import keras
        previous, targets, weights = encode_targets(wordings, max(len(w.split()) + 1 for w in wordings))
        logits = self.model([encode_inputs(texts, self.Tx), previous], training=False)
        log_probs = np.asarray(keras.ops.log_softmax(logits, axis=-1), dtype=np.float64)
        picked = np.take_along_axis(log_probs, targets[..., None].astype(np.int64), axis=-1)[..., 0]
        return (picked * weights).sum(axis=1)


# --- Decoding with any next-token function ----------------------------------------------------------------------

def greedy_decode(next_log_probs, start_token, end_token, max_len):
    """The most likely token at each step until end_token or max_len tokens: (tokens, summed log-probability).

    `next_log_probs(prefixes)` returns (len(prefixes), vocab) log-probabilities; ties go to the lower token id.
    `tokens` excludes start_token and includes end_token when it was produced.
    """
    if max_len < 1:
        raise ValueError(f"max_len must be at least 1, got {max_len}")
    prefix, total = [start_token], 0.0
    for _ in range(max_len):
        log_probs = np.asarray(next_log_probs([prefix]), dtype=np.float64)[0]
        token = int(np.argmax(log_probs))
        prefix.append(token)
        total += float(log_probs[token])
        if token == end_token:
            break
    return prefix[1:], total


def sequence_log_prob(next_log_probs, start_token, tokens):
    """log P(tokens) = sum over t of log P(token t | start_token, tokens before t), one call per token."""
    prefix, total = [start_token], 0.0
    for token in tokens:
        total += float(np.asarray(next_log_probs([prefix]), dtype=np.float64)[0, int(token)])
        prefix.append(int(token))
    return total


class TableModel:
    """A hand-made next-token model: `rows[prefix]` = {token: probability} for the token after `prefix`.

    A prefix is a tuple of the tokens after the start token; tokens not listed in a row have probability 0
    (log-probability -inf). Called like a model's log-probability function: model(prefixes) -> (n, vocab).

    For example, with 0 = <start>, 1 = <end>, 2 = "yes": TableModel({(): {2: 1.0}, (2,): {1: 1.0}}, 3, 0)
    always says "yes <end>".
    """

    def __init__(self, rows, vocab_size, start_token):
        self.vocab_size, self.start_token = vocab_size, start_token
        self.rows = {}
        for prefix, row in rows.items():
            if any(not 0 <= t < vocab_size for t in row):
                raise ValueError(f"row {prefix} has a token outside 0..{vocab_size - 1}")
            if any(p < 0 for p in row.values()) or not np.isclose(sum(row.values()), 1.0):
                raise ValueError(f"row {prefix}: probabilities must be non-negative and sum to 1, got {row}")
            log_row = np.full(vocab_size, -np.inf)
            for token, p in row.items():
                if p > 0:
                    log_row[token] = np.log(p)
            self.rows[tuple(prefix)] = log_row
        self.calls = 0

    @classmethod
    def from_words(cls, rows, words):
        """The same, written with words: rows = {"prefix words": {word: probability}}, "" for the empty prefix;
        `words` lists the vocabulary, the start token first."""
        ids = {w: i for i, w in enumerate(words)}
        unknown = sorted({w for prefix, row in rows.items() for w in [*prefix.split(), *row]} - set(ids))
        if unknown:
            raise ValueError(f"words outside the vocabulary: {unknown}")
        return cls({tuple(ids[w] for w in prefix.split()): {ids[w]: p for w, p in row.items()}
                    for prefix, row in rows.items()}, vocab_size=len(words), start_token=0)

    def __call__(self, prefixes):
        self.calls += 1
        out = np.empty((len(prefixes), self.vocab_size))
        for i, prefix in enumerate(prefixes):
            prefix = [int(t) for t in prefix]
            if not prefix or prefix[0] != self.start_token:
                raise ValueError(f"a prefix must start with the start token {self.start_token}: {prefix}")
            key = tuple(prefix[1:])
            if key not in self.rows:
                raise ValueError(f"the table has no row for the prefix {key}")
            out[i] = self.rows[key]
        return out


def plot_search_tree(model, words, end_token, paths=(), ax=None):
    """Draw every sentence a TableModel can produce as a tree: one column per step, the probability of each
    word on its edge and of each whole sentence at its end. `paths` = [(tokens, colour, label)] highlights
    token sequences (without the start token), e.g. greedy's choice and the most likely sentence."""
    import matplotlib.pyplot as plt
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 4))
    positions, leaves = {}, []

    def place(prefix, depth):  # depth-first: leaves get y = 0, 1, 2, ... from the top
        log_row = model.rows.get(prefix)
        children = [] if log_row is None or (prefix and prefix[-1] == end_token) else \
            [t for t in range(model.vocab_size) if np.isfinite(log_row[t])]
        if not children:
            leaves.append(prefix)
            positions[prefix] = (depth, len(leaves) - 1)
            return positions[prefix][1]
        ys = [place(prefix + (t,), depth + 1) for t in children]
        positions[prefix] = (depth, float(np.mean(ys)))
        return positions[prefix][1]

    place((), 0)
    highlighted = {}
    for tokens, colour, label in paths:
        for k in range(1, len(tokens) + 1):
            highlighted.setdefault(tuple(tokens[:k]), colour)
        ax.plot([], [], color=colour, lw=3, label=label)
    for prefix, (x, y) in positions.items():
        if prefix:
            parent = positions[prefix[:-1]]
            colour = highlighted.get(prefix, "0.75")
            ax.plot([parent[0], x], [parent[1], y], color=colour, lw=3 if prefix in highlighted else 1.2, zorder=1)
            p = np.exp(model.rows[prefix[:-1]][prefix[-1]])
            ax.text((parent[0] + x) / 2, (parent[1] + y) / 2, f"{p:.2f}", fontsize=8, ha="center", va="bottom",
                    color="0.3")
        word = words[prefix[-1]] if prefix else words[model.start_token]
        ax.text(x, y, word, ha="center", va="center", fontsize=10, zorder=2,
                bbox=dict(boxstyle="round,pad=0.25", fc="#dbe9f6" if prefix else "#eeeeee", ec="#2b6cb0"))
    depth = max(x for x, _ in positions.values())
    for leaf in leaves:
        total = sum(model.rows[leaf[:k]][leaf[k]] for k in range(len(leaf)))
        ax.text(depth + 0.45, positions[leaf][1], f"P = {np.exp(total):.2f}", va="center", fontsize=10)
    ax.set_xlim(-0.4, depth + 1.1)
    ax.set_ylim(len(leaves) - 0.5, -0.7)
    ax.axis("off")
    if paths:
        ax.legend(loc="lower left", fontsize=9, frameon=False)
    return ax
