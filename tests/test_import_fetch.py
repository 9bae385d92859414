"""cdrp fetch police-uk against a local fake server (pytest-httpserver): never the internet."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from werkzeug import Request, Response

from cdrp.store import counts
from cdrp.store.fetch import Fetcher, fetch_police_uk, months_between
from cdrp.store.reader import BadInput

STREET = Path(__file__).resolve().parent.parent / "data" / "demo" / "police-uk-street-lancashire"


def bundled(month: str) -> bytes:
    return (STREET / month / f"{month}-lancashire-street.csv.gz").read_bytes()


def ranged(data: bytes, log: list):
    """A handler that honours Range requests, as police.uk's servers do."""

    def handle(request: Request) -> Response:
        log.append(request.headers.get("Range"))
        header = request.headers.get("Range")
        if header:
            start = int(header.removeprefix("bytes=").split("-")[0])
            if start >= len(data):
                return Response(status=416)
            body = data[start:]
            return Response(
                body,
                status=206,
                headers={"Content-Range": f"bytes {start}-{len(data) - 1}/{len(data)}"},
            )
        return Response(data, status=200)

    return handle


def quick() -> Fetcher:
    return Fetcher(min_interval=0, backoff=0, retries=3)


def test_months_between_counts_across_a_year_end():
    assert months_between("2021-11", "2022-02") == ["2021-11", "2021-12", "2022-01", "2022-02"]
    with pytest.raises(BadInput, match="is after"):
        months_between("2022-03", "2022-01")


def test_monthly_files_are_downloaded_and_imported_with_missing_months_noted(
    httpserver, fresh_store, tmp_path
):
    for month in ("2022-01", "2022-02"):
        path = f"/{month}/{month}-lancashire-street.csv.gz"
        httpserver.expect_request(path).respond_with_data(bundled(month))
    httpserver.no_handler_status_code = 404  # as police.uk answers for a month it lacks
    template = httpserver.url_for("/{month}/{month}-{force}-street.csv.gz")
    results, notes = fetch_police_uk(
        fresh_store, "lancashire", "2022-01", "2022-03", tmp_path / "dl", template, quick()
    )
    assert [r.read for r in results] == [16_268, 14_971]
    assert any(n.startswith("2022-03: not on the server") for n in notes)
    assert counts(fresh_store, []).column("count").to_pylist() == [16_268 + 14_971]


def test_a_server_error_is_retried_and_then_succeeds(httpserver, fresh_store, tmp_path):
    path = "/2022-01/2022-01-lancashire-street.csv.gz"
    httpserver.expect_ordered_request(path).respond_with_data("busy", status=503)
    httpserver.expect_ordered_request(path).respond_with_data(bundled("2022-01"))
    fetcher = quick()
    template = httpserver.url_for("/{month}/{month}-{force}-street.csv.gz")
    results, _ = fetch_police_uk(
        fresh_store, "lancashire", "2022-01", "2022-01", tmp_path / "dl", template, fetcher
    )
    assert fetcher.requests == 2
    assert results[0].imported == 16_268


def test_a_server_that_keeps_failing_ends_in_a_clear_error(httpserver, fresh_store, tmp_path):
    httpserver.expect_request("/2022-01/2022-01-lancashire-street.csv.gz").respond_with_data(
        "down", status=502
    )
    template = httpserver.url_for("/{month}/{month}-{force}-street.csv.gz")
    with pytest.raises(BadInput, match="download failed after 4 attempts"):
        fetch_police_uk(
            fresh_store, "lancashire", "2022-01", "2022-01", tmp_path / "dl", template, quick()
        )


def test_an_interrupted_download_resumes_with_a_range_request(httpserver, fresh_store, tmp_path):
    data = bundled("2022-02")
    log: list = []
    path = "/2022-02/2022-02-lancashire-street.csv.gz"
    httpserver.expect_request(path).respond_with_handler(ranged(data, log))
    part = tmp_path / "dl" / "2022-02" / "2022-02-lancashire-street.csv.gz.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(data[:100_000])  # what an earlier, interrupted run left behind
    template = httpserver.url_for("/{month}/{month}-{force}-street.csv.gz")
    results, _ = fetch_police_uk(
        fresh_store, "lancashire", "2022-02", "2022-02", tmp_path / "dl", template, quick()
    )
    assert log == ["bytes=100000-"]
    assert (part.parent / "2022-02-lancashire-street.csv.gz").read_bytes() == data
    assert results[0].imported == 14_971


def test_the_police_uk_archive_imports_only_the_chosen_force_and_months(
    httpserver, fresh_store, tmp_path
):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        import gzip

        for month in ("2022-01", "2022-02", "2022-03"):
            text = gzip.decompress(bundled(month))
            z.writestr(f"{month}/{month}-lancashire-street.csv", text)
            z.writestr(f"{month}/{month}-cumbria-street.csv", text)
    httpserver.expect_request("/archive/2022-03.zip").respond_with_data(archive.getvalue())
    template = httpserver.url_for("/archive/{end}.zip")
    results, notes = fetch_police_uk(
        fresh_store, "lancashire", "2022-02", "2022-03", tmp_path / "dl", template, quick()
    )
    assert [r.months for r in results] == [["2022-02"], ["2022-03"]]
    assert not notes


def test_the_fetch_command_downloads_imports_and_summarises(
    httpserver, fresh_store, settings, tmp_path
):
    settings.INCIDENT_STORE = fresh_store
    httpserver.expect_request("/2022-01/2022-01-lancashire-street.csv.gz").respond_with_data(
        bundled("2022-01")
    )
    out = io.StringIO()
    call_command(
        "fetch",
        "police-uk",
        "--force",
        "lancashire",
        "--from",
        "2022-01",
        "--to",
        "2022-01",
        "--url-template",
        httpserver.url_for("/{month}/{month}-{force}-street.csv.gz"),
        "--download-dir",
        str(tmp_path / "dl"),
        "--min-interval",
        "0",
        stdout=out,
    )
    assert "Import summary" in out.getvalue() and "16,268" in out.getvalue()
