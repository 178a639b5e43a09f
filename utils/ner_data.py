"""Named-entity recognition lab: a generated résumé/news corpus with BIO tags, vocabularies, encodings, a tagger.

Sentences come from hand-written templates whose slots are filled with Faker (pinned, en_US): person names,
company names, cities, US states and countries, and dates written in several styles; skills come from the list
below, which we wrote. Every word carries one BIO tag: ``B-X`` starts an entity of type X, ``I-X`` continues it,
``O`` is outside any entity. The types are PER, ORG, LOC, DATE and SKILL.

The test split is built to measure generalisation, not memorisation:

* its Faker seed differs from the training seed, so most names, companies and places are new;
* a quarter of its sentences (by default) use templates that never occur in training (``HELD_OUT_TEMPLATES``);
* its skills come from the whole list, including ``HELD_OUT_SKILLS``, which training never uses.

``unseen_entity_share`` states how many test entities never occur (same words, same type) in training.

A validation split, for choices made while training (how many epochs, which variant to ship), is generated the
same way as the test split (its own Faker seeds, the same share of held-out templates, the held-out skills), and
no validation sentence equals a training or test sentence. The test split is used only to report.

Words become ids through a vocabulary read off the training split: ``<pad>`` = 0, ``<unk>`` = 1, then (with
``shape_unknowns=True``) one unknown token per word shape such as ``<unk:Xx>`` for an unknown capitalised word,
then the known words, lower-cased and sorted. Words seen fewer than ``min_count`` times in training are left out,
so the model meets unknown tokens during training and learns what to do with them.
"""
import random
import re
import warnings
from collections import Counter
from datetime import date

import numpy as np

ENTITY_TYPES = ["DATE", "LOC", "ORG", "PER", "SKILL"]
TAGS = ["O"] + [f"{prefix}-{kind}" for kind in ENTITY_TYPES for prefix in ("B", "I")]
TAG_INDEX = {tag: i for i, tag in enumerate(TAGS)}
PAD, UNK = "<pad>", "<unk>"
SHAPES = ["X", "Xx", "d", "other", "x", "xd"]
SHAPE_UNKS = [f"<unk:{shape}>" for shape in SHAPES]
MAX_LEN = 32  # the longest sentence generated with the default seeds has 30 words
FIRST_DAY, LAST_DAY = date(1960, 1, 1), date(2030, 12, 31)  # dates are drawn between these

SKILLS = [
    "Python", "Java", "C++", "SQL", "JavaScript", "TypeScript", "Rust", "Go", "Kotlin", "Swift", "R", "MATLAB",
    "machine learning", "deep learning", "data analysis", "data visualisation", "statistics", "cloud computing",
    "project management", "public speaking", "technical writing", "customer service", "negotiation",
    "financial modelling", "accounting", "bookkeeping", "graphic design", "user research", "copywriting",
    "Excel", "Photoshop", "Docker", "Kubernetes", "Linux", "network security", "penetration testing",
    "supply chain management", "digital marketing", "search engine optimisation", "quality assurance",
    "Spanish", "Mandarin", "German", "welding", "carpentry", "first aid", "event planning", "video editing",
]
# Skills that only the test split uses: the model must recognise them from the context.
HELD_OUT_SKILLS = ["Haskell", "Scala", "natural language processing", "signal processing", "Figma",
                   "conflict resolution", "crisis communication", "Portuguese", "plumbing", "sound engineering"]

TEMPLATES = [
    "{PER} worked as a data analyst at {ORG} in {LOC} from {DATE} to {DATE} .",
    "{PER} joined {ORG} on {DATE} .",
    "Skills : {SKILL} , {SKILL} and {SKILL} .",
    "{PER} is an expert in {SKILL} and {SKILL} with ten years at {ORG} .",
    "{ORG} announced on {DATE} that {PER} will lead its office in {LOC} .",
    "Speaking in {LOC} on {DATE} , {PER} said that {ORG} is hiring engineers who know {SKILL} .",
    "In {DATE} , {PER} moved from {LOC} to {LOC} to work for {ORG} .",
    "{PER} , a former manager at {ORG} , taught {SKILL} in {LOC} .",
    "Education : studied {SKILL} in {LOC} , graduated {DATE} .",
    "{ORG} opened a new office in {LOC} , the company said on {DATE} .",
    "References available from {PER} of {ORG} .",
    "{PER} led a team of five using {SKILL} at {ORG} until {DATE} .",
    "Police in {LOC} said {PER} was last seen on {DATE} .",
    "Shares of {ORG} rose after {PER} praised its work on {SKILL} .",
    "{PER} was born in {LOC} on {DATE} .",
    "Certified in {SKILL} by {ORG} since {DATE} .",
    "{PER} and {PER} founded {ORG} in {LOC} in {DATE} .",
    "Wanted : a developer in {LOC} who knows {SKILL} or {SKILL} .",
    "Our correspondent in {LOC} reports that {ORG} will close on {DATE} .",
    "{PER} , chief executive of {ORG} , visited {LOC} last week .",
    "Languages and tools : {SKILL} , {SKILL} .",
    "From {DATE} to {DATE} : senior consultant , {ORG} , {LOC} .",
    "{ORG} and {ORG} agreed to merge , according to a statement from {LOC} .",
    "Interests include {SKILL} and travelling to {LOC} .",
    "The mayor of {LOC} , {PER} , met students on {DATE} .",
    "{PER} completed a course in {SKILL} at {ORG} in {DATE} .",
    "Contact {PER} at {ORG} for details .",
    "After {DATE} , {PER} ran the {LOC} branch of {ORG} .",
]
# Templates that only the test split uses.
HELD_OUT_TEMPLATES = [
    "On {DATE} , {ORG} hired {PER} to build its {SKILL} team in {LOC} .",
    "{PER} has lived in {LOC} since {DATE} and consults for {ORG} .",
    "Experience : {ORG} , {LOC} , {DATE} to {DATE} , {SKILL} .",
    "A spokesperson for {ORG} told reporters in {LOC} that {PER} resigned .",
    "Volunteers trained by {PER} learned {SKILL} in {LOC} during {DATE} .",
]
_TOKEN = re.compile(r"\w+(?:[-'.+#]\w+)*\+*#?|[^\w\s]")


def tokenize(text):
    """Words and punctuation marks of `text`: "Smith, Jones and Co." -> ['Smith', ',', 'Jones', 'and', 'Co', '.']."""
    return _TOKEN.findall(text)


def _date(faker, rng):
    day = faker.date_between_dates(FIRST_DAY, LAST_DAY)
    month = day.strftime("%B")
    style = rng.randrange(5)
    if style == 0:
        return f"{month} {day.day}, {day.year}"
    if style == 1:
        return f"{day.day} {month} {day.year}"
    if style == 2:
        return f"{month} {day.year}"
    if style == 3:
        return str(day.year)
    return f"{day.strftime('%b')} {day.year}"


def _entity(kind, faker, rng, skills):
    if kind == "PER":
        return f"{faker.first_name()} {faker.last_name()}" if rng.random() < 0.8 else faker.name()
    if kind == "ORG":
        return faker.company()
    if kind == "LOC":
        return rng.choice([faker.city, faker.city, faker.state, faker.country])()
    if kind == "DATE":
        return _date(faker, rng)
    return rng.choice(skills)


def fill_template(template, faker, rng, skills):
    """(words, tags) of one sentence: `template` with each {TYPE} slot filled by a generated entity."""
    words, tags = [], []
    for piece in template.split():
        slot = re.fullmatch(r"\{([A-Z]+)\}", piece)
        if slot is None:
            words.append(piece)
            tags.append("O")
            continue
        kind = slot.group(1)
        entity = tokenize(_entity(kind, faker, rng, skills))
        words += entity
        tags += [f"B-{kind}"] + [f"I-{kind}"] * (len(entity) - 1)
    return words, tags


def generate_sentences(n, seed, templates=TEMPLATES, skills=SKILLS, exclude=()):
    """n (words, tags) pairs from `templates`, seeded (own random state; the global ones are not touched).

    A sentence whose words equal those of a sentence in `exclude` (a collection of word tuples) is skipped and
    the next one drawn instead; with nothing to exclude the first n sentences of the seeded stream are returned.
    """
    from faker import Faker
    faker = Faker("en_US")
    faker.seed_instance(seed)
    rng = random.Random(seed)
    sentences, draws = [], 0
    while len(sentences) < n:
        words, tags = fill_template(rng.choice(templates), faker, rng, skills)
        draws += 1
        if tuple(words) not in exclude:
            sentences.append((words, tags))
        elif draws > 100 * n + 1000:
            raise RuntimeError(f"could not draw {n} sentences that differ from the {len(exclude)} excluded ones")
    return sentences


def _held_out_split(n, held_out_share, seeds, shuffle_seed, exclude=()):
    """[(sentence, from a held-out template)] as in the test split: Faker seeds `seeds` = (training templates,
    held-out templates), skills from SKILLS + HELD_OUT_SKILLS, a share `held_out_share` from HELD_OUT_TEMPLATES."""
    n_held_out = round(n * held_out_share)
    all_skills = SKILLS + HELD_OUT_SKILLS
    split = ([(sentence, False) for sentence in
              generate_sentences(n - n_held_out, seeds[0], TEMPLATES, all_skills, exclude)]
             + [(sentence, True) for sentence in
                generate_sentences(n_held_out, seeds[1], HELD_OUT_TEMPLATES, all_skills, exclude)])
    random.Random(shuffle_seed).shuffle(split)
    return split


def load_ner_dataset(n_train=3000, n_test=600, seed=0, held_out_share=0.25, n_val=600):
    """{"train", "val", "val_held_out", "test", "test_held_out"}: lists of (words, tags), and of bools.

    Training sentences use `TEMPLATES`, `SKILLS` and Faker seed `seed`. Test sentences use Faker seeds
    `seed + 1000` and `seed + 2000`; a share `held_out_share` of them comes from `HELD_OUT_TEMPLATES` (marked True
    in "test_held_out"), the rest from `TEMPLATES`, and their skills are drawn from `SKILLS + HELD_OUT_SKILLS`.
    Validation sentences ("val", `n_val` of them, may be 0) are made the same way with Faker seeds `seed + 3000`
    and `seed + 4000`, skipping any sentence whose words equal those of a training or test sentence, so the three
    splits are disjoint. The validation split is for training choices; the test split only reports.
    """
    if n_train < 1 or n_test < 1 or n_val < 0 or not 0 <= held_out_share <= 1:
        raise ValueError("n_train and n_test must be positive, n_val at least 0 and held_out_share between 0 and 1")
    train = generate_sentences(n_train, seed)
    test = _held_out_split(n_test, held_out_share, (seed + 1000, seed + 2000), seed)
    taken = {tuple(words) for words, _ in train} | {tuple(words) for (words, _), _ in test}
    val = _held_out_split(n_val, held_out_share, (seed + 3000, seed + 4000), seed + 3000, exclude=taken)
    return {"train": train, "val": [sentence for sentence, _ in val], "val_held_out": [h for _, h in val],
            "test": [sentence for sentence, _ in test], "test_held_out": [held_out for _, held_out in test]}


def entities(words, tags):
    """[(type, entity text)] of one tagged sentence: B-X starts an entity, I-X continues an open entity of type X.

    (An I-X that follows neither B-X nor I-X starts an entity too, as in the CoNLL evaluation.)
    """
    found, open_type = [], None
    for word, tag in zip(words, tags):
        if tag.startswith("I-") and tag[2:] == open_type:
            found[-1] = (open_type, found[-1][1] + " " + word)
        elif tag == "O":
            open_type = None
        else:
            open_type = tag[2:]
            found.append((open_type, word))
    return found


def unseen_entity_share(train, test):
    """{type: share of test entities whose text (lower-cased) never occurs as an entity of that type in training}.

    The key "all" gives the share over every test entity.
    """
    seen = {(kind, text.lower()) for words, tags in train for kind, text in entities(words, tags)}
    total, unseen = Counter(), Counter()
    for words, tags in test:
        for kind, text in entities(words, tags):
            total[kind] += 1
            unseen[kind] += (kind, text.lower()) not in seen
    shares = {kind: unseen[kind] / total[kind] for kind in ENTITY_TYPES if total[kind]}
    shares["all"] = sum(unseen.values()) / max(sum(total.values()), 1)
    return shares


def word_shape(word):
    """A coarse shape: 'd' digits, 'xd' letters and digits, 'Xx' capitalised, 'X' upper case, 'x' lower, 'other'."""
    if word.isdigit():
        return "d"
    if any(c.isdigit() for c in word):
        return "xd"
    if word[:1].isupper():
        return "X" if len(word) > 1 and word.isupper() else "Xx"
    if word[:1].islower():
        return "x"
    return "other"


def build_vocab(sentences, min_count=2, shape_unknowns=True):
    """{token: id}: <pad> 0, <unk> 1, the shape unknowns (if asked), then sorted lower-cased words seen min_count+ times."""
    counts = Counter(word.lower() for words, _ in sentences for word in words)
    words = sorted(w for w, c in counts.items() if c >= min_count)
    specials = [PAD, UNK] + (SHAPE_UNKS if shape_unknowns else [])
    return {token: i for i, token in enumerate(specials + words)}


def unknown_id(word, vocab):
    """The id `word` gets when it is not in the vocabulary: its shape's unknown token if there is one, else <unk>."""
    return vocab.get(f"<unk:{word_shape(word)}>", vocab[UNK])


def word_to_id(word, vocab):
    """The id of `word` (lower-cased), or its unknown id."""
    known = vocab.get(word.lower())
    return unknown_id(word, vocab) if known is None else known


def encode_words(sentences_words, vocab, max_len=MAX_LEN, unknown_rate=0.0, seed=0):
    """(m, max_len) int32 ids, padded with 0; a sentence longer than max_len is cut there, with a warning.

    With `unknown_rate` > 0 (training only: "word dropout"), each word is encoded as an unknown word with that
    probability (seeded), so the model learns to tag from the context and the word's shape alone.
    """
    if not 0.0 <= unknown_rate < 1.0:
        raise ValueError(f"unknown_rate must be in [0, 1), got {unknown_rate!r}")
    rng = np.random.RandomState(seed)
    ids = np.zeros((len(sentences_words), max_len), dtype=np.int32)
    for row, words in enumerate(sentences_words):
        if len(words) > max_len:
            warnings.warn(f"a sentence of {len(words)} words is longer than max_len={max_len}; only the first "
                          f"{max_len} words are tagged", stacklevel=2)
            words = words[:max_len]
        dropped = rng.random_sample(len(words)) < unknown_rate
        for col, (word, drop) in enumerate(zip(words, dropped)):
            ids[row, col] = unknown_id(word, vocab) if drop else word_to_id(word, vocab)
    return ids


def encode_tags(sentences_tags, max_len=MAX_LEN):
    """(m, max_len) int32 tag ids (padding gets 0, the id of "O"; mask it out with the padding mask)."""
    ids = np.zeros((len(sentences_tags), max_len), dtype=np.int32)
    for row, tags in enumerate(sentences_tags):
        tags = tags[:max_len]
        ids[row, :len(tags)] = [TAG_INDEX[t] for t in tags]
    return ids


def build_tagger(vocab_size, num_layers=2, embedding_dim=64, num_heads=4, fully_connected_dim=128, max_len=MAX_LEN,
                 dropout_rate=0.1):
    """A Keras model: token ids (max_len,) -> TokenEncoder -> Dense softmax over TAGS, shape (max_len, len(TAGS))."""
    import keras
    from utils.transformer import TokenEncoder
    inputs = keras.Input((max_len,), dtype="int32", name="token_ids")
    x = TokenEncoder(vocab_size, num_layers, embedding_dim, num_heads, fully_connected_dim, max_len,
                     dropout_rate=dropout_rate, name="encoder")(inputs)
    outputs = keras.layers.Dense(len(TAGS), activation="softmax", name="tag_probs")(x)
    return keras.Model(inputs, outputs, name="ner_tagger")


def predict_tags(model, sentences_words, vocab, max_len=MAX_LEN, batch_size=256):
    """The predicted tags of each sentence (a list of tag lists, each as long as its sentence, cut at max_len)."""
    import keras
    if not sentences_words:
        return []
    ids = encode_words(sentences_words, vocab, max_len)
    # Called eagerly, batch by batch: no tf.function to retrace when the number of sentences changes.
    best = np.concatenate([keras.ops.convert_to_numpy(model(ids[i:i + batch_size], training=False)).argmax(axis=-1)
                           for i in range(0, len(ids), batch_size)])
    return [[TAGS[t] for t in best[row, :min(len(words), max_len)]] for row, words in enumerate(sentences_words)]


def tag_sentence(model, sentence, vocab, max_len=MAX_LEN):
    """[(word, tag)] for a sentence given as text.

    Unknown words become their shape's unknown token (or <unk>). An empty sentence raises ValueError; a sentence
    longer than max_len words is cut there with a warning and only its first max_len words are returned.
    """
    if not isinstance(sentence, str):
        raise TypeError(f"sentence must be a string, got {type(sentence).__name__}")
    words = tokenize(sentence)
    if not words:
        raise ValueError("the sentence is empty: there is nothing to tag")
    if len(words) > max_len:
        warnings.warn(f"the sentence has {len(words)} words; only the first {max_len} are tagged", stacklevel=2)
        words = words[:max_len]
    return list(zip(words, predict_tags(model, [words], vocab, max_len)[0]))
