"""The ranking figures the figure scripts share: Mann-Whitney ROC AUC and flag precision/recall. Standard library only."""


def auc(scores, positive):
    """Mann-Whitney AUC, ties counted half; None without both classes."""
    pairs = sorted((s, p) for s, p in zip(scores, positive) if s is not None)
    pos = sum(p for _, p in pairs)
    neg = len(pairs) - pos
    if pos == 0 or neg == 0:
        return None
    rank_sum, i = 0.0, 0
    while i < len(pairs):
        j = i
        while j + 1 < len(pairs) and pairs[j + 1][0] == pairs[i][0]:
            j += 1
        rank = (i + j) / 2 + 1
        rank_sum += rank * sum(p for _, p in pairs[i:j + 1])
        i = j + 1
    return round((rank_sum - pos * (pos + 1) / 2) / (pos * neg), 4)


def precision_recall(flagged, positive):
    """(precision, recall, number flagged); None where undefined."""
    tp = sum(f and p for f, p in zip(flagged, positive))
    nf, npos = sum(flagged), sum(positive)
    return (round(tp / nf, 4) if nf else None), (round(tp / npos, 4) if npos else None), nf
