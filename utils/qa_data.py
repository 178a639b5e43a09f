"""Short stories of people moving between places, with a question about one of them (W4 lab: question answering).

The task is in the style of the "single supporting fact" task of the bAbI benchmark, with stories written by
this module (seeded, nothing downloaded):

    dara went to the kitchen . hugo moved to the back garden . dara walked into the living room .
    question: where is dara ?          answer: living room       (the supporting fact: dara's last move)

Every sentence is one move: `<person> <verb> the <place> .` with several verbs ("went to", "walked into",
"journeyed to", ...) and places of one to three words ("kitchen", "living room", "old fire station"). The
answer is the place of the asked person's **last** move, a span of the story's tokens; the article "the" is
not part of it. Earlier moves of the same person and moves of other people are the distractors.

The model reads `[question tokens] <sep> [story tokens] <pad> ...` as word ids: the vocabulary is sorted, with
`<pad>` = 0, `<unk>` = 1 and `<sep>` = 2 first. Span positions are positions in that input row.
"""
import random
import re
from typing import NamedTuple

import numpy as np

PAD, UNK, SEP = "<pad>", "<unk>", "<sep>"
SPECIAL = (PAD, UNK, SEP)
# The people of the training and test stories, and people who never appear in training (their names are
# out of vocabulary: the model reads them as <unk>).
PEOPLE = ("amara", "bruno", "chen", "dara", "elena", "farid", "greta", "hugo", "ines", "jonas", "kofi", "lena")
UNSEEN_PEOPLE = ("mateo", "nadia", "omar", "priya", "quentin", "rosa")
# Places: one to three words after "the" (the answer spans).
PLACES = ("kitchen", "bathroom", "hallway", "office", "cellar", "attic", "bedroom", "garage",
          "living room", "back garden", "dining room", "school library", "bus stop", "train station",
          "laundry room", "front porch",
          "old fire station", "village post office", "upstairs guest room", "north car park")
VERBS = ("went to", "moved to", "travelled to", "journeyed to", "walked into", "ran to", "went back to",
         "headed to")
QUESTION = ("where", "is")
MAX_SENTENCE = 1 + 3 + 1 + 3 + 1  # person, verb (up to 3 words), "the", place (up to 3 words), "."
MAX_SENTENCES = 10
MAX_QUESTION = 4  # where is <person> ?
MAX_LEN = MAX_QUESTION + 1 + MAX_SENTENCES * MAX_SENTENCE  # 95 tokens: question, <sep>, story


class QAExample(NamedTuple):
    """One story with its question. `support` is the index of the supporting sentence (the person's last
    move); `span` = (start, end), inclusive, the answer's token positions in `story_tokens`."""
    sentences: tuple  # tuple of sentences, each a tuple of tokens ending with "."
    question: tuple   # ("where", "is", person, "?")
    answer: tuple     # the place's tokens, e.g. ("living", "room")
    person: str
    support: int
    span: tuple

    @property
    def story_tokens(self):
        return [token for sentence in self.sentences for token in sentence]

    @property
    def distance(self):
        """How many sentences come after the supporting fact (0: it is the last sentence)."""
        return len(self.sentences) - 1 - self.support


def vocabulary():
    """The sorted word list: <pad>, <unk>, <sep>, then every word of the training stories and questions."""
    words = set(PEOPLE) | set(QUESTION) | {"the", ".", "?"}
    for phrase in PLACES + VERBS:
        words |= set(phrase.split())
    return list(SPECIAL) + sorted(words)


def sentence(person, verb, place):
    """The tokens of one move: ('dara', 'went', 'to', 'the', 'living', 'room', '.')."""
    return (person, *verb.split(), "the", *place.split(), ".")


def random_story(rng, n_sentences, people=PEOPLE):
    """One story of `n_sentences` moves by 2 to 4 people drawn from `people`, and a question about one of them.

    Nobody moves to the place they already are. The asked person is drawn among the people who moved.
    """
    if not 1 <= n_sentences <= MAX_SENTENCES:
        raise ValueError(f"n_sentences must be from 1 to {MAX_SENTENCES}, got {n_sentences}")
    cast = rng.sample(list(people), k=min(len(people), rng.randint(2, 4)))
    where, sentences, last_move = {}, [], {}
    for i in range(n_sentences):
        person = rng.choice(cast)
        place = rng.choice([p for p in PLACES if p != where.get(person)])
        where[person] = place
        last_move[person] = i
        sentences.append(sentence(person, rng.choice(VERBS), place))
    person = rng.choice(sorted(last_move))
    support = last_move[person]
    answer = tuple(where[person].split())
    start = sum(len(s) for s in sentences[:support]) + len(sentences[support]) - 1 - len(answer)
    return QAExample(tuple(sentences), (*QUESTION, person, "?"), answer, person, support,
                     (start, start + len(answer) - 1))


def make_dataset(m, seed, min_sentences=2, max_sentences=MAX_SENTENCES, people=PEOPLE, exclude=()):
    """`m` random stories (seeded); story lengths uniform from min_sentences to max_sentences.

    `exclude`: examples (e.g. the training set) whose story and question must not appear again, so a test set
    holds only unseen stories.
    """
    if m < 0:
        raise ValueError(f"m must be >= 0, got {m}")
    if not 1 <= min_sentences <= max_sentences <= MAX_SENTENCES:
        raise ValueError(f"need 1 <= min_sentences <= max_sentences <= {MAX_SENTENCES}, "
                         f"got {min_sentences} and {max_sentences}")
    rng = random.Random(seed)
    seen = {(ex.sentences, ex.question) for ex in exclude}
    examples = []
    while len(examples) < m:
        example = random_story(rng, rng.randint(min_sentences, max_sentences), people)
        if (example.sentences, example.question) not in seen:
            seen.add((example.sentences, example.question))
            examples.append(example)
    return examples


def rename(example, new_name):
    """The same example with the asked person renamed everywhere (e.g. to a name the model has never seen)."""
    swap = lambda tokens: tuple(new_name if t == example.person else t for t in tokens)  # noqa: E731
    return example._replace(sentences=tuple(swap(s) for s in example.sentences), question=swap(example.question),
                            person=new_name)


def with_unseen_names(examples, seed=0):
    """Each example with its asked person renamed to one of UNSEEN_PEOPLE (drawn with a seeded generator)."""
    rng = random.Random(seed)
    return [rename(ex, rng.choice(UNSEEN_PEOPLE)) for ex in examples]


def with_hidden_names(examples, rate, seed=0):
    """The examples with the asked person renamed to `<unk>` in a share `rate` of them (seeded), so that a model
    trained on them learns to match an unknown name in the question with the same unknown name in the story."""
    if not 0 <= rate <= 1:
        raise ValueError(f"rate must be between 0 and 1, got {rate}")
    rng = random.Random(seed)
    return [rename(ex, UNK) if rng.random() < rate else ex for ex in examples]


# --- Text and ids ---------------------------------------------------------------------------------------------

def tokenize(text):
    """Lower-case words, with '.', '?' and ',' as tokens of their own: 'Where is Dara?' -> where is dara ?"""
    if not isinstance(text, str):
        raise ValueError(f"expected a string, got {type(text).__name__}")
    return re.findall(r"[a-z0-9']+|[.?,]", text.lower())


def split_sentences(story_tokens):
    """The sentences of a token list, each ending with '.' (a last sentence without '.' is kept as it is)."""
    sentences, current = [], []
    for token in story_tokens:
        current.append(token)
        if token == ".":
            sentences.append(current)
            current = []
    if current:
        sentences.append(current)
    return sentences


def encode(question_tokens, story_tokens, word_to_id, max_len=MAX_LEN):
    """Word ids of `[question] <sep> [story]`, padded with 0 to max_len; unknown words become <unk>.

    Returns (ids, offset): ids of shape (max_len,) and the position of the story's first token.
    """
    tokens = list(question_tokens) + [SEP] + list(story_tokens)
    if len(tokens) > max_len:
        raise ValueError(f"question and story have {len(tokens)} tokens with <sep>; the model reads at most "
                         f"{max_len}")
    ids = np.zeros(max_len, dtype=np.int32)
    ids[:len(tokens)] = [word_to_id.get(t, word_to_id[UNK]) for t in tokens]
    return ids, len(question_tokens) + 1


def encode_dataset(examples, word_to_id, max_len=MAX_LEN):
    """Model inputs and span targets: ids (m, max_len), starts (m,), ends (m,) as positions in the input row."""
    X = np.zeros((len(examples), max_len), dtype=np.int32)
    starts, ends = np.zeros(len(examples), dtype=np.int32), np.zeros(len(examples), dtype=np.int32)
    for i, ex in enumerate(examples):
        X[i], offset = encode(ex.question, ex.story_tokens, word_to_id, max_len)
        starts[i], ends[i] = offset + ex.span[0], offset + ex.span[1]
    return X, starts, ends


def story_mask(ids, sep_id=2):
    """1.0 where a position of an encoded row holds a story token (after <sep>, not padding), else 0.0."""
    ids = np.asarray(ids)
    after_sep = np.cumsum(ids == sep_id, axis=-1) > 0
    return (after_sep & (ids != sep_id) & (ids != 0)).astype(np.float32)


# --- Rule-based baselines -------------------------------------------------------------------------------------

def place_mentions(story_tokens):
    """Every place named in a story, in order: (start, end, sentence index), found as 'the <place words>'."""
    places = sorted((tuple(p.split()) for p in PLACES), key=len, reverse=True)  # longest match first
    mentions, sentence_index = [], 0
    for i, token in enumerate(story_tokens):
        if token == ".":
            sentence_index += 1
        elif token == "the":
            for place in places:
                if tuple(story_tokens[i + 1:i + 1 + len(place)]) == place:
                    mentions.append((i + 1, i + len(place), sentence_index))
                    break
    return mentions


def last_place_in_story(story_tokens):
    """Baseline 1: the last place named anywhere in the story, as a list of tokens ([] if none)."""
    mentions = place_mentions(story_tokens)
    if not mentions:
        return []
    start, end, _ = mentions[-1]
    return list(story_tokens[start:end + 1])


def last_place_about(story_tokens, person):
    """Baseline 2: the last place named in a sentence that mentions `person` ([] if none): the task's rule."""
    sentences = split_sentences(story_tokens)
    mentions = [m for m in place_mentions(story_tokens) if person in sentences[m[2]]]
    if not mentions:
        return []
    start, end, _ = mentions[-1]
    return list(story_tokens[start:end + 1])
