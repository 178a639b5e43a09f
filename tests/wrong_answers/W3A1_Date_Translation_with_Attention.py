"""Plausible wrong answers to W3A1's graded functions (see utils/wrong_answers.py)."""
WRONG_ANSWERS = {
    "one_step_attention": [
        ("the attention ignores the decoder state s_prev",
         "concat = concatenator([a, s_prev])", "concat = concatenator([a, 0 * s_prev])"),
        ("densor1 is skipped: densor2 gets the concatenation", "e = densor1(concat)", "e = concat"),
        ("densor2 is skipped: the energies have 10 features", "energies = densor2(e)", "energies = e"),
        ("the softmax is applied twice", "alphas = activator(energies)", "alphas = activator(activator(energies))"),
        ("the softmax runs over the last axis instead of the Tx axis",
         "alphas = activator(energies)", "alphas = keras.ops.softmax(energies, axis=-1)"),
        ("the context weights a by the energies, not by the attention weights",
         "context = dotor([alphas, a])", "context = dotor([energies, a])"),
        ("the repeated state is concatenated with itself instead of with a",
         "concat = concatenator([a, s_prev])", "concat = concatenator([s_prev, s_prev])"),
        ("densor2 is applied to the concatenation, skipping densor1's output",
         "energies = densor2(e)", "energies = densor2(concat)"),
    ],
    "modelf": [
        ("the post-attention LSTM is not given initial_state (every step starts from zeros)",
         "post_activation_LSTM_cell(context, initial_state=[s, c])", "post_activation_LSTM_cell(context)"),
        ("the state is not carried: every step starts again from s0, c0",
         "initial_state=[s, c]", "initial_state=[s0, c0]"),
        ("state and memory are swapped in initial_state", "initial_state=[s, c]", "initial_state=[c, s]"),
        ("the output layer reads the memory cell c instead of the state s",
         "outputs.append(output_layer(s))", "outputs.append(output_layer(c))"),
        ("the attention always compares with s0, not the current state",
         "context = one_step_attention(a, s)", "context = one_step_attention(a, s0)"),
        ("the LSTM's returned state and memory are unpacked the wrong way round",
         "_, s, c = post_activation_LSTM_cell", "_, c, s = post_activation_LSTM_cell"),
        ("off by one in time: each output is predicted from the state before the LSTM step",
         "        _, s, c = post_activation_LSTM_cell(context, initial_state=[s, c])\n"
         "        # Predict this step's character from the new state s: shape (m, machine_vocab_size).\n"
         "        outputs.append(output_layer(s))\n",
         "        outputs.append(output_layer(s))\n"
         "        _, s, c = post_activation_LSTM_cell(context, initial_state=[s, c])\n"),
        ("a one-directional LSTM of 2 n_a units instead of the bidirectional one",
         "a = Bidirectional(LSTM(units=n_a, return_sequences=True))(X)",
         "a = LSTM(units=2 * n_a, return_sequences=True)(X)"),
        ("the output is appended once, after the loop",
         "        outputs.append(output_layer(s))\n", "    outputs.append(output_layer(s))\n"),
    ],
}
