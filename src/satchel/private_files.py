"""Secret files (key-encryption key, instance issuer key): created once, owner-only, atomically.

The content goes to a private temporary file (mode 0600) that is hard-linked into place, so
processes starting together never read a half-written file and never both create one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def create_private_file(path: Path, content: str) -> bool:
    """Write ``content`` to ``path`` unless it exists; True when this call created it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".private-")  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.link(temporary, path)
    except FileExistsError:  # another process made it first
        return False
    finally:
        os.unlink(temporary)
    return True
