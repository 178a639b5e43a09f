"""A figure is written once: every result the README, the weekly notes or the data card quotes equals its record.

The records are the JSON files the trainers write next to the shipped weights (`make models`). After retraining,
this test names each document and figure to update.
"""
import json
import re

import pytest

from utils.notebook_tools import ROOT


def percent(value):
    return f"{100 * value:.1f}%"


# (document, pattern whose group is the quoted figure, record in data/, key path in the record, format)
QUOTES = [
    # W3 chatbot lab: the station assistant's held-out exact match, the Shakespeare chatbot's perplexity
    ("Week-3/README.md", r"right reply to \*\*([\d.]+%)\*\* of", "chatbot_station.json", "held_out.held_out.greedy_exact",
     percent),
    ("Week-3/README.md", r"never saw and to \*\*([\d.]+%)\*\* of", "chatbot_station.json",
     "held_out.held_out_times.greedy_exact", percent),
    ("Week-3/README.md", r"beam search \(width 3\) gives ([\d.]+%) and", "chatbot_station.json",
     "held_out.held_out.beam3_exact", percent),
    ("Week-3/README.md", r"layer on \$\[s; c\]\$: ([\d,]+) parameters", "chatbot_station.json", "parameters", ","),
    ("Week-3/README.md", r"reply with perplexity ([\d.]+), against", "chatbot_shakespeare.json", "held_out.perplexity",
     ".1f"),
    ("Week-3/README.md", r"against ([\d.]+) for a trigram model", "chatbot_shakespeare.json",
     "held_out.trigram_perplexity", ".1f"),
    ("Week-3/README.md", r"replies have distinct-2 (\d\.\d+), the real", "chatbot_shakespeare.json",
     "held_out.greedy_distinct_2", ".3f"),
    ("data/README.md", r"exact reply \*\*([\d.]+%)\*\* on\s+held-out templates", "chatbot_station.json",
     "held_out.held_out.greedy_exact", percent),
    ("data/README.md", r"and \*\*([\d.]+%)\*\* at held-out times", "chatbot_station.json",
     "held_out.held_out_times.greedy_exact", percent),
    ("data/README.md", r"Shakespeare: perplexity ([\d.]+) of the real", "chatbot_shakespeare.json",
     "held_out.perplexity", ".1f"),
    ("data/README.md", r"measured:\*\* (\d+) s \(station\)", "chatbot_station.json", "training.seconds", "d"),
    ("data/README.md", r"and ([\d,]+) s \(Shakespeare\) of", "chatbot_shakespeare.json", "training.seconds", ","),
    # W3A2 trigger word model: dev-set event metrics
    ("Week-3/README.md", r"On the (\d+) dev clips", "trigger_word_model.json", "dev.n_clips", "d"),
    ("Week-3/README.md", r"dev clips \((\d+) words\)", "trigger_word_model.json", "dev.n_events", "d"),
    ("Week-3/README.md", r"reaches precision (\d\.\d+), recall", "trigger_word_model.json", "dev.precision", ".3f"),
    ("Week-3/README.md", r"recall (\d\.\d+), \*\*F1", "trigger_word_model.json", "dev.recall", ".3f"),
    ("Week-3/README.md", r"\*\*F1 (\d\.\d+)\*\* \(threshold", "trigger_word_model.json", "dev.f1", ".3f"),
    ("Week-3/README.md", r"\(threshold (\d\.\d+), chosen", "trigger_word_model.json", "threshold", ".2f"),
    ("Week-3/README.md", r"with frame accuracy (\d\.\d+); a model", "trigger_word_model.json",
     "dev.frame_accuracy", ".3f"),
    ("data/README.md", r"\((\d+) clips, \d+ spoken", "trigger_word_model.json", "dev.n_clips", "d"),
    ("data/README.md", r"clips, (\d+) spoken \"activate\"", "trigger_word_model.json", "dev.n_events", "d"),
    ("data/README.md", r"steps apart\): precision (\d\.\d+),", "trigger_word_model.json", "dev.precision", ".3f"),
    ("data/README.md", r"\*\*event F1 (\d\.\d+)\*\*", "trigger_word_model.json", "dev.f1", ".3f"),
    ("data/README.md", r"\((\d+) correct,", "trigger_word_model.json", "dev.tp", "d"),
    ("data/README.md", r"correct, (\d+) false", "trigger_word_model.json", "dev.fp", "d"),
    ("data/README.md", r"alarms, (\d+) missed", "trigger_word_model.json", "dev.fn", "d"),
    ("data/README.md", r"missed\); frame accuracy (\d\.\d+)\.", "trigger_word_model.json", "dev.frame_accuracy",
     ".3f"),
    ("data/README.md", r"always-0 baseline: frame accuracy\s+(\d\.\d+)", "trigger_word_model.json",
     "dev.all_zeros_frame_accuracy", ".3f"),
    ("data/README.md", r"Threshold chosen on val: (\d\.\d+)\.", "trigger_word_model.json", "threshold", ".2f"),
    ("data/README.md", r"spent: (\d+) epochs ran", "trigger_word_model.json", "epochs", "d"),
    ("data/README.md", r"measured:\*\* (\d+) s \(\S+ min\) of training", "trigger_word_model.json",
     "seconds.training", "d"),
    ("data/README.md", r"of training and (\d+) s in all", "trigger_word_model.json", "seconds.total", "d"),
    # W4 NER lab: micro F1 of the four taggers (validation / test)
    ("data/README.md", r"`shape_dropout`\s+(\d\.\d+) /", "ner_tagger.json", "variants.shape_dropout.val_micro_f1",
     ".3f"),
    ("data/README.md", r"`shape_dropout`\s+\d\.\d+ / (\d\.\d+)", "ner_tagger.json",
     "variants.shape_dropout.test_micro_f1", ".3f"),
    ("data/README.md", r"`plain_dropout` (\d\.\d+) /", "ner_tagger.json", "variants.plain_dropout.val_micro_f1", ".3f"),
    ("data/README.md", r"`plain_dropout` \d\.\d+ / (\d\.\d+)", "ner_tagger.json",
     "variants.plain_dropout.test_micro_f1", ".3f"),
    ("data/README.md", r"`shape`\s+(\d\.\d+) /", "ner_tagger.json", "variants.shape.val_micro_f1", ".3f"),
    ("data/README.md", r"`shape`\s+\d\.\d+ / (\d\.\d+)", "ner_tagger.json", "variants.shape.test_micro_f1", ".3f"),
    ("data/README.md", r"`plain` (\d\.\d+) /", "ner_tagger.json", "variants.plain.val_micro_f1", ".3f"),
    ("data/README.md", r"`plain` \d\.\d+ / (\d\.\d+)", "ner_tagger.json", "variants.plain.test_micro_f1", ".3f"),
    ("data/README.md", r"Kept epochs: `plain` (\d+),", "ner_tagger.json", "variants.plain.epoch", "d"),
    ("data/README.md", r"`shape` (\d+),\s+`plain_dropout`", "ner_tagger.json", "variants.shape.epoch", "d"),
    ("data/README.md", r"`plain_dropout` (\d+), `shape_dropout`", "ner_tagger.json", "variants.plain_dropout.epoch",
     "d"),
    ("data/README.md", r"`shape_dropout` (\d+) \(validation", "ner_tagger.json", "variants.shape_dropout.epoch", "d"),
    # W4 question-answering lab
    ("README.md", r"([\d.]+%) exact match on 1,000 held-out stories", "qa_transformer.json",
     "final_exact_match.held_out", percent),
    ("data/README.md", r"read as `<unk>`\): ([\d.]+%), against", "qa_transformer.json",
     "final_exact_match.held_out_unseen_names", percent),
    ("data/README.md", r"against ([\d.]+%) after the curriculum alone", "qa_transformer.json",
     "unseen_names_exact_match_after_curriculum", percent),
    ("data/README.md", r"held-out stories: ([\d.]+%)", "qa_transformer.json", "final_exact_match.held_out", percent),
    ("data/README.md", r"Training took (\d+) s in all", "qa_transformer.json", "seconds", "d"),
    # W3 CTC lab: the shipped recogniser on held-out voices
    ("Week-3/README.md", r"greedy \*\*WER of ([\d.]+%)\*\*", "ctc_recogniser.json", "evaluation.test.greedy_wer",
     lambda v: f"{100 * v:.2f}%"),
    ("Week-3/README.md", r"\(CER ([\d.]+%)\) on 300", "ctc_recogniser.json", "evaluation.test.greedy_cer",
     lambda v: f"{100 * v:.2f}%"),
    ("Week-3/README.md", r"never heard, and ([\d.]+%) on 100", "ctc_recogniser.json", "evaluation.test_long.greedy_wer",
     lambda v: f"{100 * v:.2f}%"),
    ("data/README.md", r"\*\*WER ([\d.]+%)\*\*, CER", "ctc_recogniser.json", "evaluation.test.greedy_wer",
     lambda v: f"{100 * v:.2f}%"),
    ("data/README.md", r"\*\*WER [\d.]+%\*\*, CER ([\d.]+%)", "ctc_recogniser.json", "evaluation.test.greedy_cer",
     lambda v: f"{100 * v:.2f}%"),
    ("data/README.md", r"longer\s+requests, WER ([\d.]+%), CER", "ctc_recogniser.json", "evaluation.test_long.greedy_wer",
     lambda v: f"{100 * v:.2f}%"),
    ("data/README.md", r"requests, WER [\d.]+%, CER ([\d.]+%)\.", "ctc_recogniser.json",
     "evaluation.test_long.greedy_cer", lambda v: f"{100 * v:.2f}%"),
    ("data/README.md", r"It ran (\d+) epochs, the last", "ctc_recogniser.json", "training.epochs_run", "d"),
    ("data/README.md", r"the last with training\s+loss (\d\.\d+)", "ctc_recogniser.json", "training.log.-1.loss", ".4f"),
    ("data/README.md", r"\*\*Time to train, measured:\*\* (\d+) s \(\d+ min\) for `python -m utils.ctc",
     "ctc_recogniser.json", "training.seconds", "d"),
    ("data/README.md", r"plus (\d+) s to synthesize the 6,300", "ctc_recogniser.json", "data.synthesis_and_features_s",
     "d"),
    ("data/README.md", r"([\d,]+) float32 parameters \(81 of them", "ctc_recogniser.json", "parameters", ","),
    # W1A3 jazz LSTM
    ("data/README.md", r"It reaches (\d\.\d+) nats per symbol", "jazz_lstm.json", "loss_per_symbol_nats", ".3f"),
    # W1 word-level lab: bits per character on the held-out passages
    ("Week-1/README.md", r"Kneser–Ney trigram reaches (\d\.\d+) bits per character", "word_lstm.json",
     "bits_per_character.Kneser-Ney trigram", ".3f"),
    ("Week-1/README.md", r"the word\s+LSTM (\d\.\d+) from random", "word_lstm.json",
     "bits_per_character.word LSTM, random embeddings", ".3f"),
    ("Week-1/README.md", r"random embeddings and (\d\.\d+) from GloVe", "word_lstm.json",
     "bits_per_character.word LSTM, glove embeddings", ".3f"),
    ("Week-1/README.md", r"W1A2's character LSTM (\d\.\d+)\. The word", "word_lstm.json",
     "bits_per_character.character LSTM (W1A2)", ".3f"),
    ("data/README.md", r"Kneser–Ney trigram\s+(\d\.\d+), word LSTM", "word_lstm.json",
     "bits_per_character.Kneser-Ney trigram", ".3f"),
    ("data/README.md", r"random embeddings (\d\.\d+), word", "word_lstm.json",
     "bits_per_character.word LSTM, random embeddings", ".3f"),
    ("data/README.md", r"GloVe embeddings (\d\.\d+), W1A2", "word_lstm.json",
     "bits_per_character.word LSTM, glove embeddings", ".3f"),
    ("data/README.md", r"character LSTM\s+(\d\.\d+)\. More settings", "word_lstm.json",
     "bits_per_character.character LSTM (W1A2)", ".3f"),
    ("data/README.md", r"measured:\*\* ([\d,]+) s \(random start\)", "word_lstm.json", "training.random.seconds", ","),
    ("data/README.md", r"and ([\d,]+) s \(GloVe start\)", "word_lstm.json", "training.glove.seconds", ","),
    ("data/README.md", r"(\d\.\d+) \(random start\) and \d", "word_lstm.json", "training.random.val_loss.-1", ".4f"),
    ("data/README.md", r"and (\d\.\d+) \(GloVe start\) nats", "word_lstm.json", "training.glove.val_loss.-1", ".4f"),
]


def record_value(record_name, key):
    value = json.loads((ROOT / "data" / record_name).read_text(encoding="utf-8"))
    for part in key.split("."):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


def formatted(value, fmt):
    return fmt(value) if callable(fmt) else format(value, fmt)


@pytest.mark.parametrize("document,pattern,record_name,key,fmt", QUOTES,
                         ids=[f"{q[0]}:{q[3]}" for q in QUOTES])
def test_quoted_figure_equals_its_record(document, pattern, record_name, key, fmt):
    text = (ROOT / document).read_text(encoding="utf-8")
    quoted = re.findall(pattern, text)
    assert quoted, f"{document} no longer quotes this figure (pattern {pattern!r}): update the test's table"
    expected = formatted(record_value(record_name, key), fmt)
    wrong = [figure for figure in quoted if figure != expected]
    assert not wrong, f"{document} quotes {wrong[0]} where data/{record_name} ({key}) records {expected}"
