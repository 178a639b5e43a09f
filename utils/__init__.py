"""Shared helpers for the Sequence Models course notebooks: a map of the modules.

Graded functions are never here: they live in their notebooks, and code that needs one loads it with
`notebook_tools.load_definitions` or takes it as an argument.

Course helpers (named as in the course)
    rnn_utils         W1A1: softmax, sigmoid, parameter set-up, shape checks, Keras weight layouts
    gradient_check    W1A1: finite-difference gradients for the NumPy backward passes
    char_lm           W1A2: the NumPy character-level language model (data, passes, evaluation, sampling)
    music_utils       W1A3: lead sheets to grammar symbols to training data, and back to notes
    w2v_utils         W2A1: GloVe 6B 50d word vectors, offline; look-ups and nearest neighbours
    emo_utils         W2A2: the Emojify sentences, tokenising, held-out splits, emoji labels and plots
    nmt_utils         W3A1: human-readable dates paired with ISO dates, vocabularies and encodings
    td_utils          W3A2: audio helpers, the synthetic trigger-word dataset (made by the notebook's own
                      create_training_example; no copy of a graded function), event-level metrics

Shared building blocks (used by a notebook, not an exercise in it)
    transformer       W4 labs: positional encodings, an encoder block and a token encoder
    plots             figures drawn with matplotlib (diagrams and training curves)

Per-assignment data and trainers (`make models` retrains the shipped models)
    shakespeare       W1A2: Shakespeare's plays as clean training text
    char_lstm         W1A2: the Keras character-level LSTM trained on Shakespeare
    word_lm           W1 word-level lab: lossless word tokens, the Kneser-Ney baseline, bits per character,
                      training and shipping the word LSTMs
    music_synth       W1A3: a small NumPy synthesizer, notes and chords to audio
    music_model       W1A3: the jazz LSTM: shared layers, training, shipped weights, sampling
    word2vec          W2 word2vec lab: corpus, vocabulary, skip-gram minibatches, a NumPy trainer
    seq2seq           W3 beam-search lab: dates in words and a small encoder-decoder to search over
    speech_synth      W3A2: synthetic speech from the bundled espeak-ng engine
    trigger_model     W3A2: training and shipping the trigger-word model
    asr_data          W3 CTC lab: the alphabet, synthesized spoken requests over noise, your own recordings
    ctc_recogniser    W3 CTC lab: training, scoring and shipping the notebook's acoustic model
    chatbot_data      W3 chatbot lab: the station assistant's generated dialogues, Shakespeare's exchanges
    chatbot           W3 chatbot lab: training and shipping the two chatbots, decoding, the baselines
    date_transformer  W4A1: training the notebook's Transformer on the date task
    ner_data          W4 NER lab: the generated corpus with BIO tags, vocabularies, encodings
    ner_model         W4 NER lab: training and shipping the taggers
    qa_data           W4 question-answering lab: the stories and questions
    qa_model          W4 question-answering lab: the encoder and its two span heads

Checks and tests
    testing           graded-cell test helpers: failures with messages a learner can act on
    checks            `expect_between`: a documented band for numbers that differ between machines
    wrong_answers     plausible wrong answers that every graded test must fail

Maintainer tooling
    notebook_tools    exercise copies, HTML previews, executing notebooks, loading their definitions
    site              the course site `make html` builds: index.html, the notes as HTML, the math font
    model_files       shipped model files: atomic weights with their JSON record, checked loading
    quiet_tf          TensorFlow and Keras loaded without their C++ start-up log
    foreign_profile   `make test`'s second numerical profile: computing like a narrower CPU
"""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the repository
DATA = ROOT / "data"
