"""The chatbot lab's data (utils.chatbot_data) and decoding helpers (utils.chatbot)."""
import re

import numpy as np
import pytest

from utils import chatbot
from utils.chatbot_data import (CITIES, HELD_OUT_TEMPLATES, HELD_OUT_TIMES, MAX_REPLY_TOKENS, MAX_REQUEST_TOKENS,
                                NAMES, SHAKESPEARE_HELD_OUT_PLAYS, SPECIALS, TEMPLATES, TIMES, build_vocabulary,
                                clock, detokenize, parse_reply, reply_tokens, shakespeare_exchanges, slot_accuracy,
                                station_corpus, time_phrases, tokenize)


@pytest.fixture(scope="module")
def corpus():
    return station_corpus()


def test_tokenize_splits_digits_and_symbols_and_keeps_apostrophes():
    assert tokenize("Hi, I'd like 2 tickets at 19:35!") == ["hi", ",", "i'd", "like", "2", "tickets", "at", "1", "9",
                                                            ":", "3", "5", "!"]
    assert tokenize("   ") == []


def test_every_reply_survives_tokenize_and_detokenize(corpus):
    for examples in corpus.values():
        for _, reply, _, _ in examples:
            assert detokenize(tokenize(reply)) == reply
    assert detokenize(tokenize("a single to york costs £42.")) == "a single to york costs £42."
    with pytest.raises(ValueError, match="does not survive"):
        reply_tokens("two  spaces")


def test_parse_reply_reads_back_every_intent_and_slot(corpus):
    for examples in corpus.values():
        for _, reply, intent, slots in examples:
            assert parse_reply(reply) == (intent, slots)
    assert parse_reply("booked: 2 single tickets to york.") == (None, {})


def test_corpus_is_deterministic_and_splits_hold_out_what_they_say(corpus):
    again = station_corpus({"train": 50, "held_out": 20})
    assert again == station_corpus({"train": 50, "held_out": 20})
    held_out_texts = {text for _, text in HELD_OUT_TEMPLATES}
    pattern = {text: re.compile(re.escape(text).replace(r"\{", "{").replace(r"\}", "}")
                                .replace("{tickets}", ".+").replace("{city}", ".+").replace("{time}", ".+")
                                .replace("{a_kind}", ".+").replace("{name}", ".+")) for _, text in TEMPLATES}
    held_out_clocks = {clock(h, m) for h, m in HELD_OUT_TIMES}
    for request, reply, intent, slots in corpus["train"] + corpus["validation"]:
        assert slots.get("clock") not in held_out_clocks
        assert not any(pattern[text].search(request) for text in held_out_texts if "{" in text), request
    assert all(slots["clock"] in held_out_clocks for _, _, _, slots in corpus["held_out_times"])
    assert {intent for _, _, intent, _ in corpus["held_out"]} == {"book", "price", "cancel", "greet", "thanks"}


def test_held_out_requests_use_only_training_tokens_and_fit_the_model(corpus):
    vocabulary = set(chatbot.vocabulary("station"))
    for split in ("held_out", "held_out_times"):
        for request, reply, _, _ in corpus[split]:
            assert set(tokenize(request)) <= vocabulary, request
            assert set(tokenize(reply)) <= vocabulary, reply
            assert len(tokenize(request)) <= MAX_REQUEST_TOKENS and len(tokenize(reply)) <= MAX_REPLY_TOKENS


def test_time_phrases_name_the_same_time():
    assert "half past seven in the evening" in time_phrases(19, 30)
    assert "twenty five to eight in the evening" in time_phrases(19, 35)
    assert "12:05 pm" in time_phrases(12, 5) and "12:05 am" not in time_phrases(12, 5)
    assert len(set(HELD_OUT_TIMES)) == len(TIMES) // 7 and set(HELD_OUT_TIMES) < set(TIMES)


def test_slot_accuracy_scores_exact_match_and_each_slot(corpus):
    examples = corpus["held_out"][:50]
    assert slot_accuracy([e[1] for e in examples], examples)[0] == 1.0
    book = next(e for e in examples if e[2] == "book")
    wrong_city = book[1].replace(book[3]["city"], "nowhere")
    exact, slots = slot_accuracy([wrong_city], [book])
    assert exact == 0.0 and slots["city"] == 0.0 and slots["clock"] == 1.0 and slots["count"] == 1.0


def test_names_and_cities_are_fixed_lists():
    assert len(NAMES) == 40 == len(set(NAMES)) and NAMES == sorted(NAMES)
    assert CITIES == sorted(CITIES) and len(CITIES) == 20


def test_vocabulary_starts_with_the_specials_in_order():
    vocabulary = build_vocabulary(["b a a", "c b a"])
    assert vocabulary == SPECIALS + ["a", "b", "c"]


def test_shakespeare_exchanges_split_by_play_and_stay_short():
    exchanges = shakespeare_exchanges()
    assert len(exchanges["train"]) > 20000 and len(exchanges["held_out"]) > 2000
    train_prompts = {prompt for prompt, _ in exchanges["train"]}
    assert len(train_prompts & {prompt for prompt, _ in exchanges["held_out"][:500]}) < 25  # only short stock lines
    for prompt, reply in exchanges["train"][:2000]:
        assert 1 <= len(prompt.split()) <= 24 and 1 <= len(reply.split()) <= 16
    assert set(SHAKESPEARE_HELD_OUT_PLAYS) == {"hamlet", "twelfth-night", "the-tempest"}


def test_retrieval_returns_the_reply_of_the_most_similar_prompt():
    retrieval = chatbot.Retrieval(["the king is dead", "what news from rome", "good morrow"],
                                  ["long live the king", "none, my lord", "good morrow to you"])
    assert retrieval.reply(["what news , sir ?", "is the king dead ?", "morrow"]) == [
        "none, my lord", "long live the king", "good morrow to you"]


def test_reply_trigram_bits_is_a_proper_model():
    word_to_id = {word: i for i, word in enumerate(SPECIALS + ["a", "b"])}
    same = chatbot.reply_trigram_bits(["a b", "a b"], ["a b"], word_to_id)
    other = chatbot.reply_trigram_bits(["a b", "a b"], ["b a"], word_to_id)
    assert 0 < same < other
    word_to_id["c"] = len(word_to_id)  # a word of the vocabulary no training reply uses: unlikely, not impossible
    assert same < chatbot.reply_trigram_bits(["a b", "a b"], ["a c"], word_to_id) < 30


def test_sampled_replies_at_low_temperature_are_greedy_and_at_high_temperature_vary():
    logits = np.array([0.0, 0.0, 0.0, 1.0, 3.0, 2.0])  # ids 0-3 specials; 4 is best, then <end> after 3 tokens

    class Fixed:
        def predict_on_batch(self, inputs):
            previous = np.asarray(inputs[1])
            out = np.tile(logits, previous.shape + (1,))
            out[:, 3:, 3] = 9.0  # after <start> and three tokens, <end>
            return out
    requests = np.array([[5, 4], [6, 0]])
    assert chatbot.sampled_replies(Fixed(), requests, 2, 3, 0.01, np.random.default_rng(0)) == [[4, 4, 4]] * 2
    hot = chatbot.sampled_replies(Fixed(), np.zeros((50, 2), np.int32), 2, 3, 5.0, np.random.default_rng(0))
    drawn = np.array([token for reply in hot for token in reply])
    assert 0.15 < np.mean(drawn == 4) < 0.6 and set(drawn) <= set(range(6))


def test_shipped_chatbots_match_their_records_and_beam_of_width_one_is_greedy():
    functions = chatbot.notebook_functions()
    for name in chatbot.CHATBOTS:
        model, _, vocabulary, record = chatbot.load_shipped(name)
        assert vocabulary == chatbot.vocabulary(name) and model.count_params() == record["parameters"]
    model, _, vocabulary, _ = chatbot.load_shipped("station")
    word_to_id = {word: i for i, word in enumerate(vocabulary)}
    examples = station_corpus({"held_out": 6})["held_out"]
    requests = np.stack([functions.encode_line(r, word_to_id, MAX_REQUEST_TOKENS) for r, *_ in examples])
    greedy = functions.greedy_replies(model, requests, word_to_id["<start>"], word_to_id["<end>"])
    beams = [chatbot.beam_reply(model, r[r != 0], word_to_id["<start>"], word_to_id["<end>"], 1) for r in requests]
    assert beams == greedy


def test_chatbot_cli_refuses_an_unknown_name(capsys):
    with pytest.raises(SystemExit):
        chatbot.main(["evaluate", "library"])
    assert "unknown chatbot library" in capsys.readouterr().err
