"""Builds the spaCy pipeline that the NLU config loads (`SpacyNLP` model path).

No pretrained model can be downloaded on these machines, so the pipeline is a blank
English tokenizer plus the lookup lemmatizer whose tables ship in the
`spacy-lookups-data` package. Rule components match over lemmas, so "overwhelmed",
"overwhelming" and "overwhelm" are one pattern.

Usage: python -m intake_nlu.spacy_pipeline OUTPUT_DIR
"""

import sys
from pathlib import Path

import spacy

PIPELINE_NAME = "en_intake_rules"


def build() -> "spacy.language.Language":
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.meta["name"] = PIPELINE_NAME
    nlp.meta["description"] = "Blank English tokenizer with lookup lemmas (built locally)."
    nlp.initialize()
    return nlp


def main(argv: list) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    out = Path(argv[1])
    out.parent.mkdir(parents=True, exist_ok=True)
    build().to_disk(out)
    print(f"spaCy pipeline written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
