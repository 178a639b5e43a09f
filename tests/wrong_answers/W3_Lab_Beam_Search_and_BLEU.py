"""Plausible wrong answers to the beam search and BLEU lab's graded functions (see utils/wrong_answers.py)."""
WRONG_ANSWERS = {
    "beam_search": [
        ("finished hypotheses stay in the beam and keep being extended",
         "live = [h for h in extensions if h[0][-1] != end_token]", "live = extensions"),
        ("the hypotheses that finished early are dropped when the search is cut at max_len",
         "        finished += live\n", "        finished = live\n"),
        ("the hypotheses still live are added even when beam_width of them have finished",
         "    if len(finished) < beam_width:\n        finished += live\n", "    finished += live\n"),
        ("the final ranking ignores length normalisation",
         "key=lambda h: -normalised_score(h[1], len(h[0]), alpha)", "key=lambda h: -h[1]"),
        ("the length used for normalisation counts <start> too",
         "normalised_score(h[1], len(h[0]), alpha)", "normalised_score(h[1], len(h[0]) + 1, alpha)"),
        ("the beam shrinks by one for every finished hypothesis",
         "[:beam_width]:", "[:beam_width - len(finished)]:"),
        ("the hypothesis' own log-probability is not added to its extensions",
         "totals = np.array([log_prob for _, log_prob in live])[:, None] + log_probs", "totals = log_probs"),
        ("extensions of probability 0 are kept",
         "            if totals[row, token] == -np.inf:  # probability 0: so are all the rest\n                break\n",
         ""),
        ("the returned hypotheses keep <start>",
         "hypotheses = [(prefix[1:], log_prob)", "hypotheses = [(prefix, log_prob)"),
    ],
    "modified_precision": [
        ("no clipping: every candidate n-gram found in a reference counts",
         "min(count, max_reference_counts[gram])", "(count if max_reference_counts[gram] else 0)"),
        ("clips by the sum of the counts over the references, not the largest",
         "max(max_reference_counts[gram], count)", "max_reference_counts[gram] + count"),
        ("clips by the count in the last reference that has the n-gram",
         "max_reference_counts[gram] = max(max_reference_counts[gram], count)",
         "max_reference_counts[gram] = count"),
        ("the total counts distinct n-grams, not all of them",
         "total = sum(candidate_counts.values())", "total = len(candidate_counts)"),
        ("the references are cut into words whatever n is",
         "ngram_counts(reference, n)", "ngram_counts(reference, 1)"),
        ("the total is the number of words, whatever n is",
         "total = sum(candidate_counts.values())", "total = len(candidate)"),
    ],
    "brevity_penalty": [
        ("the ratio is inverted: exp(1 - c / r)", "math.exp(1 - r / c)", "math.exp(1 - c / r)"),
        ("the penalty is also applied to a candidate longer than the reference",
         "if c >= r:", "if c == r:"),
        ("c > r instead of c >= r: an empty candidate against an empty reference gets 0",
         "if c >= r:", "if c > r:"),
        ("the 1 is missing from the exponent", "math.exp(1 - r / c)", "math.exp(-r / c)"),
        ("the penalty is the length ratio itself", "return math.exp(1 - r / c)", "return c / r"),
    ],
    "corpus_bleu": [
        ("r is the shortest reference length, not the closest",
         "closest_reference_length(len(candidate), [len(ref) for ref in refs])", "min(len(ref) for ref in refs)"),
        ("r is the longest reference length, not the closest",
         "closest_reference_length(len(candidate), [len(ref) for ref in refs])", "max(len(ref) for ref in refs)"),
        ("r is the length of the first reference",
         "closest_reference_length(len(candidate), [len(ref) for ref in refs])", "len(refs[0])"),
        ("averages sentence BLEUs instead of pooling the counts",
         "    matches, totals = np.zeros(max_n), np.zeros(max_n)\n"
         "    c = r = 0\n"
         "    # Then, for each candidate and its references:\n"
         "    for candidate, refs in zip(candidates, references):\n",
         "    scores = []\n"
         "    for candidate, refs in zip(candidates, references):\n"
         "        matches, totals = np.zeros(max_n), np.zeros(max_n)\n"
         "        c = r = 0\n"
         "        for n in range(1, max_n + 1):\n"
         "            m_n, t_n = modified_precision(candidate, refs, n)\n"
         "            matches[n - 1] += m_n\n"
         "            totals[n - 1] += t_n\n"
         "        c += len(candidate)\n"
         "        r += closest_reference_length(len(candidate), [len(ref) for ref in refs])\n"
         "        scores.append(0.0 if np.any(matches == 0) else\n"
         "                      brevity_penalty(c, r) * math.exp(np.mean(np.log(matches / totals))))\n"
         "    return float(np.mean(scores))\n"
         "    for candidate, refs in zip(candidates, references):\n"),
        ("the arithmetic mean of the precisions, not the geometric mean",
         "math.exp(np.mean(np.log(matches / totals)))", "np.mean(matches / totals)"),
        ("the brevity penalty gets its arguments swapped", "brevity_penalty(c, r)", "brevity_penalty(r, c)"),
        ("max_n ignored: always orders 1 to 4",
         "    matches, totals = np.zeros(max_n), np.zeros(max_n)\n",
         "    max_n = 4\n    matches, totals = np.zeros(max_n), np.zeros(max_n)\n"),
        ("the largest order is left out (range stops at max_n - 1)",
         "for n in range(1, max_n + 1):", "for n in range(1, max_n):"),
    ],
}
