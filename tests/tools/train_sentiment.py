"""Train smm's sentiment models (smm/inbox/models/sentiment-{en,zh}.bin) and print held-out scores.

    .venv/bin/pip install numpy scipy scikit-learn    # training only; smm itself needs none of them
    OMP_NUM_THREADS=1 nice .venv/bin/python tests/tools/train_sentiment.py [en] [zh]

Data: tests/tools/sentiment_data.py (pinned PyPI packages, fixed split). Model: NB-weighted
logistic regression (one class against the rest) on smm.inbox.features' hashed n-grams,
class-balanced, rows weighted by the annotators' agreement and brand tweets (the inbox's case)
three times, its regularisation chosen on a validation tenth of the training rows; weights
quantised to int8. The scores printed
come from smm's own run-time path (smm.inbox.sentiment), i.e. the shipped, quantised model.
"""

from __future__ import annotations

import sys
import time
import zlib
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix, diags
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sentiment_data import BRAND, SOURCES, split  # noqa: E402

from smm.inbox import model as model_file  # noqa: E402
from smm.inbox.features import BUCKETS, vector  # noqa: E402

MODELS = Path(__file__).resolve().parents[2] / "smm" / "inbox" / "models"
GRID = (4.0, 8.0, 16.0, 32.0)


def matrix(texts: list[str], lang: str) -> csr_matrix:
    data, cols, ptr = [], [], [0]
    for text in texts:
        for bucket, value in vector(text, lang).items():
            cols.append(bucket)
            data.append(value)
        ptr.append(len(cols))
    return csr_matrix((np.array(data, np.float32), np.array(cols), np.array(ptr)), shape=(len(texts), BUCKETS))


def weights(rows) -> np.ndarray:
    """Each row counts its annotators' agreement (at least a third), a brand tweet three times."""
    return np.array([max(conf, 0.34) * (3.0 if BRAND.search(text) else 1.0) for text, _, conf in rows])


def fit(x: csr_matrix, rows, c: float) -> tuple[list[str], np.ndarray, np.ndarray]:
    """NB-weighted logistic regression, one class against the rest (Wang & Manning 2012): each
    class's features are scaled by their log-count ratio, which folds into that class's weights."""
    labels = np.array([label for _, label, _ in rows])
    present = (x > 0).astype(np.float32)
    classes, coef, bias = sorted(set(labels)), [], []
    for label in classes:
        mine = labels == label
        p = np.asarray(present[mine].sum(0)).ravel() + 1
        q = np.asarray(present[~mine].sum(0)).ravel() + 1
        ratio = np.log((p / p.sum()) / (q / q.sum()))
        clf = LogisticRegression(C=c, class_weight="balanced", max_iter=500)
        clf.fit(x @ diags(ratio), mine, sample_weight=weights(rows))
        coef.append(clf.coef_[0] * ratio)
        bias.append(clf.intercept_[0])
    return classes, np.vstack(coef), np.array(bias)


def scores(model, x: csr_matrix) -> np.ndarray:
    _, coef, bias = model
    return np.asarray(x @ coef.T) + bias


def choose(train, lang: str) -> float:
    """The regularisation with the best macro-F1 on a validation tenth of the training rows (its
    brand tweets for English)."""
    fold = [zlib.crc32(t.encode()) % 10 == 3 for t, _, _ in train]
    inner = [r for r, f in zip(train, fold) if not f]
    val = [r for r, f in zip(train, fold) if f and (lang == "zh" or BRAND.search(r[0]))]
    x_inner, x_val = matrix([t for t, _, _ in inner], lang), matrix([t for t, _, _ in val], lang)
    results = {}
    for c in GRID:
        model = fit(x_inner, inner, c)
        predicted = np.array(model[0])[scores(model, x_val).argmax(1)]
        results[c] = f1_score([label for _, label, _ in val], predicted, average="macro")
        print(f"  {lang} C={c}: validation macro-F1 {results[c]:.3f}", flush=True)
    return max(results, key=results.get)


def export(model, lang: str, c: float, n_train: int) -> None:
    """Quantise to int8 (one scale per class) and write the model file."""
    classes, coef, bias = model
    scales = np.abs(coef).max(axis=1) / 127
    rows = [np.round(coef[i] / scales[i]).astype(np.int8).tobytes() for i in range(len(classes))]
    meta = {"data": SOURCES[lang][0], "C": c, "train_rows": n_train}
    MODELS.mkdir(parents=True, exist_ok=True)
    model_file.save(MODELS / f"sentiment-{lang}.bin", classes, rows, scales.tolist(), bias.tolist(), meta)


def report(lang: str, held_out) -> None:
    from smm.inbox import sentiment

    model_file.shipped.cache_clear()
    start = time.perf_counter()
    predicted = [sentiment.sentiment(text, lang) for text, _, _ in held_out]
    per_item = (time.perf_counter() - start) / len(held_out) * 1000
    gold = [label for _, label, _ in held_out]
    labels = sorted(set(gold))
    print(f"{lang}: held-out {len(held_out)} rows, macro-F1 {f1_score(gold, predicted, labels=labels, average='macro'):.3f}"
          f" over {labels}, {per_item:.2f} ms/item")
    agreed = [(g, p) for (_, g, conf), p in zip(held_out, predicted) if conf >= 0.6]
    if lang == "en":
        g, p = zip(*agreed)
        print(f"{lang}: the {len(agreed)} with annotator agreement >= 0.6: macro-F1 "
              f"{f1_score(g, p, labels=labels, average='macro'):.3f}")


def main(langs: list[str]) -> None:
    for lang in langs:
        train, held_out = split(lang)
        print(f"{lang}: {len(train)} training rows, {len(held_out)} held out", flush=True)
        c = choose(train, lang)
        export(fit(matrix([t for t, _, _ in train], lang), train, c), lang, c, len(train))
        report(lang, held_out)


if __name__ == "__main__":
    main(sys.argv[1:] or ["en", "zh"])
