"""Fixtures for the Data Integrity tests: the published vectors and a did:key resolver."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from satchel.did.resolver import DidResolver

# tests/validator/proofs/ -> the repository -> ../shared
SHARED = Path(__file__).resolve().parents[3].parent / "shared"


class Vectors:
    """Reads ../shared/vectors; a missing file fails the test loudly (never a skip)."""

    root = SHARED / "vectors"

    def path(self, relative: str) -> Path:
        path = self.root / relative
        if not path.is_file():
            pytest.fail(f"test vector {path} is missing: ../shared must sit beside the repo")
        return path

    def json(self, relative: str) -> Any:
        return json.loads(self.path(relative).read_text("utf-8"))

    def text(self, relative: str) -> str:
        return self.path(relative).read_text("utf-8").strip()


@pytest.fixture(scope="session")
def vectors() -> Vectors:
    return Vectors()


@pytest.fixture
def resolver() -> DidResolver:
    return DidResolver()
