"""`cdrp backup` and `cdrp restore`: the demo registry, its meetings, the reference incident store
and an uploaded paper go out and come back whole, on SQLite and on PostgreSQL."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cdrp.core.backup import BackupError, backup, record_counts, restore, verify
from cdrp.store import Store, counts
from cdrp.store.check import listed_files

pytestmark = pytest.mark.django_db(transaction=True)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _store_checksums(root: str) -> dict[str, str]:
    store = Store(root)
    return {
        name: hashlib.sha256(store.read_bytes(name)).hexdigest()
        for name in listed_files(store.state())
    }


def _district_month_counts(root: str) -> list[tuple]:
    table = counts(root, by=("district", "month", "category"), output="pandas")
    return sorted(tuple(map(str, row)) for row in table.itertuples(index=False))


@pytest.fixture
def site(demo_registry, reference_store, settings, tmp_path):
    """The demo registry and meetings, the reference store, one uploaded paper."""
    root, _ = reference_store
    settings.INCIDENT_STORE = root
    settings.MEDIA_ROOT = str(tmp_path / "media")
    paper = tmp_path / "media" / "papers" / "2022" / "tasking-minutes.pdf"
    paper.parent.mkdir(parents=True)
    paper.write_bytes(b"%PDF-1.4 minutes of the tasking group\n")
    return demo_registry


def _wipe(settings, tmp_path) -> None:
    """A new, empty site: no records, an empty store, no uploads."""
    call_command("flush", interactive=False, verbosity=0)
    settings.INCIDENT_STORE = str(tmp_path / "restored-store")
    settings.MEDIA_ROOT = str(tmp_path / "restored-media")


def test_a_backup_restored_onto_an_empty_site_gives_back_every_record_count_and_file(
    site, settings, tmp_path
):
    before_counts = record_counts()
    before_store = _store_checksums(settings.INCIDENT_STORE)
    before_incidents = _district_month_counts(settings.INCIDENT_STORE)
    before_version = Store(settings.INCIDENT_STORE).state()["version"]
    paper = Path(settings.MEDIA_ROOT) / "papers" / "2022" / "tasking-minutes.pdf"
    before_paper = _sha(paper)
    assert before_counts["partnerships.Partnership"] >= 3
    assert before_counts["partnerships.Membership"] > 0

    summary = backup(tmp_path / "backup")
    assert summary.store_version == before_version
    assert summary.uploads == 1
    assert summary.store_files == len(before_store) + 1  # and the state itself

    _wipe(settings, tmp_path)
    assert record_counts()["partnerships.Partnership"] == 0

    restored = restore(tmp_path / "backup")
    after = record_counts()
    # The session table holds this test's own sign-ins only; every record of the site is back.
    assert after == before_counts
    assert _store_checksums(settings.INCIDENT_STORE) == before_store
    assert Store(settings.INCIDENT_STORE).state()["version"] == before_version
    assert _district_month_counts(settings.INCIDENT_STORE) == before_incidents
    assert _sha(Path(settings.MEDIA_ROOT) / "papers" / "2022" / "tasking-minutes.pdf") == (
        before_paper
    )
    assert restored.store_version == before_version


def test_a_backup_never_holds_the_secret_key(site, settings, tmp_path):
    backup(tmp_path / "backup")
    key = settings.SECRET_KEY.encode()
    for path in (tmp_path / "backup").rglob("*"):
        if path.is_file():
            assert key not in path.read_bytes(), path


def test_a_backup_is_whole_or_absent_and_never_overwrites(site, tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("keep me")
    with pytest.raises(BackupError, match="already exists"):
        backup(tmp_path / "taken")
    assert (tmp_path / "taken" / "notes.txt").read_text() == "keep me"
    assert not list(tmp_path.glob(".taken.partial-*"))


def test_a_damaged_backup_is_refused_before_anything_changes(site, settings, tmp_path):
    backup(tmp_path / "backup")
    manifest = json.loads((tmp_path / "backup" / "backup.json").read_text())
    victim = next(name for name in manifest["files"] if name.endswith(".parquet"))
    with (tmp_path / "backup" / victim).open("ab") as fh:
        fh.write(b"x")
    partnerships = record_counts()["partnerships.Partnership"]
    _wipe(settings, tmp_path)
    with pytest.raises(BackupError, match=r"SHA-256 differs.*damaged"):
        restore(tmp_path / "backup")
    assert record_counts()["partnerships.Partnership"] == 0  # untouched: still the wiped site
    assert (
        not Path(settings.INCIDENT_STORE).exists()
        or Store(settings.INCIDENT_STORE).state()["version"] == 0
    )
    assert partnerships > 0


def test_restoring_over_a_site_with_records_needs_replace(site, settings, tmp_path):
    backup(tmp_path / "backup")
    with pytest.raises(BackupError, match="--replace"):
        verify(tmp_path / "backup") and restore(tmp_path / "backup")
    with pytest.raises(CommandError, match="--replace"):
        call_command("restore", str(tmp_path / "backup"))


def test_the_commands_say_what_they_did(site, settings, tmp_path, capsys):
    call_command("backup", str(tmp_path / "b"))
    out = capsys.readouterr().out
    assert "Backed up to" in out and "store version" in out and "1 uploaded papers" in out
    with pytest.raises(CommandError, match="not a cdrp backup"):
        call_command("restore", str(tmp_path), "--replace")
