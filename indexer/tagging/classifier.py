"""A small linear classifier trained on the editor-tagged starter content.

One-vs-rest logistic regression over TF-IDF weights of the project's own
analysed tokens (``analyzers.analyze``). Pure Python and deterministic: full
batch gradient descent from zero weights, fixed iterations, sorted vocabulary,
rounded weights, so ``scripts/train_tagger.py`` reproduces the committed
artefact byte for byte. It is applied to plain-language content (cases,
videos, articles, services); statute text is another register, tagged by the
statute-structure rules instead.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from analyzers import analyze
from indexer.backends.fields import text_fields
from indexer.tagging.rules import Suggestion

MODEL_FILE = Path(__file__).resolve().parent / "model.json"
#: Types the classifier is trained on and applied to.
CLASSIFIED_TYPES = frozenset({"case", "video", "article", "service"})
#: Labels need this many positive examples to get a model at all.
MIN_POSITIVES = 3
MIN_DF = 2
ITERATIONS = 400
LEARNING_RATE = 4.0
L2 = 0.001
#: Weights smaller than this are dropped from the artefact.
MIN_WEIGHT = 0.25
#: Below this a prediction is not stored (noise an editor should not have to review).
MIN_STORED = 0.2


def document_tokens(record: dict[str, Any]) -> list[str]:
    """Title tokens (marked, they weigh differently) plus the tokens of every other part."""
    parts = text_fields(record)
    tokens = [f"T:{t}" for part in parts["title"] for t in analyze(part)]
    tokens += [t for part in parts["context"] + parts["body"] for t in analyze(part)]
    return tokens


def _vector(tokens: Iterable[str], idf: dict[str, float]) -> dict[str, float]:
    counts = Counter(t for t in tokens if t in idf)
    weights = {t: (1 + math.log(n)) * idf[t] for t, n in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {t: w / norm for t, w in weights.items()}


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1 / (1 + math.exp(-z))
    e = math.exp(z)
    return e / (1 + e)


@dataclass
class LinearModel:
    idf: dict[str, float]
    labels: dict[str, dict[str, Any]]  # "audience:elderly" → {"bias": b, "weights": {...}}

    @cached_property
    def version(self) -> str:
        return hashlib.sha1(self.dumps().encode("utf-8")).hexdigest()[:12]

    def dumps(self) -> str:
        payload = {"format": 1, "idf": self.idf, "labels": self.labels}
        return (
            json.dumps(
                payload, ensure_ascii=False, sort_keys=True, indent=None, separators=(",", ":")
            )
            + "\n"
        )

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> LinearModel:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(idf=data["idf"], labels=data["labels"])

    def probabilities(self, tokens: list[str]) -> dict[str, float]:
        x = _vector(tokens, self.idf)
        out = {}
        for label, params in self.labels.items():
            weights = params["weights"]
            z = params["bias"] + sum(v * weights.get(t, 0.0) for t, v in x.items())
            out[label] = _sigmoid(z)
        return out

    def suggest(self, record: dict[str, Any]) -> list[Suggestion]:
        if record.get("type") not in CLASSIFIED_TYPES:
            return []
        provenance = f"model:linear@{self.version}"
        out = []
        for label, p in sorted(self.probabilities(document_tokens(record)).items()):
            if p >= MIN_STORED:
                facet, value = label.split(":", 1)
                out.append(Suggestion(facet, value, round(p, 4), provenance))
        return out


def train(examples: list[tuple[list[str], dict[str, list[str]]]]) -> LinearModel:
    """Fit one logistic regression per label from (tokens, {"audience": [...], "topic": [...]}).

    Positives are weighted by the class balance (few documents carry a rare
    audience), and only features with non-negligible weight are kept, which
    keeps the artefact small enough to review in a diff.
    """
    import numpy as np

    df = Counter(t for tokens, _ in examples for t in set(tokens))
    n = len(examples)
    idf = {
        t: round(math.log((1 + n) / (1 + c)) + 1, 6) for t, c in sorted(df.items()) if c >= MIN_DF
    }
    vocab = list(idf)
    column = {t: i for i, t in enumerate(vocab)}
    x = np.zeros((n, len(vocab)))
    for row, (tokens, _) in enumerate(examples):
        for t, v in _vector(tokens, idf).items():
            x[row, column[t]] = v
    label_sets = [
        {f"{facet}:{v}" for facet, values in tags.items() for v in values} for _, tags in examples
    ]
    positives = Counter(label for labels in label_sets for label in labels)
    labels = {}
    for label in sorted(positives):
        if positives[label] < MIN_POSITIVES:
            continue
        y = np.array([1.0 if label in labels_ else 0.0 for labels_ in label_sets])
        weights, bias = _fit(x, y)
        kept = {vocab[i]: round(float(w), 4) for i, w in enumerate(weights) if abs(w) >= MIN_WEIGHT}
        labels[label] = {"bias": round(float(bias), 4), "weights": kept}
    used = {t for params in labels.values() for t in params["weights"]}
    return LinearModel(idf={t: v for t, v in idf.items() if t in used}, labels=labels)


def _fit(x, y):  # type: ignore[no-untyped-def]
    """Full-batch gradient descent on class-balanced, L2-regularised log loss."""
    import numpy as np

    n_pos = float(y.sum())
    sample_weight = np.where(y > 0, (len(y) - n_pos) / n_pos, 1.0)
    sample_weight = sample_weight / sample_weight.mean()
    weights = np.zeros(x.shape[1])
    bias = 0.0
    for _ in range(ITERATIONS):
        p = 1 / (1 + np.exp(-(x @ weights + bias)))
        error = (p - y) * sample_weight
        weights -= LEARNING_RATE * (x.T @ error / len(y) + L2 * weights)
        bias -= LEARNING_RATE * float(error.mean())
    return weights, bias


@cache
def default_model() -> LinearModel | None:
    """The committed model, or None before it has been trained."""
    return LinearModel.load() if MODEL_FILE.exists() else None
