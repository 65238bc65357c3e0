"""RDFC-1.0 canonicalization throughput of an Open Badges 3.0 credential, in one run.

Prints canonicalizations per second of the OB 3.0 Implementation Guide credential with pyld's
processed-context cache warm versus cleared before every call (the ratio is the point:
absolute numbers move with the machine's load), then what each of our choices costs or saves:
safe mode, and our RDFC-1.0 implementation against pyld's URDNA2015 on the same dataset.

    .venv/bin/python bench/canonicalize.py [--seconds 2]
"""

from __future__ import annotations

import argparse
import copy
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pyld import jsonld
from pyld.canon import URDNA2015

from satchel.contexts import load_document
from satchel.validator.rdfc import canonicalize, canonicalize_dataset, to_dataset

CREDENTIAL = (
    Path(__file__).resolve().parents[1].parent
    / "shared/vectors/1EdTech-openbadges-specification/ob_v3p0/impl/linked-data-proof-ob"
    / "credential.json"
)


def rate(work: Callable[[], object], seconds: float) -> float:
    """Calls per second of ``work`` over about ``seconds``."""
    work()  # warm-up (imports, first context load)
    calls, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        work()
        calls += 1
    return calls / elapsed


def row(label: str, per_second: float, baseline: float | None = None) -> None:
    ratio = f"  x{per_second / baseline:5.2f}" if baseline else ""
    print(f"  {label:<52} {per_second:9.1f}/s{ratio}")


def pyld_dataset(document: Any) -> dict[str, Any]:
    options = {"documentLoader": load_document, "base": None}
    dataset: dict[str, Any] = jsonld.to_rdf(copy.deepcopy(document), options)
    return dataset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=2.0)
    seconds = parser.parse_args().seconds
    credential = json.loads(CREDENTIAL.read_text("utf-8"))

    def cold() -> object:
        jsonld._resolved_context_cache.clear()
        return canonicalize(credential)

    print(f"OB 3.0 guide credential ({CREDENTIAL.name}), {seconds:g} s per figure")
    warm = rate(lambda: canonicalize(credential), seconds)
    row("canonicalize, processed-context cache warm", warm)
    row("canonicalize, cache cleared before every call", rate(cold, seconds), warm)

    print("our choices (cache warm):")
    row(
        "safe mode off (safe=False)",
        rate(lambda: canonicalize(credential, safe=False), seconds),
        warm,
    )
    quads = to_dataset(credential)
    row("JSON-LD -> RDF only (to_dataset, safe)", rate(lambda: to_dataset(credential), seconds))
    ours = rate(lambda: canonicalize_dataset(quads), seconds)
    row("RDFC-1.0 step only, ours (canonicalize_dataset)", ours)
    dataset = pyld_dataset(credential)
    theirs = rate(lambda: URDNA2015().main(copy.deepcopy(dataset), {}), seconds)
    row("RDFC step only, pyld URDNA2015 (incl. its input copy)", theirs, ours)


if __name__ == "__main__":
    main()
