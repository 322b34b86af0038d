"""The shipped linear models: one file per language, a JSON header line then the zlib-compressed
int8 weight table (one row of `buckets` weights per class, each row with its own scale).

Pure Python at run time (no numpy): scoring a message adds up a few hundred table entries.
"""

from __future__ import annotations

import json
import math
import zlib
from array import array
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from smm.inbox.features import BUCKETS, FEATURES_VERSION, vector


@dataclass(frozen=True)
class LinearModel:
    classes: tuple[str, ...]
    scales: tuple[float, ...]
    bias: tuple[float, ...]
    weights: array  # int8, class-major: weights[c * BUCKETS + bucket]
    meta: dict

    def probabilities(self, text: str, lang: str) -> dict[str, float]:
        """Softmax over the classes for a text."""
        features = vector(text, lang)
        scores = []
        for c, (scale, bias) in enumerate(zip(self.scales, self.bias)):
            row = c * BUCKETS
            scores.append(bias + scale * sum(self.weights[row + b] * v for b, v in features.items()))
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return {label: e / total for label, e in zip(self.classes, exps)}


def save(path: Path, classes: list[str], rows: list[bytes], scales: list[float], bias: list[float],
         meta: dict) -> None:
    """Write a model: `rows` are the int8 weight rows (BUCKETS bytes each), one per class."""
    header = {"classes": classes, "scales": scales, "bias": bias, "buckets": BUCKETS,
              "features_version": FEATURES_VERSION, "meta": meta}
    path.write_bytes(json.dumps(header, ensure_ascii=False).encode() + b"\n" + zlib.compress(b"".join(rows), 9))


def parse(data: bytes) -> LinearModel:
    """A model from the bytes `save` wrote; a model built for other features is refused."""
    head, _, body = data.partition(b"\n")
    header = json.loads(head)
    if header["buckets"] != BUCKETS or header["features_version"] != FEATURES_VERSION:
        raise ValueError("the sentiment model was trained on other features: retrain it "
                         "(tests/tools/train_sentiment.py)")
    weights = array("b", zlib.decompress(body))
    if len(weights) != BUCKETS * len(header["classes"]):
        raise ValueError("the sentiment model's weight table is truncated")
    return LinearModel(tuple(header["classes"]), tuple(header["scales"]), tuple(header["bias"]),
                       weights, header.get("meta", {}))


@cache
def shipped(lang: str) -> LinearModel:
    """The model shipped with smm for "en" or "zh" (loaded once per process)."""
    return parse(resources.files("smm.inbox").joinpath("models", f"sentiment-{lang}.bin").read_bytes())
