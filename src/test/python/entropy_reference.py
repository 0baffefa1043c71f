"""Golden divergences for EntropyObserverTest's tiny histogram, written independently of the Java code.

The threshold search of TensorRT's entropy calibration (Migacz, GTC 2017) in the form of the open
reference implementations (MXNet's and TVM's _get_optimal_threshold): the kept bins are merged into
`levels` groups of len(P) // levels consecutive bins, the last group also taking the remainder;
zero entries are smoothed with eps = 1e-4 taken evenly from the non-zero ones. Pure Python, no
dependencies:  python3 src/test/python/entropy_reference.py
"""
import math

COUNTS = [9, 7, 5, 4, 2, 1, 1, 3]
LEVELS = 3
EPS = 1e-4


def smooth(h):
    zeros = sum(1 for v in h if v == 0)
    if zeros == len(h):
        return None
    take = EPS * zeros / (len(h) - zeros)
    s = [EPS if v == 0 else v - take for v in h]
    if min(s) <= 0:
        return None
    total = sum(s)
    return [v / total for v in s]


def candidate(counts, i, levels):
    sliced = counts[:i]
    p = list(sliced)
    p[-1] += sum(counts[i:])
    merged = i // levels
    q = [0.0] * i
    for g in range(levels):
        start = g * merged
        stop = i if g == levels - 1 else start + merged
        total = sum(sliced[start:stop])
        nonzero = sum(1 for j in range(start, stop) if p[j] != 0)
        for j in range(start, stop):
            q[j] = total / nonzero if p[j] != 0 else 0.0
    return smooth(p), smooth(q)


def kl(p, q):
    return sum(a * math.log(a / b) for a, b in zip(p, q))


def js(p, q):
    m = [(a + b) / 2 for a, b in zip(p, q)]
    return 0.5 * kl(p, m) + 0.5 * kl(q, m)


for name, f in [("KL", kl), ("SYMMETRIC_KL", lambda p, q: kl(p, q) + kl(q, p)), ("JENSEN_SHANNON", js)]:
    values = []
    for i in range(LEVELS, len(COUNTS)):
        p, q = candidate(COUNTS, i, LEVELS)
        values.append(float("inf") if p is None or q is None else f(p, q))
    print(name, ", ".join(repr(v) for v in values))
