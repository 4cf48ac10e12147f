"""``manage.py backup`` and ``restore`` (make backup / make restore): a round trip on PostgreSQL.

The archive is restored by a separate ``manage.py restore`` process into a fresh database
and a fresh storage directory, as an operator's restore drill would; then every table's rows
and every file's SHA-256 are compared with the originals.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from portal import backup
from portal.storage import walk
from tests.factories import CompleteProfileFactory

REPO = Path(__file__).resolve().parent.parent.parent

pytestmark = [pytest.mark.needs_postgres, pytest.mark.django_db(transaction=True)]


def _admin_connection():
    db = settings.DATABASES["default"]
    connection = psycopg2.connect(
        dbname="postgres", host=db["HOST"] or None, port=db["PORT"] or None, user=db["USER"], password=db["PASSWORD"]
    )
    connection.autocommit = True
    return connection


@pytest.fixture
def restore_database():
    """An empty database beside the test database; dropped afterwards."""
    name = f"{settings.DATABASES['default']['NAME']}_restore"
    admin = _admin_connection()
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def _database_url(name: str) -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def _counts_in(name: str) -> dict[str, int]:
    db = settings.DATABASES["default"]
    connection = psycopg2.connect(
        dbname=name, host=db["HOST"] or None, port=db["PORT"] or None, user=db["USER"], password=db["PASSWORD"]
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
            tables = [row[0] for row in cursor.fetchall()]
            counts = {}
            for table in tables:
                cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - names from pg_tables
                counts[table] = cursor.fetchone()[0]
            return counts
    finally:
        connection.close()


def _manage(*args: str, database: str, media_root: Path) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "portal.settings.local",
        "DATABASE_URL": _database_url(database),
        "MEDIA_ROOT": str(media_root),
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "FIELD_ENCRYPTION_SALT": ",".join(settings.SALT_KEY),
        "BLIND_INDEX_KEY": settings.BLIND_INDEX_KEY,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@pytest.fixture
def data(ready_draft):
    """A returnee with an application and a document, a second returnee, and an unrelated stored file."""
    CompleteProfileFactory()
    default_storage.save("exports/old-report.csv", io.BytesIO(b"reference,status\nRP-1,approved\n"))
    return ready_draft


def _make_backup(tmp_path) -> Path:
    out = io.StringIO()
    call_command("backup", directory=str(tmp_path / "backups"), stdout=out)
    return Path(out.getvalue().strip().splitlines()[-1])


def test_a_backup_restores_into_an_empty_database_with_every_row_and_file(
    storage_backend, data, tmp_path, restore_database
):
    """From the local disk or from a bucket, into a fresh database and directory."""
    originals = {name: _sha256(default_storage.open(name, "rb").read()) for name in walk(default_storage)}
    assert len(originals) == 2
    counts = backup.table_counts()
    archive = _make_backup(tmp_path)

    assert archive.is_file() and archive.name.startswith("retorno-") and archive.suffix == ".tar"
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        assert {"database.dump", "manifest.json", *(f"files/{name}" for name in originals)} == set(tar.getnames())
    assert manifest["tables"] == counts
    assert {entry["name"]: entry["sha256"] for entry in manifest["files"]} == originals

    restored_files = tmp_path / "restored-uploads"
    result = _manage("restore", str(archive), database=restore_database, media_root=restored_files)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith(f"{len(counts)} tables and 2 files, all verified.")
    restored_counts = _counts_in(restore_database)
    assert restored_counts == counts
    assert restored_counts["loans_loanapplication"] == 1 and restored_counts["applicants_returneeprofile"] == 2
    restored = {
        str(path.relative_to(restored_files)): _sha256(path.read_bytes())
        for path in restored_files.rglob("*")
        if path.is_file()
    }
    assert restored == originals


def test_restore_refuses_a_database_that_is_not_empty(data, tmp_path, restore_database):
    archive = _make_backup(tmp_path)
    first = _manage("restore", str(archive), database=restore_database, media_root=tmp_path / "r1")
    assert first.returncode == 0, first.stderr

    again = _manage("restore", str(archive), database=restore_database, media_root=tmp_path / "r2")

    assert again.returncode == 1
    assert f"The database {restore_database} is not empty." in again.stderr
    assert not (tmp_path / "r2").exists()

    forced = _manage("restore", str(archive), "--force", database=restore_database, media_root=tmp_path / "r2")
    assert forced.returncode == 0, forced.stderr
    assert _counts_in(restore_database) == backup.table_counts()


def test_restore_into_the_live_database_is_refused_in_process(data, tmp_path):
    archive = _make_backup(tmp_path)

    with pytest.raises(CommandError, match="is not empty. Restore into an empty database, or pass --force"):
        call_command("restore", str(archive))


def test_a_restore_reports_a_file_whose_checksum_differs(data, tmp_path, restore_database):
    archive = _make_backup(tmp_path)
    tampered = tmp_path / "tampered.tar"
    with tarfile.open(archive) as source, tarfile.open(tampered, "w") as target:
        for member in source.getmembers():
            content = source.extractfile(member).read()
            if member.name == "files/exports/old-report.csv":
                content = content.replace(b"approved", b"rejected")
            member.size = len(content)
            target.addfile(member, io.BytesIO(content))

    result = _manage("restore", str(tampered), database=restore_database, media_root=tmp_path / "r")

    assert result.returncode == 1
    assert "file exports/old-report.csv: checksum differs" in result.stderr


def test_objects_only_lists_the_files_without_copying_them(data, tmp_path):
    out = io.StringIO()
    call_command("backup", directory=str(tmp_path), objects_only=True, stdout=out)

    with tarfile.open(out.getvalue().strip().splitlines()[-1]) as tar:
        assert set(tar.getnames()) == {"database.dump", "manifest.json"}
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["files_included"] is False
    assert sorted(entry["name"] for entry in manifest["files"]) == sorted(walk(default_storage))


def test_make_backup_prints_the_archive_path_as_its_last_line(data, tmp_path):
    env = {
        "PATH": os.environ["PATH"],
        "DATABASE_URL": _database_url(settings.DATABASES["default"]["NAME"]),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "BACKUP_DIR": str(tmp_path / "make-backups"),
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "FIELD_ENCRYPTION_SALT": ",".join(settings.SALT_KEY),
        "BLIND_INDEX_KEY": settings.BLIND_INDEX_KEY,
    }

    result = subprocess.run(
        ["make", "--no-print-directory", "backup"], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )

    assert result.returncode == 0, result.stdout + result.stderr
    archive = Path(result.stdout.strip().splitlines()[-1])
    assert archive.parent == tmp_path / "make-backups" and archive.is_file()
    with tarfile.open(archive) as tar:
        assert json.load(tar.extractfile("manifest.json"))["tables"] == backup.table_counts()


def test_make_restore_without_a_file_says_how_to_call_it():
    result = subprocess.run(
        ["make", "--no-print-directory", "restore"], cwd=REPO, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 2
    assert "usage: make restore FILE=path/to/backup.tar [FORCE=1]" in result.stdout
