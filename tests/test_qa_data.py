"""Checks of the QA stories (utils/qa_data.py) and of the QA model's masking and decoding (utils/qa_model.py)."""
import numpy as np
import pytest

from utils import qa_data
from utils.qa_data import (MAX_LEN, PEOPLE, PLACES, UNSEEN_PEOPLE, encode, encode_dataset, last_place_about,
                           last_place_in_story, make_dataset, place_mentions, random_story, rename, split_sentences,
                           story_mask, tokenize, vocabulary, with_hidden_names, with_unseen_names)


def test_vocabulary_is_sorted_with_special_tokens_first():
    vocab = vocabulary()
    assert vocab[:3] == ["<pad>", "<unk>", "<sep>"]
    assert vocab[3:] == sorted(vocab[3:]) and len(set(vocab)) == len(vocab)
    assert not set(UNSEEN_PEOPLE) & set(vocab)


def test_dataset_is_seeded_and_distinct():
    a, b = make_dataset(200, seed=5), make_dataset(200, seed=5)
    assert a == b
    assert a != make_dataset(200, seed=6)
    assert len({(ex.sentences, ex.question) for ex in a}) == 200
    test = make_dataset(100, seed=1)
    train = make_dataset(300, seed=1, exclude=test)
    assert not {(ex.sentences, ex.question) for ex in test} & {(ex.sentences, ex.question) for ex in train}


def test_answers_are_the_last_move_of_the_asked_person():
    for ex in make_dataset(300, seed=3):
        story = ex.story_tokens
        assert 2 <= len(ex.sentences) <= 10 and 1 <= len(ex.answer) <= 3
        assert story[ex.span[0]:ex.span[1] + 1] == list(ex.answer)
        assert ex.sentences[ex.support][0] == ex.person and ex.question == ("where", "is", ex.person, "?")
        assert all(s[0] != ex.person for s in ex.sentences[ex.support + 1:])  # no later move of that person
        assert last_place_about(story, ex.person) == list(ex.answer)
        assert len(ex.question) + 1 + len(story) <= MAX_LEN
        assert ex.distance == len(ex.sentences) - 1 - ex.support


def test_nobody_moves_to_where_they_are():
    import random
    rng = random.Random(0)
    for _ in range(200):
        ex = random_story(rng, 10)
        where = {}
        for s in ex.sentences:
            place = " ".join(s[s.index("the") + 1:-1])
            assert place in PLACES and where.get(s[0]) != place
            where[s[0]] = place


def test_encoding_positions_and_story_mask():
    vocab = vocabulary()
    w2i = {w: i for i, w in enumerate(vocab)}
    examples = make_dataset(50, seed=4)
    X, starts, ends = encode_dataset(examples, w2i)
    assert X.shape == (50, MAX_LEN) and X.dtype == np.int32
    for row, s, e, ex in zip(X, starts, ends, examples):
        assert [vocab[i] for i in row[s:e + 1]] == list(ex.answer)
        assert vocab[row[4]] == "<sep>"
        mask = story_mask(row)
        assert mask.sum() == len(ex.story_tokens) and mask[:5].sum() == 0 and mask[s] == 1


def test_encode_unknown_words_and_too_long_input():
    w2i = {w: i for i, w in enumerate(vocabulary())}
    ids, offset = encode(["where", "is", "priya", "?"], ["priya", "went", "to", "the", "attic", "."], w2i)
    assert offset == 5 and ids[2] == w2i["<unk>"] and ids[5] == w2i["<unk>"] and ids[11] == 0
    with pytest.raises(ValueError, match="at most"):
        encode(["where"], ["attic"] * MAX_LEN, w2i)


def test_baselines_and_place_mentions():
    story = "dara went to the kitchen . hugo moved to the village post office . dara ran to the office .".split()
    assert [m[:2] for m in place_mentions(story)] == [(4, 4), (10, 12), (18, 18)]
    assert last_place_in_story(story) == ["office"]
    assert last_place_about(story, "hugo") == ["village", "post", "office"]
    assert last_place_about(story, "lena") == [] and last_place_in_story([]) == []


def test_split_sentences_and_tokenize():
    assert split_sentences("a b . c d . e".split()) == [["a", "b", "."], ["c", "d", "."], ["e"]]
    assert tokenize("Where is Dara?") == ["where", "is", "dara", "?"]
    assert tokenize("Lena went to the office. Kofi ran.") == "lena went to the office . kofi ran .".split()
    with pytest.raises(ValueError, match="string"):
        tokenize(None)


def test_unseen_names_rename_only_the_asked_person():
    ex = make_dataset(1, seed=0)[0]
    renamed = rename(ex, "priya")
    assert renamed.person == "priya" and renamed.question[2] == "priya" and renamed.answer == ex.answer
    assert renamed.story_tokens.count("priya") == ex.story_tokens.count(ex.person)
    assert all(u.person in UNSEEN_PEOPLE for u in with_unseen_names(make_dataset(20, seed=0)))
    assert set(PEOPLE) & set(renamed.story_tokens) == set(PEOPLE) & set(ex.story_tokens) - {ex.person}


def test_hidden_names_replace_the_asked_person_by_unk_in_a_share_of_stories():
    stories = make_dataset(2000, seed=0)
    assert with_hidden_names(stories, 0.0) == stories
    assert all(ex.person == qa_data.UNK and ex.question[2] == qa_data.UNK for ex in with_hidden_names(stories, 1.0))
    hidden = with_hidden_names(stories, 0.3, seed=3)
    changed = [h for h, ex in zip(hidden, stories) if h != ex]
    assert 0.27 < len(changed) / len(stories) < 0.33
    assert all(h.person == qa_data.UNK and h.answer == ex.answer and qa_data.UNK in h.story_tokens
               and ex.person not in h.story_tokens for h, ex in zip(hidden, stories) if h != ex)
    assert with_hidden_names(stories, 0.3, seed=3) == hidden
    with pytest.raises(ValueError, match="rate"):
        with_hidden_names(stories, 1.5)


def test_bad_arguments():
    with pytest.raises(ValueError, match="n_sentences"):
        import random
        random_story(random.Random(0), 11)
    with pytest.raises(ValueError, match="min_sentences"):
        make_dataset(5, seed=0, min_sentences=3, max_sentences=2)
    with pytest.raises(ValueError, match="m must"):
        make_dataset(-1, seed=0)


# --- the model's masking and decoding ------------------------------------------------------------------------

def test_model_masks_everything_outside_the_story():
    from utils.qa_model import NEG_INF, build_qa_model
    w2i = {w: i for i, w in enumerate(vocabulary())}
    X, _, _ = encode_dataset(make_dataset(4, seed=0), w2i)
    model = build_qa_model(len(w2i), num_layers=1, embedding_dim=16, num_heads=2, fully_connected_dim=32)
    start_logits, end_logits = model.predict(X, verbose=0)
    assert start_logits.shape == X.shape and end_logits.shape == X.shape
    outside = story_mask(X) == 0
    assert np.all(start_logits[outside] == NEG_INF) and np.all(end_logits[outside] == NEG_INF)
    assert np.all(start_logits[~outside] > NEG_INF / 2)
    # Shorter rows (batches padded only to their longest story) give the same logits.
    width = int((X != 0).sum(axis=1).max())
    short_start, _ = model.predict(X[:, :width], verbose=0)
    assert np.allclose(short_start, start_logits[:, :width], atol=1e-5)


def test_decode_spans_respects_order_and_length():
    from utils.qa_model import decode_spans
    start = np.array([[0.0, 2.0, 1.0, 0.0, 0.0], [0.0, 0.0, 5.0, 0.0, 0.0]])
    end = np.array([[0.0, 0.0, 1.0, 3.0, 0.0], [4.0, 0.0, 0.0, 0.0, 0.0]])
    assert decode_spans(start, end, 3).tolist() == [[1, 3], [2, 2]]
    assert decode_spans(start, end, 2).tolist() == [[2, 3], [2, 2]]


def test_length_batches_cover_every_row_once():
    from utils.qa_model import LengthBatches
    w2i = {w: i for i, w in enumerate(vocabulary())}
    X, s, e = encode_dataset(make_dataset(300, seed=0), w2i)
    batches = LengthBatches(X, s, e, batch_size=64, seed=0)
    seen = []
    for k in range(len(batches)):
        ids, (starts, ends) = batches[k]
        assert ids.shape[1] == (ids != 0).sum(axis=1).max()
        seen += list(batches.batches[k])
    assert sorted(seen) == list(range(300))


def test_shipped_model_loads_and_answers_held_out_stories():
    from utils.qa_model import CONFIG, WEIGHTS, held_out_stories, load_qa_model, span_exact_match
    if not (WEIGHTS.exists() and CONFIG.exists()):
        pytest.skip("no shipped QA model: run `make models`")
    model, record = load_qa_model()
    w2i = {w: i for i, w in enumerate(record["vocabulary"])}
    test = held_out_stories()
    em = span_exact_match(model, *encode_dataset(test, w2i))
    em_unseen = span_exact_match(model, *encode_dataset(with_unseen_names(test, seed=0), w2i))
    assert em == pytest.approx(record["final_exact_match"]["held_out"], abs=1e-3) and em >= 0.98
    assert em_unseen == pytest.approx(record["final_exact_match"]["held_out_unseen_names"], abs=1e-3)
    assert em_unseen >= 0.95  # names it never saw: the name-tuning stage is what makes this work


def test_load_qa_model_refuses_missing_files(tmp_path):
    from utils.qa_model import load_qa_model
    with pytest.raises(FileNotFoundError, match="make models"):
        load_qa_model(tmp_path / "none.weights.h5", tmp_path / "none.json")
