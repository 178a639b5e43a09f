"""Plausible wrong answers to W3A1's graded functions (see utils/wrong_answers.py)."""
WRONG_ANSWERS = {
    "one_step_attention": [
        ("the attention ignores the decoder state s_prev",
         "concat = concatenator([a, s_prev])", "concat = concatenator([a, 0 * s_prev])"),
    ],
}
