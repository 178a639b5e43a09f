"""Tests of utils/ner_data.py: the generated NER corpus, its splits, vocabularies, encodings and the tagger helpers."""
import random
import warnings

import keras
import numpy as np
import pytest

from utils.ner_data import (HELD_OUT_SKILLS, MAX_LEN, PAD, SHAPE_UNKS, SKILLS, TAG_INDEX, TAGS, UNK, build_tagger,
                            build_vocab, encode_tags, encode_words, entities, fill_template, generate_sentences,
                            load_ner_dataset,
                            predict_tags, tag_sentence, tokenize, unseen_entity_share, word_shape, word_to_id)


@pytest.fixture(scope="module")
def small():
    return load_ner_dataset(n_train=300, n_test=80, seed=3, n_val=60)


def test_dataset_is_reproducible_and_leaves_global_random_state_alone(small):
    random.seed(5)
    before = random.random()
    random.seed(5)
    again = load_ner_dataset(n_train=300, n_test=80, seed=3, n_val=60)
    assert random.random() == before
    assert again == small
    assert load_ner_dataset(n_train=300, n_test=80, seed=4)["train"] != small["train"]


def test_sentences_are_well_formed(small):
    assert len(small["train"]) == 300 and len(small["test"]) == 80
    assert len(small["test_held_out"]) == 80 and sum(small["test_held_out"]) == 20
    assert len(small["val"]) == len(small["val_held_out"]) == 60 and sum(small["val_held_out"]) == 15
    for words, tags in small["train"] + small["val"] + small["test"]:
        assert len(words) == len(tags) > 0 and len(words) <= MAX_LEN
        assert all(tag in TAG_INDEX for tag in tags)
        for previous, tag in zip(["O"] + tags, tags):  # generated tags never break the BIO rules
            assert not tag.startswith("I-") or previous[2:] == tag[2:]


def test_held_out_skills_only_in_test():
    data = load_ner_dataset(n_train=1000, n_test=400, seed=0)
    train_skills = {text for words, tags in data["train"] for kind, text in entities(words, tags) if kind == "SKILL"}
    test_skills = {text for words, tags in data["test"] for kind, text in entities(words, tags) if kind == "SKILL"}
    held_out = {" ".join(tokenize(s)) for s in HELD_OUT_SKILLS}
    assert not train_skills & held_out
    assert test_skills & held_out
    shares = unseen_entity_share(data["train"], data["test"])
    assert 0.5 < shares["PER"] <= 1.0 and 0 < shares["all"] < 1


def test_validation_split_is_disjoint_and_leaves_the_test_split_alone(small):
    # The test split does not depend on the validation split (it is the one reported before validation existed).
    assert load_ner_dataset(n_train=300, n_test=80, seed=3, n_val=0)["test"] == small["test"]
    assert load_ner_dataset(n_train=300, n_test=80, seed=3, n_val=0)["val"] == []
    words = {name: {tuple(w) for w, _ in small[name]} for name in ("train", "val", "test")}
    assert not words["val"] & words["train"] and not words["val"] & words["test"]
    # Like the test split: held-out templates, and names Faker did not give the training split.
    assert unseen_entity_share(small["train"], small["val"])["PER"] > 0.5
    # Sentences equal to excluded ones are skipped, and the stream goes on.
    stream = generate_sentences(3, seed=7)
    assert generate_sentences(2, seed=7, exclude={tuple(stream[0][0])}) == stream[1:]
    with pytest.raises(ValueError, match="n_val"):
        load_ner_dataset(n_train=10, n_test=10, n_val=-1)


def test_fill_template_tags_each_slot():
    from faker import Faker
    faker = Faker("en_US")
    faker.seed_instance(0)
    words, tags = fill_template("{PER} knows {SKILL} .", faker, random.Random(0), ["machine learning"])
    assert words[-4:] == ["knows", "machine", "learning", "."]
    assert tags[-4:] == ["O", "B-SKILL", "I-SKILL", "O"]
    assert tags[0] == "B-PER" and all(t == "I-PER" for t in tags[1:-4])


def test_tokenize():
    assert tokenize("Smith, Jones and Co. (C++, C#)") == ["Smith", ",", "Jones", "and", "Co", ".", "(", "C++", ",",
                                                          "C#", ")"]
    assert tokenize("Guinea-Bissau O'Neil 3 May, 2021") == ["Guinea-Bissau", "O'Neil", "3", "May", ",", "2021"]
    assert tokenize("   ") == []


def test_entities_and_unseen_share():
    words = ["Ann", "Lee", "met", "Bo", "in", "Paris"]
    assert entities(words, ["B-PER", "I-PER", "O", "B-PER", "O", "B-LOC"]) == [
        ("PER", "Ann Lee"), ("PER", "Bo"), ("LOC", "Paris")]
    assert entities(["a", "b"], ["I-ORG", "I-ORG"]) == [("ORG", "a b")]
    assert entities(["a", "b"], ["B-ORG", "I-PER"]) == [("ORG", "a"), ("PER", "b")]
    train = [(["Paris"], ["B-LOC"])]
    test = [(["paris", "Rome"], ["B-LOC", "B-LOC"]), (["Paris"], ["B-PER"])]
    assert unseen_entity_share(train, test) == {"LOC": 0.5, "PER": 1.0, "all": 2 / 3}


def test_word_shapes():
    assert [word_shape(w) for w in ["2021", "B2B", "Paris", "NASA", "a", "paris", ",", "C++", "-x"]] == [
        "d", "xd", "Xx", "X", "x", "x", "other", "X", "other"]
    assert word_shape("I") == "Xx"


def test_vocabulary_and_ids():
    sentences = [(["The", "cat", "sat", "Zed"], ["O"] * 4), (["the", "cat"], ["O"] * 2)]
    vocab = build_vocab(sentences, min_count=2)
    assert vocab[PAD] == 0 and vocab[UNK] == 1
    assert [t for t, i in sorted(vocab.items(), key=lambda x: x[1])][2:] == SHAPE_UNKS + ["cat", "the"]
    assert word_to_id("THE", vocab) == vocab["the"]
    assert word_to_id("Zed", vocab) == vocab["<unk:Xx>"] and word_to_id("1999", vocab) == vocab["<unk:d>"]
    plain = build_vocab(sentences, min_count=1, shape_unknowns=False)
    assert list(plain) == [PAD, UNK, "cat", "sat", "the", "zed"]
    assert word_to_id("Mars", plain) == plain[UNK]


def test_encode_words_pads_truncates_and_drops_words():
    vocab = build_vocab([(["a", "b"], ["O", "O"])], min_count=1)
    ids = encode_words([["a", "b"], ["b"]], vocab, max_len=4)
    np.testing.assert_array_equal(ids, [[vocab["a"], vocab["b"], 0, 0], [vocab["b"], 0, 0, 0]])
    with pytest.warns(UserWarning, match="longer than max_len=2"):
        cut = encode_words([["a", "b", "a"]], vocab, max_len=2)
    np.testing.assert_array_equal(cut, [[vocab["a"], vocab["b"]]])
    words = [["a", "b"] * 10] * 20
    dropped = encode_words(words, vocab, max_len=20, unknown_rate=0.5, seed=1)
    np.testing.assert_array_equal(dropped, encode_words(words, vocab, max_len=20, unknown_rate=0.5, seed=1))
    assert 0.3 < np.mean(dropped == vocab["<unk:x>"]) < 0.7 and not np.any(dropped == 0)
    with pytest.raises(ValueError, match="unknown_rate"):
        encode_words(words, vocab, unknown_rate=1.0)


def test_encode_tags():
    np.testing.assert_array_equal(encode_tags([["B-PER", "I-PER"], ["O"]], max_len=3),
                                  [[TAG_INDEX["B-PER"], TAG_INDEX["I-PER"], 0], [0, 0, 0]])
    assert TAGS[0] == "O" and len(TAGS) == 11


def test_tagger_shapes_and_tag_sentence_bad_input():
    keras.utils.set_random_seed(0)
    vocab = build_vocab([(["joined", "in"], ["O", "O"])], min_count=1)
    model = build_tagger(len(vocab), num_layers=1, embedding_dim=8, num_heads=2, fully_connected_dim=8, max_len=6)
    assert model.output_shape == (None, 6, len(TAGS))
    pairs = tag_sentence(model, "Ann joined Acme in Oslo.", vocab, max_len=6)
    assert [w for w, _ in pairs] == ["Ann", "joined", "Acme", "in", "Oslo", "."]
    assert all(tag in TAG_INDEX for _, tag in pairs)
    assert [len(p) for p in predict_tags(model, [["a"], ["a", "b", "c"]], vocab, max_len=6)] == [1, 3]
    assert predict_tags(model, [], vocab, max_len=6) == []
    with pytest.raises(ValueError, match="empty"):
        tag_sentence(model, " \n", vocab, max_len=6)
    with pytest.raises(TypeError, match="string"):
        tag_sentence(model, ["Ann"], vocab, max_len=6)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pairs = tag_sentence(model, "one two three four five six seven eight", vocab, max_len=6)
    assert len(pairs) == 6 and "only the first 6" in str(caught[0].message)
