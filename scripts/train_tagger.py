"""Train the tagging classifier on the editor-tagged starter content; write the artefact.

Usage: ``python scripts/train_tagger.py [--check]``. Deterministic: running it
again on the same samples reproduces ``indexer/tagging/model.json`` byte for
byte (``--check`` fails if the committed file differs). Also prints a 5-fold
cross-validated precision/recall at the counting threshold, so a retrain
shows whether the model got better or worse.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from indexer.importers import samples  # noqa: E402
from indexer.ranking import SUGGESTION_MIN_CONFIDENCE  # noqa: E402
from indexer.tagging.classifier import MODEL_FILE, document_tokens, train  # noqa: E402

#: The editor-tagged files the shipped model was trained on. Cases (samples/cases.yaml,
#: added for the resident app) are left out so that model.json stays reproducible;
#: add them here only together with a deliberate retrain and a new model version.
TRAINING_FILES = ("videos.yaml", "services.yaml", "articles.yaml")


def training_examples(directory: Path = samples.DEFAULT_DIR) -> list:
    examples = []
    for doc in samples.iter_samples(directory, TRAINING_FILES):
        record = doc.to_record()
        examples.append(
            (document_tokens(record), {"audience": record["audiences"], "topic": record["topics"]})
        )
    return examples


def cross_validate(examples: list, folds: int = 5) -> dict[str, float]:
    tp = fp = fn = 0
    for fold in range(folds):
        train_set = [e for i, e in enumerate(examples) if i % folds != fold]
        test_set = [e for i, e in enumerate(examples) if i % folds == fold]
        model = train(train_set)
        for tokens, tags in test_set:
            truth = {f"{f}:{v}" for f, values in tags.items() for v in values}
            predicted = {
                label
                for label, p in model.probabilities(tokens).items()
                if p >= SUGGESTION_MIN_CONFIDENCE
            }
            tp += len(truth & predicted)
            fp += len(predicted - truth)
            fn += len(truth - predicted)
    return {
        "precision": tp / (tp + fp) if tp + fp else 0.0,
        "recall": tp / (tp + fn) if tp + fn else 0.0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if model.json is stale")
    parser.add_argument("--no-cv", action="store_true", help="skip cross-validation")
    args = parser.parse_args()
    examples = training_examples()
    model = train(examples)
    text = model.dumps()
    if args.check:
        same = MODEL_FILE.exists() and MODEL_FILE.read_text(encoding="utf-8") == text
        print("model.json is up to date" if same else "model.json differs from a retrain")
        return 0 if same else 1
    MODEL_FILE.write_text(text, encoding="utf-8")
    print(f"{len(examples)} examples, {len(model.labels)} labels, version {model.version}")
    if not args.no_cv:
        scores = cross_validate(examples)
        print(
            f"5-fold CV at p >= {SUGGESTION_MIN_CONFIDENCE}: precision "
            f"{scores['precision']:.3f}, recall {scores['recall']:.3f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
