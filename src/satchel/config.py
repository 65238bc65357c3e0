"""Configuration from environment variables: every setting Satchel reads is named here."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from satchel.contexts import add_context_folder

ENV_VARS = (
    "SATCHEL_HOST",
    "SATCHEL_PORT",
    "SATCHEL_DATA_DIR",
    "SATCHEL_CONTEXTS_DIR",
    "SATCHEL_FETCH_ALLOW_HOSTS",
    "SATCHEL_FETCH_RESOLVE",
    "SATCHEL_LOG_LEVEL",
)


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    data_dir: Path = Path("var")
    contexts_dir: Path | None = None
    log_level: str = "INFO"

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        contexts = env.get("SATCHEL_CONTEXTS_DIR")
        return cls(
            host=env.get("SATCHEL_HOST", cls.host),
            port=int(env.get("SATCHEL_PORT", cls.port)),
            data_dir=Path(env.get("SATCHEL_DATA_DIR", str(cls.data_dir))),
            contexts_dir=Path(contexts) if contexts else None,
            log_level=env.get("SATCHEL_LOG_LEVEL", cls.log_level).upper(),
        )


def apply_operator_contexts(settings: Settings) -> list[str]:
    """Register the operator's extra JSON-LD contexts (``SATCHEL_CONTEXTS_DIR``), if any."""
    return add_context_folder(settings.contexts_dir) if settings.contexts_dir else []
