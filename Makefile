# Sequence Models course. Two commands matter: `make lab` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ALL_NOTEBOOKS = $(filter-out %_exercise.ipynb,$(wildcard Week-*/*/*.ipynb))
# The longest first (benchmarks/results/test_suite_time.md), in this order (--no-loadscope-reorder), so the two
# workers finish together instead of one waiting for a long notebook started last.
LONGEST_FIRST = Week-4/W4A1_Transformer Week-2/W2A2_Emojify Week-3/W3A1_Date_Translation_with_Attention \
                Week-4/W4_Lab_Question_Answering Week-2/W2_Lab_Word2Vec Week-1/W1_Lab_Word_Level_Language_Model \
                Week-3/W3_Lab_Seq2Seq_Chatbot Week-1/W1A3_Jazz_Improvisation \
                Week-3/W3_Lab_Beam_Search_and_BLEU Week-3/W3_Lab_Speech_Recognition_with_CTC Week-1/W1A2_Dinosaur_Island \
                Week-3/W3A2_Trigger_Word_Detection
LONGEST_NOTEBOOKS = $(foreach folder,$(LONGEST_FIRST),$(filter $(folder)/%,$(ALL_NOTEBOOKS)))
NOTEBOOKS = $(LONGEST_NOTEBOOKS) $(filter-out $(LONGEST_NOTEBOOKS),$(ALL_NOTEBOOKS))
# Per-cell limit; a whole notebook must also stay within the course's 4-minute budget.
NBVAL = --nbval --nbval-sanitize-with nbval_sanitize.cfg --nbval-cell-timeout=300
# Tests and notebooks run two at a time (notebooks each in its own kernel): most of their time is single-threaded Python.
WORKERS ?= 2
RUN_NOTEBOOKS = MPLBACKEND=Agg $(BIN)/python -m pytest $(NOTEBOOKS) $(NBVAL) -q -n $(WORKERS) --dist loadfile --no-loadscope-reorder
# The second numerical profile: NumPy's and oneDNN's widest kernels switched off (see utils/foreign_profile.py),
# so an output that holds only on the machine that stored it fails here, not on a learner's laptop.
FOREIGN_PROFILE = $(shell $(BIN)/python -m utils.foreign_profile)

.PHONY: lab test unit notebooks html exercises bench models setup clean-venv

lab: $(STAMP)  ## start JupyterLab on the course
	$(BIN)/jupyter lab --notebook-dir=. $(LAB_ARGS)

test: $(STAMP)  ## unit tests, repository checks, then every notebook under nbval on two numerical profiles
	MPLBACKEND=Agg $(BIN)/python -m pytest tests -q -n $(WORKERS)
	$(RUN_NOTEBOOKS)
	@echo "Again, computing like another CPU: $(FOREIGN_PROFILE)"
	env $(FOREIGN_PROFILE) $(RUN_NOTEBOOKS)

unit: $(STAMP)  ## only the tests/ folder (fast)
	MPLBACKEND=Agg $(BIN)/python -m pytest tests -q -n $(WORKERS)

html: $(STAMP)  ## build the course site: the figures, every HTML preview (from stored outputs), the notes pages, index.html
	$(BIN)/python -m utils.plots
	$(BIN)/python -m utils.notebook_tools html

exercises: $(STAMP)  ## regenerate every *_exercise.ipynb from its solution notebook
	$(BIN)/python -m utils.notebook_tools exercises

bench: $(STAMP)  ## run the benchmarks and write benchmarks/results/
	$(BIN)/python benchmarks/rnn_forward_speed.py
	$(BIN)/python benchmarks/char_lm_speed.py
	$(BIN)/python benchmarks/word_lm.py
	$(BIN)/python benchmarks/analogy_speed.py
	$(BIN)/python benchmarks/word2vec_speed.py
	$(BIN)/python benchmarks/emojify_accuracy.py
	$(BIN)/python benchmarks/trigger_word_events.py
	$(BIN)/python benchmarks/ctc_recogniser.py
	$(BIN)/python benchmarks/chatbot.py
	$(BIN)/python benchmarks/transformer_vs_attention.py
	$(BIN)/python benchmarks/test_suite_time.py
	$(BIN)/python benchmarks/numerical_profiles.py  # about an hour: every notebook under seven profiles

models: $(STAMP)  ## retrain the ten shipped models from scratch into data/ (about 3 h 50 min on 2 CPU cores; times per model in data/README.md)
	$(BIN)/python -m utils.char_lstm train
	$(BIN)/python -m utils.word_lm train
	$(BIN)/python -m utils.music_model train
	$(BIN)/python -m utils.trigger_model train
	$(BIN)/python -m utils.ctc_recogniser train
	$(BIN)/python -m utils.chatbot train
	$(BIN)/python -m utils.ner_model train
	$(BIN)/python -m utils.date_transformer train
	$(BIN)/python -m utils.qa_model train

setup: $(STAMP)

# Set-up runs once, and again only when the requirements change.
$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is needed, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

clean-venv:
	rm -rf $(VENV)
