"""Where the store keeps its files: a pyarrow filesystem, the committed state, and the import lock.

The store root is a local path or a URI (``s3://bucket/prefix``); every file operation goes through
a pyarrow filesystem, so moving the store to object storage is a configuration change.

The *state* is a small JSON document listing every live Parquet file and every import. Each commit
writes a new numbered state file (``_state/00000012.json``) and readers take the highest, so a
change of many partitions becomes visible at once or not at all: never a mixed partition.

On an object store (``s3://``) the same order holds: an import uploads its Parquet files first
(each object appears whole when its upload completes, or not at all), then PUTs the next state
file, which is the commit; readers list ``_state/`` and follow the highest. Two committers must
not pick the same next number, so every commit is made holding the store's lock. The lock is the
caller's to give (`configure(locker=...)` or ``Store(root, locker=...)``): the Django layer passes
a PostgreSQL advisory lock when the database is PostgreSQL, so importers on several machines
exclude each other; without one, a file lock (``_import.lock`` beside a local store, or in the
temporary directory for a remote one: one machine only).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.fs as pafs

__all__ = ["Locker", "Store", "StoreLocked", "configure", "s3_filesystem"]

#: A lock for imports into a store: called with the store's root and the seconds to wait, it
#: returns a context manager held for the import (raising StoreLocked when the wait runs out).
Locker = Callable[[str, float], AbstractContextManager[None]]

# Set once at start-up by the application (cdrp.core.objectstore): the options of the
# S3 filesystem for s3:// roots, and the lock imports take.
_DEFAULTS: dict[str, Any] = {"s3": None, "locker": None}


def configure(s3: dict[str, Any] | None = None, locker: Locker | None = None) -> None:
    """Set how stores made from here on reach an ``s3://`` root (`s3_filesystem` options:
    endpoint, key, secret, region) and the lock their imports take (None: the file lock)."""
    _DEFAULTS["s3"] = dict(s3) if s3 else None
    _DEFAULTS["locker"] = locker


def s3_filesystem(options: dict[str, Any] | None) -> pafs.FileSystem:
    """pyarrow's S3 filesystem from {'endpoint_url', 'access_key', 'secret_key', 'region'}
    (each optional: without them the AWS SDK's own chain of environment and profile)."""
    options = options or {}
    kwargs: dict[str, Any] = {}
    endpoint = options.get("endpoint_url") or ""
    if endpoint:
        scheme, _, host = endpoint.partition("://")
        if not host:
            scheme, host = "https", endpoint
        kwargs["endpoint_override"] = host.rstrip("/")
        kwargs["scheme"] = scheme
    for key in ("access_key", "secret_key", "region"):
        if options.get(key):
            kwargs[key] = options[key]
    kwargs["connect_timeout"] = float(options.get("connect_timeout") or 5)
    kwargs["request_timeout"] = float(options.get("request_timeout") or 60)
    return pafs.S3FileSystem(**kwargs)


_STATE_DIR = "_state"
_KEEP_STATES = 20


class StoreLocked(RuntimeError):
    """Another import holds the store's lock for longer than we were willing to wait."""


@dataclass
class Store:
    """A handle on one incident store root.

    Examples
    --------
    A new store is at version 0; each commit publishes the next version of its state.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as root:
    ...     store = Store(root)
    ...     before = store.state()["version"]
    ...     after = store.commit({"files": [], "imports": [], "geography": None})
    ...     store.write_bytes("notes/a.txt", b"hello")
    ...     print(before, after, store.state()["version"], store.read_bytes("notes/a.txt"))
    0 1 1 b'hello'
    """

    root: str
    filesystem: pafs.FileSystem | None = field(default=None, repr=False, compare=False)
    locker: Locker | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        root = str(self.root)
        if self.locker is None:
            self.locker = _DEFAULTS["locker"]
        if self.filesystem is not None:
            self.fs = self.filesystem
            self.base = root.split("://", 1)[-1]
            self.local = isinstance(self.fs, pafs.LocalFileSystem)
        elif root.startswith("s3://") and _DEFAULTS["s3"] is not None:
            self.fs, self.base = s3_filesystem(_DEFAULTS["s3"]), root[len("s3://") :]
            self.local = False
        elif "://" in root:
            self.fs, self.base = pafs.FileSystem.from_uri(root)
            self.local = isinstance(self.fs, pafs.LocalFileSystem)
        else:
            self.fs, self.base = pafs.LocalFileSystem(), str(Path(root).resolve())
            self.local = True
        self.base = self.base.rstrip("/")

    # -- paths -----------------------------------------------------------------------------
    def path(self, *parts: str) -> str:
        return "/".join([self.base, *parts])

    def uri(self, relative: str) -> str:
        """A location DuckDB can read: a plain path locally, the URI scheme otherwise."""
        if self.local:
            return self.path(relative)
        scheme = str(self.root).split("://", 1)[0]
        return f"{scheme}://{self.path(relative)}"

    def exists(self, relative: str) -> bool:
        found: bool = self.fs.get_file_info(self.path(relative)).type != pafs.FileType.NotFound
        return found

    def makedirs(self, relative: str) -> None:
        # S3 has no folders (a key's prefix is enough, and create_dir would leave empty marker
        # objects); local disks and other filesystems (pyarrow's mock one among them) need them.
        if not isinstance(self.fs, pafs.S3FileSystem):
            self.fs.create_dir(self.path(relative), recursive=True)

    def delete(self, relative: str) -> None:
        with contextlib.suppress(FileNotFoundError, OSError):
            self.fs.delete_file(self.path(relative))

    def write_bytes(self, relative: str, data: bytes) -> None:
        """Write a whole file: to a temporary name first, then move it into place (on an
        object store one PUT, which is atomic: the object appears whole or not at all)."""
        parent = relative.rsplit("/", 1)[0] if "/" in relative else ""
        if parent:
            self.makedirs(parent)
        if not self.local:
            with self.fs.open_output_stream(self.path(relative)) as out:
                out.write(data)
            return
        tmp = f"{relative}.tmp-{os.getpid()}-{time.monotonic_ns()}"
        with self.fs.open_output_stream(self.path(tmp)) as out:
            out.write(data)
        self.fs.move(self.path(tmp), self.path(relative))

    def read_bytes(self, relative: str) -> bytes:
        with self.fs.open_input_stream(self.path(relative)) as stream:
            data: bytes = stream.read()
            return data

    # -- committed state ---------------------------------------------------------------------
    def _state_numbers(self) -> list[int]:
        selector = pafs.FileSelector(self.path(_STATE_DIR), allow_not_found=True)
        numbers = []
        for info in self.fs.get_file_info(selector):
            name = info.base_name
            if name.endswith(".json") and name[:-5].isdigit():
                numbers.append(int(name[:-5]))
        return sorted(numbers)

    def version(self) -> int:
        """The last committed version (one listing, without reading the state)."""
        return (self._state_numbers() or [0])[-1]

    def state(self) -> dict[str, Any]:
        """The last committed state: {'version', 'files': [...], 'imports': [...], ...}."""
        numbers = self._state_numbers()
        if not numbers:
            return {"version": 0, "files": [], "imports": [], "geography": None}
        state: dict[str, Any] = json.loads(self.read_bytes(f"{_STATE_DIR}/{numbers[-1]:08d}.json"))
        state["version"] = numbers[-1]
        return state

    def commit(self, state: dict[str, Any]) -> int:
        """Publish `state` as the next version (hold the lock). Returns the version number."""
        version = (self._state_numbers() or [0])[-1] + 1
        body = dict(state, version=version)
        self.write_bytes(f"{_STATE_DIR}/{version:08d}.json", json.dumps(body, indent=1).encode())
        for old in self._state_numbers()[:-_KEEP_STATES]:
            self.delete(f"{_STATE_DIR}/{old:08d}.json")
        return version

    # -- lock ----------------------------------------------------------------------------------
    def _lock_path(self) -> Path:
        if self.local:
            Path(self.base).mkdir(parents=True, exist_ok=True)
            return Path(self.base) / "_import.lock"
        # Object stores have no locks; imports into one remote store are serialised per machine.
        digest = hashlib.sha256(str(self.root).encode()).hexdigest()[:16]
        return Path(tempfile.gettempdir()) / f"cdrp-store-{digest}.lock"

    def lock(self, timeout: float = 600.0) -> AbstractContextManager[None]:
        """Hold the store's import lock: a second import waits for the first to finish (or,
        after `timeout` seconds, gives up with StoreLocked). The locker given, else a file lock."""
        if self.locker is not None:
            return self.locker(str(self.root), timeout)
        return self.file_lock(timeout)

    @contextlib.contextmanager
    def file_lock(self, timeout: float = 600.0) -> Iterator[None]:
        """The lock on this machine: a file locked with flock."""
        path = self._lock_path()
        with open(path, "a+") as handle:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError as exc:
                    if time.monotonic() > deadline:
                        raise StoreLocked(
                            f"{self.root}: another import has held the store lock for over "
                            f"{timeout:.0f} s"
                        ) from exc
                    time.sleep(0.05)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
