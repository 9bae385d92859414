"""Text similarity for finding repeated agenda items and terms of reference: TF-IDF vectors
(sublinear term frequency, smoothed inverse document frequency, as scikit-learn's
TfidfVectorizer computes them) and their cosine similarity, in numpy alone.

>>> m = cosine_matrix(["Anti-social behaviour in the town centre",
...                    "Town centre anti-social behaviour", "Domestic abuse referrals"])
>>> round(float(m[0, 1]), 2), round(float(m[0, 2]), 2)
(1.0, 0.0)
"""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np

__all__ = ["tokens", "cosine_matrix"]

STOP = frozenset(
    "the and for with from that this are was were will into onto its our their your has have "
    "been being any all each per via not but who what when where which how of to in on at by "
    "an a as or be is it".split()
)


def tokens(text: str) -> list[str]:
    """Lower-case words of three letters or more, stop words dropped, a plural 's' trimmed.

    >>> tokens("The Partnership's priorities for 2022: burglaries and ASB")
    ['partnership', 'prioritie', '2022', 'burglarie', 'asb']
    """
    out = []
    for w in re.findall(r"[a-z0-9]+", text.lower()):
        if w in STOP or len(w) < 3:
            continue
        if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
            w = w[:-1]
        out.append(w)
    return out


def cosine_matrix(texts: list[str]) -> np.ndarray:
    """The cosine similarity of every pair of texts' TF-IDF vectors (n × n, diagonal 1 for any
    text with a word, 0 for an empty one)."""
    docs = [Counter(tokens(t)) for t in texts]
    vocab = sorted({w for d in docs for w in d})
    if not vocab:
        return np.zeros((len(texts), len(texts)))
    index = {w: i for i, w in enumerate(vocab)}
    n = len(docs)
    df = Counter(w for d in docs for w in d)
    idf = np.array([math.log((1 + n) / (1 + df[w])) + 1 for w in vocab])
    x = np.zeros((n, len(vocab)))
    for row, d in enumerate(docs):
        for w, c in d.items():
            x[row, index[w]] = 1 + math.log(c)
    x *= idf
    norms = np.linalg.norm(x, axis=1)
    norms[norms == 0] = 1
    x /= norms[:, None]
    return np.asarray(x @ x.T)
