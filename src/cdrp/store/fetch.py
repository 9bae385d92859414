"""Downloading police.uk files politely (retries, resumable, rate limited), then importing them.

police.uk publishes a monthly archive (``https://data.police.uk/data/archive/YYYY-MM.zip``)
holding every force's files for the three years up to that month. `fetch_police_uk` downloads
either that one archive (a URL template with ``{end}``) or one file per month (a template with
``{month}``, e.g. an internal mirror laid out like ``data/demo``), then imports the street
files of the chosen force and months only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import httpx

from cdrp.analysis.months import Month, MonthError, month_range
from cdrp.store.files import Store
from cdrp.store.ingest import ImportResult, expand_paths, import_inputs
from cdrp.store.inputs import Report
from cdrp.store.reader import BadInput

__all__ = ["ARCHIVE_URL", "Fetcher", "fetch_police_uk", "months_between"]

ARCHIVE_URL = "https://data.police.uk/data/archive/{end}.zip"
_RETRY_STATUS = {408, 425, 429, 500, 502, 503, 504}


def months_between(start: str, end: str) -> list[str]:
    """Every month from `start` to `end` inclusive, as YYYY-MM."""
    try:
        first, last = Month.parse(start), Month.parse(end)
    except MonthError as exc:
        raise BadInput(f"months must be YYYY-MM, got {start!r} and {end!r}") from exc
    if first > last:
        raise BadInput(f"--from {start} is after --to {end}")
    return month_range(first, last)


class Fetcher:
    """An HTTP downloader that retries, resumes partial files and spaces out its requests.

    Parameters
    ----------
    client : httpx.Client, optional
    retries : int
        Attempts after the first for a connection error or a 408/429/5xx answer.
    min_interval : float
        Seconds between the starts of two requests (police.uk asks for restraint).
    backoff : float
        First wait before a retry, doubled each time (a Retry-After header wins).
    """

    def __init__(
        self,
        client: httpx.Client | None = None,
        retries: int = 4,
        min_interval: float = 1.0,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.client = client or httpx.Client(
            timeout=httpx.Timeout(60.0, connect=15.0),
            follow_redirects=True,
            headers={"User-Agent": "cdrp (community safety partnership platform)"},
        )
        self.retries, self.min_interval = retries, min_interval
        self.backoff, self.sleep = backoff, sleep
        self._last = 0.0
        self.requests = 0

    def _pace(self) -> None:
        wait = self._last + self.min_interval - time.monotonic()
        if wait > 0:
            self.sleep(wait)
        self._last = time.monotonic()

    def download(self, url: str, target: Path) -> Path | None:
        """Download `url` to `target` (None if the server has no such file: 404).

        A partial ``target.part`` left by an interrupted run is continued with a Range request.
        """
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            return target
        part = target.with_name(target.name + ".part")
        delay = self.backoff
        for attempt in range(self.retries + 1):
            have = part.stat().st_size if part.exists() else 0
            headers = {"Range": f"bytes={have}-"} if have else {}
            self._pace()
            self.requests += 1
            try:
                with self.client.stream("GET", url, headers=headers) as response:
                    if response.status_code == 404:
                        return None
                    if response.status_code == 416 and have:  # we already hold every byte
                        part.rename(target)
                        return target
                    if response.status_code in _RETRY_STATUS:
                        retry_after = response.headers.get("Retry-After", "")
                        raise _Retry(float(retry_after) if retry_after.isdigit() else None)
                    response.raise_for_status()
                    mode = "ab" if have and response.status_code == 206 else "wb"
                    with open(part, mode) as out:
                        for chunk in response.iter_bytes(1 << 20):
                            out.write(chunk)
                    expected = response.headers.get("Content-Length")
                    complete = expected is None or part.stat().st_size == int(expected)
                    if mode == "wb" and not complete:
                        raise _Retry(None)
                part.rename(target)
                return target
            except (_Retry, httpx.TransportError) as exc:
                if attempt == self.retries:
                    raise BadInput(
                        f"{url}: download failed after {attempt + 1} attempts ({exc!r})"
                    ) from exc
                wait = exc.after if isinstance(exc, _Retry) and exc.after is not None else delay
                self.sleep(wait)
                delay *= 2
            except httpx.HTTPStatusError as exc:
                raise BadInput(f"{url}: the server answered {exc.response.status_code}") from exc
        return None  # pragma: no cover


class _Retry(Exception):
    def __init__(self, after: float | None):
        super().__init__("retry")
        self.after = after


def fetch_police_uk(
    store: Store | str,
    force: str,
    start: str,
    end: str,
    download_dir: str | Path,
    url_template: str = ARCHIVE_URL,
    fetcher: Fetcher | None = None,
    report: Report | None = None,
) -> tuple[list[ImportResult], list[str]]:
    """Download police.uk street files for one force and period, then import them.

    Parameters
    ----------
    store : Store or str
    force : str
        The force slug as police.uk names files (``lancashire``, ``metropolitan``).
    start, end : str
        First and last month, YYYY-MM.
    download_dir : path
        Where downloads are kept (an interrupted download resumes from here).
    url_template : str
        ``{end}``: one archive holding every month (police.uk's own); ``{month}`` and
        ``{force}``: one file per month.

    Returns
    -------
    (results, notes)
        Import results, and notes such as months the server did not have.
    """
    fetcher = fetcher or Fetcher()
    months = months_between(start, end)
    download_dir = Path(download_dir)
    notes: list[str] = []
    files: list[Path] = []
    if "{month}" in url_template:
        for month in months:
            url = url_template.format(month=month, force=force, end=end, start=start)
            name = url.rsplit("/", 1)[-1] or f"{month}-{force}-street.csv"
            got = fetcher.download(url, download_dir / month / name)
            if got is None:
                notes.append(f"{month}: not on the server ({url}): missing, not zero")
            else:
                files.append(got)
    else:
        url = url_template.format(end=end, start=start, force=force)
        got = fetcher.download(url, download_dir / url.rsplit("/", 1)[-1])
        if got is None:
            raise BadInput(f"{url}: not on the server")
        files.append(got)
    inputs = [
        i
        for i in expand_paths(files, notes)
        if i.kind == "street" and i.force == force and (i.month is None or i.month in months)
    ]
    found = {i.month for i in inputs}
    for month in months:
        if "{month}" not in url_template and month not in found:
            notes.append(f"{month}: no {force} street file in the archive: missing, not zero")
    return import_inputs(store, inputs, report), notes
