"""Several servers on shared storage (issue 21): the incident store and the documents on a real S3
HTTP endpoint (moto's standalone server, started on loopback by this test run and stopped at its
end), the import lock that keeps two importers of one store apart (PostgreSQL's advisory lock on
PostgreSQL, the file lock on SQLite), and /healthz naming the object store."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STREET = ROOT / "data" / "demo" / "police-uk-street-lancashire"
MONTHS = ["2022-09", "2022-10", "2022-11"]
KEY, SECRET, REGION = "testing-key", "testing-secret", "eu-west-2"
BUCKET = "cdrp-tests"
SOUTH = ["E07000118", "E07000126", "E07000127"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory):
    """moto's S3 server on a free loopback port, for the whole session; one bucket in it."""
    port = _free_port()
    log = tmp_path_factory.mktemp("moto") / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto server did not start: {log.read_text()}") from None
                time.sleep(0.1)
        _client(url).create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def _client(url):
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=url,
        aws_access_key_id=KEY,
        aws_secret_access_key=SECRET,
        region_name=REGION,
    )


def _keys(url, prefix: str) -> list[str]:
    pages = _client(url).get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
    return [o["Key"] for page in pages for o in page.get("Contents", [])]


@contextlib.contextmanager
def _on_s3(settings, url: str, prefix: str):
    """The site's incident store and documents in the bucket, under `prefix`."""
    from cdrp import config
    from cdrp.core import objectstore
    from cdrp.store import files

    before = dict(files._DEFAULTS)
    settings.CDRP_S3 = {
        "endpoint_url": url,
        "access_key": KEY,
        "secret_key": SECRET,
        "region": REGION,
    }
    settings.INCIDENT_STORE = f"s3://{BUCKET}/{prefix}/incidents"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": config.s3_storage(f"s3://{BUCKET}/{prefix}/documents", settings.CDRP_S3),
    }
    objectstore.setup()
    try:
        yield settings.INCIDENT_STORE
    finally:
        files._DEFAULTS.update(before)


@pytest.fixture
def s3_site(settings, s3_endpoint):
    with _on_s3(settings, s3_endpoint, uuid.uuid4().hex[:12]) as root:
        yield root


@pytest.fixture(scope="module")
def s3_geography(s3_endpoint, tmp_path_factory):
    """The geography lookups built once into the bucket, copied into each test's store."""
    from cdrp.store import build_geography, files

    prefix = "template"
    before = dict(files._DEFAULTS)
    files.configure(s3={"endpoint_url": s3_endpoint, "access_key": KEY, "secret_key": SECRET})
    try:
        build_geography(f"s3://{BUCKET}/{prefix}/incidents", ROOT / "data" / "demo")
    finally:
        files._DEFAULTS.update(before)
    return prefix


def _copy_template(url, template: str, root: str) -> None:
    client = _client(url)
    target = root.removeprefix(f"s3://{BUCKET}/")
    source = f"{template}/incidents/"
    for key in _keys(url, source):
        client.copy_object(
            Bucket=BUCKET,
            Key=target + "/" + key[len(source) :],
            CopySource={"Bucket": BUCKET, "Key": key},
        )


@pytest.mark.django_db(transaction=True)
def test_import_counts_assessment_and_document_through_s3(
    s3_site, s3_endpoint, s3_geography, south_districts, client, analyst
):
    import pyarrow.dataset as pads
    import pyarrow.fs as pafs
    from django.core.management import call_command

    from cdrp.core.documents import cached
    from cdrp.intelligence.assessments import build
    from cdrp.store import Store, counts

    _copy_template(s3_endpoint, s3_geography, s3_site)
    call_command("import", "police-uk", *[str(STREET / m) for m in MONTHS], verbosity=0)

    prefix = s3_site.removeprefix(f"s3://{BUCKET}/")
    keys = _keys(s3_endpoint, prefix + "/")
    parts = [k for k in keys if k.endswith(".parquet") and "/source=police-uk/" in k]
    assert {k.split("month=")[1][:7] for k in parts} == set(MONTHS)
    # The manifest commit is the last object named: the state readers follow names every
    # data file, and every one is in the bucket.
    state = Store(s3_site).state()
    listed = {f"{prefix}/{f['path']}" for f in state["files"] if f["table"] == ""}
    assert listed and listed <= set(keys)

    # Read back independently of cdrp's query layer: pyarrow straight from the endpoint.
    s3 = pafs.S3FileSystem(
        access_key=KEY,
        secret_key=SECRET,
        region=REGION,
        endpoint_override=s3_endpoint.removeprefix("http://"),
        scheme="http",
    )
    direct = pads.dataset(
        [f"{BUCKET}/{k}" for k in sorted(listed)], filesystem=s3, format="parquet"
    ).count_rows()
    got = counts(Store(s3_site), ["month"])
    by_month = dict(zip(got.column("month").to_pylist(), got.column("count").to_pylist()))
    assert sum(by_month.values()) == direct
    assert by_month["2022-11"] > 10_000

    # The counts API reads the same store.
    answer = client.get("/api/counts", {"by": "month", "from": "2022-09"})
    assert answer.status_code == 200
    rows = {r["month"]: r["count"] for r in answer.json()["rows"]}
    assert rows["2022-10"] == by_month["2022-10"]

    # A strategic assessment of the partnership's districts, built from the store on S3.
    record = build(partnership=south_districts, districts=SOUTH, end="2022-11", months=3)
    totals = record.document["totals"]
    chorley = counts(
        Store(s3_site), ["district"], start="2022-09", end="2022-11", areas={"district": SOUTH}
    )
    expected = dict(
        zip(chorley.column("district").to_pylist(), chorley.column("count").to_pylist())
    )
    assert totals["E07000118"] == expected["E07000118"] > 0

    # A document rendered once is stored in the bucket (django-storages) and read back from it.
    body = json.dumps({"totals": totals}).encode()
    doc = cached("s3-test", record.pk, [record.pk], lambda: body, "application/json")
    site = prefix.removesuffix("/incidents")
    stored = _client(s3_endpoint).get_object(
        Bucket=BUCKET, Key=f"{site}/documents/{doc.storage_name}"
    )
    assert stored["Body"].read() == body
    assert bytes(doc.body) == b"" and doc.content() == body


@pytest.mark.django_db
def test_a_paper_upload_goes_to_the_bucket(s3_site, s3_endpoint):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    name = default_storage.save("papers/1/minutes.pdf", ContentFile(b"%PDF-1.7 minutes"))
    prefix = s3_site.removeprefix(f"s3://{BUCKET}/").removesuffix("/incidents")
    assert f"{prefix}/documents/{name}" in _keys(s3_endpoint, prefix + "/documents/")
    with default_storage.open(name, "rb") as handle:
        assert handle.read() == b"%PDF-1.7 minutes"
    # A second upload under the same name is kept beside the first, as on disk.
    assert default_storage.save("papers/1/minutes.pdf", ContentFile(b"other")) != name


def test_the_backup_copies_the_documents_in_the_bucket_and_puts_them_back(
    s3_site, s3_endpoint, tmp_path
):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from cdrp.core import backup

    paper = default_storage.save("papers/7/agenda.pdf", ContentFile(b"%PDF-1.7 agenda"))
    rendered = default_storage.save("rendered/plan-pdf/abc123", ContentFile(b"%PDF-1.7 plan"))
    files = backup._copy_uploads(tmp_path)
    assert set(files) == {f"uploads/{paper}", f"uploads/{rendered}"}
    assert (tmp_path / "uploads" / paper).read_bytes() == b"%PDF-1.7 agenda"
    # Lost and changed in the bucket; the restore puts back exactly what was backed up.
    default_storage.delete(paper)
    default_storage.delete(rendered)
    default_storage.save(rendered, ContentFile(b"changed since"))
    backup._restore_uploads(tmp_path, sorted(files))
    with default_storage.open(paper, "rb") as handle:
        assert handle.read() == b"%PDF-1.7 agenda"
    with default_storage.open(rendered, "rb") as handle:
        assert handle.read() == b"%PDF-1.7 plan"
    prefix = s3_site.removeprefix(f"s3://{BUCKET}/").removesuffix("/incidents")
    assert sorted(_keys(s3_endpoint, prefix + "/documents/")) == sorted(
        f"{prefix}/documents/{n}" for n in (paper, rendered)
    )


@pytest.mark.django_db
def test_healthz_reports_the_object_store_reachable_then_not(settings, s3_endpoint, client):
    with _on_s3(settings, s3_endpoint, uuid.uuid4().hex[:12]):
        body = client.get("/healthz").json()
        assert body["incident_store"]["object_store"] is True
        assert body["incident_store"]["ok"] is True
        assert body["documents"]["ok"] is True and body["documents"]["bucket"] == BUCKET
    port = _free_port()  # nothing listens there
    with _on_s3(settings, f"http://127.0.0.1:{port}", "gone"):
        answer = client.get("/healthz")
        body = answer.json()
        assert answer.status_code == 200 and body["status"] == "degraded"
        assert body["incident_store"]["ok"] is False and body["incident_store"]["object_store"]
        assert body["documents"]["ok"] is False


@pytest.mark.django_db(transaction=True)
def test_a_second_importer_of_the_store_waits_then_gives_up(fresh_store, settings):
    """While one importer holds the store (a PostgreSQL advisory lock on PostgreSQL, held on a
    connection of its own, so it would exclude an importer on another server; the file lock on
    SQLite), a second cannot commit: it waits, then gives up with StoreLocked and the store is
    unchanged; once the first lets go, the import goes through."""
    from django.db import connection

    from cdrp.core.objectstore import incident_store, setup
    from cdrp.store import StoreLocked, import_police_uk

    settings.INCIDENT_STORE = fresh_store
    setup()
    store = incident_store()
    postgres = connection.vendor == "postgresql"
    assert (store.locker is not None) == postgres
    held, release = threading.Event(), threading.Event()

    def first_importer():
        with store.lock(timeout=5):
            held.set()
            release.wait(30)
        connection.close()

    thread = threading.Thread(target=first_importer)
    thread.start()
    try:
        assert held.wait(10)
        if postgres:
            # The lock is visible to every session of the database, as for another server.
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")
                assert cursor.fetchone()[0] >= 1
        started = time.monotonic()
        with pytest.raises(StoreLocked):
            import_police_uk(incident_store(), [STREET / "2022-01"], lock_timeout=0.5)
        assert time.monotonic() - started >= 0.5
        assert incident_store().state()["imports"] == []
    finally:
        release.set()
        thread.join(10)
    results = import_police_uk(incident_store(), [STREET / "2022-01"])
    assert [r.status for r in results] == ["imported"]
