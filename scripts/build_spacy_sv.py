"""Build the project's Swedish spaCy pipeline: blank "sv" plus the lookup lemmatizer.

No Swedish trained pipeline can be installed offline, and nothing may be fetched from
a model hub at run time, so we build one from spaCy's Swedish language data and the
``sv_lemma_lookup`` table of spacy-lookups-data. The saved pipeline no longer needs the
lookups package. Usage: ``python scripts/build_spacy_sv.py models/spacy/sv_kontaktcenter``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import spacy


def build(target: Path) -> None:
    nlp = spacy.blank("sv")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    nlp.meta["name"] = "kontaktcenter"
    nlp.meta["description"] = "Blank Swedish pipeline with lookup lemmatizer (built offline)."
    target.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(target)
    probe = [t.lemma_ for t in spacy.load(target)("öppettider telefonnumret torsdagar")]
    print(f"Byggde {target}: {probe}")


if __name__ == "__main__":
    build(Path(sys.argv[1] if len(sys.argv) > 1 else "models/spacy/sv_kontaktcenter"))
