"""Where the data shipped with the project is read from (every app asks here)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

__all__ = ["reference_data_dir", "shipped_data_dir"]


def shipped_data_dir() -> Path:
    """The data directory shipped in the repository (``data/demo``), or the ``DEMO_DATA_DIR``
    setting when a test or deployment moved it."""
    default = Path(settings.BASE_DIR).parent.parent / "data" / "demo"
    return Path(getattr(settings, "DEMO_DATA_DIR", default))


def reference_data_dir() -> Path:
    """Where the reference data is read from: the ``REFERENCE_DATA_DIR`` setting, else the
    shipped data."""
    configured = getattr(settings, "REFERENCE_DATA_DIR", None)
    return Path(configured) if configured else shipped_data_dir()
