"""Text → language and hashed n-gram features, the same for training (tests/tools) and at run time.

Features are hashed into a fixed number of buckets (crc32), so the model is only a weight table:
no vocabulary to ship. English: words and word pairs plus character 2–4-grams inside words;
Chinese: character 1–3-grams of the Han runs plus any Latin words. Counts are log-scaled and the
vector has unit length, so long and short messages score on one scale.
"""

from __future__ import annotations

import math
import re
import zlib
from collections import Counter

BUCKETS = 1 << 18
FEATURES_VERSION = 1  # bump when the features change: the shipped models must be retrained

_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_MENTION = re.compile(r"@\w+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA_HANGUL = re.compile(r"[\u3040-\u30ff\uac00-\ud7af]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_WORD = re.compile(r"[a-z0-9\u00c0-\u024f']+|[!?]+|[^\s\w]", re.IGNORECASE)
_NEGATORS = frozenset({"not", "no", "never", "cannot", "nothing", "nobody", "none", "nor", "without"})
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_ZH_MARKS = re.compile(r"[！？!?]+|[a-z]+")


def language(text: str) -> str:
    """"zh" when Han characters make up at least a fifth of the letters (and no kana or hangul),
    "en" when the letters are Latin, else "und" (no letters, or another script)."""
    han = len(_HAN.findall(text))
    latin = len(_LATIN.findall(text))
    if han and not _KANA_HANGUL.search(text) and han * 5 >= han + latin:
        return "zh"
    if latin and latin >= han:
        return "en"
    return "und"


def normalise(text: str) -> str:
    """Lower case, links and @handles replaced by placeholders (they name no sentiment)."""
    text = _URL.sub(" httplink ", text)
    text = _MENTION.sub(" atuser ", text)
    return text.lower()


def _negated(words: list[str]) -> list[str]:
    """Words after a negation up to the next punctuation, marked ("not good" → n:good)."""
    marked, negating = [], False
    for word in words:
        if not word[0].isalnum():
            negating = False
        elif negating:
            marked.append(f"n:{word}")
        if word in _NEGATORS or word.endswith("n't"):
            negating = True
    return marked


def _english_terms(text: str) -> list[str]:
    words = _WORD.findall(text)
    terms = [f"w:{w}" for w in words]
    terms += [f"b:{a} {b}" for a, b in zip(words, words[1:])]
    terms += _negated(words)
    for word in words:
        if len(word) < 3 or not word[0].isalnum():
            continue
        padded = f"<{word}>"
        for size in (2, 3, 4):
            terms += [f"c:{padded[i:i + size]}" for i in range(len(padded) - size + 1)]
    return terms


def _chinese_terms(text: str) -> list[str]:
    terms = [f"m:{m}" for m in _ZH_MARKS.findall(text)]
    for run in _HAN_RUN.findall(text):
        for size in (1, 2, 3):
            terms += [f"z:{run[i:i + size]}" for i in range(len(run) - size + 1)]
    return terms


def terms(text: str, lang: str) -> list[str]:
    """The n-gram terms of a text in the given language ("zh", or anything else for English)."""
    text = normalise(text)
    return _chinese_terms(text) if lang == "zh" else _english_terms(text)


def vector(text: str, lang: str) -> dict[int, float]:
    """Sparse unit-length vector {bucket: weight} of the text's terms."""
    counts = Counter(zlib.crc32(t.encode("utf-8")) % BUCKETS for t in terms(text, lang))
    weights = {bucket: 1.0 + math.log(n) for bucket, n in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {bucket: w / norm for bucket, w in weights.items()}
