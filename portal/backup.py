"""One-file backups of the portal: the PostgreSQL database and the stored files (docs/OPERATIONS.md).

An archive is a ``.tar`` holding

- ``manifest.json``: when, which database, the row count of every table, and every stored
  file's name, size and SHA-256;
- ``database.dump``: ``pg_dump --format=custom`` of the whole database;
- ``files/<name>``: every stored file (local disk or bucket), unless ``objects_only`` is asked
  for (a bucket with its own versioning and replication): then only the manifest's list.

Restoring checks the archive against its manifest: every table's row count and every file's
SHA-256 must match, or the restore says which did not.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess  # noqa: S404 - pg_dump and pg_restore, with argument lists, never a shell
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import connections
from django.utils import timezone

from portal.storage import CHUNK_BYTES, save_exact, walk

FORMAT_VERSION = 1


class BackupError(Exception):
    pass


def _database(alias: str = "default") -> dict:
    db = settings.DATABASES[alias]
    if "postgresql" not in db["ENGINE"]:
        raise BackupError("Backups need PostgreSQL (DATABASE_URL=postgres://...); this database is not one.")
    return db


def _pg_env(db: dict) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump/pg_restore; the password through the environment, never argv."""
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return path


def table_counts(alias: str = "default") -> dict[str, int]:
    """Exact row count of every table of the public schema."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        counts = {}
        for table in sorted(tables):
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - introspected names
            counts[table] = cursor.fetchone()[0]
    return counts


def _sha256_stream(handle) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := handle.read(CHUNK_BYTES):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def create(directory: Path, *, objects_only: bool = False, storage: Storage | None = None) -> Path:
    """Write a backup archive into ``directory`` and return its path."""
    storage = storage or default_storage
    db = _database()
    directory.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    final = directory / f"retorno-{stamp}.tar"
    partial = final.with_name(final.name + ".part")
    with tempfile.TemporaryDirectory(prefix="backup-") as work:
        dump = Path(work) / "database.dump"
        args, env = _pg_env(db)
        subprocess.run(  # noqa: S603
            [_program("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--file", str(dump), *args],
            env=env,
            check=True,
            capture_output=True,
        )
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": timezone.now().isoformat(),
            "database": db["NAME"],
            "tables": table_counts(),
            "files_included": not objects_only,
            "files": [],
        }
        try:
            with tarfile.open(partial, "w") as archive:
                archive.add(dump, arcname="database.dump")
                for name in walk(storage):
                    with storage.open(name, "rb") as handle:
                        sha, size = _sha256_stream(handle)
                        manifest["files"].append({"name": name, "size": size, "sha256": sha})
                        if not objects_only:
                            handle.seek(0)
                            info = tarfile.TarInfo(f"files/{name}")
                            info.size = size
                            info.mtime = int(timezone.now().timestamp())
                            archive.addfile(info, handle)
                body = json.dumps(manifest, indent=2, sort_keys=True).encode()
                info = tarfile.TarInfo("manifest.json")
                info.size = len(body)
                info.mtime = int(timezone.now().timestamp())
                archive.addfile(info, io.BytesIO(body))
            os.chmod(partial, 0o600)  # it holds every returnee's data (encrypted fields stay encrypted)
            os.replace(partial, final)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return final


def _member(archive: tarfile.TarFile, name: str):
    handle = archive.extractfile(name)
    if handle is None:
        raise BackupError(f"The archive has no file {name}")
    return handle


def database_is_empty(alias: str = "default") -> bool:
    connection = connections[alias]
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


@dataclass
class RestoreReport:
    tables_checked: int = 0
    files_restored: int = 0
    mismatches: list[str] = field(default_factory=list)


def restore(path: Path, *, force: bool = False, storage: Storage | None = None) -> RestoreReport:
    """Restore an archive into the default database and storage, then check it against the manifest."""
    storage = storage or default_storage
    db = _database()
    if not database_is_empty() and not force:
        raise BackupError(
            f"The database {db['NAME']} is not empty. Restore into an empty database, or pass --force to replace it."
        )
    report = RestoreReport()
    with tarfile.open(path, "r") as archive, tempfile.TemporaryDirectory(prefix="restore-") as work:
        manifest = json.load(_member(archive, "manifest.json"))
        if manifest.get("format") != FORMAT_VERSION:
            raise BackupError(f"Unknown archive format {manifest.get('format')!r}")
        dump = Path(work) / "database.dump"
        with _member(archive, "database.dump") as source, open(dump, "wb") as target:
            shutil.copyfileobj(source, target, CHUNK_BYTES)
        connections["default"].close()
        args, env = _pg_env(db)
        command = [_program("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error"]
        if force:
            command += ["--clean", "--if-exists"]
        result = subprocess.run([*command, *args, str(dump)], env=env, capture_output=True, text=True)  # noqa: S603
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()[:2000]}")
        counts = table_counts()
        for table, expected in manifest["tables"].items():
            report.tables_checked += 1
            if counts.get(table) != expected:
                report.mismatches.append(f"table {table}: {counts.get(table)} rows, the backup had {expected}")
        if manifest["files_included"]:
            for entry in manifest["files"]:
                handle = _member(archive, f"files/{entry['name']}")
                save_exact(entry["name"], File(handle, name=Path(entry["name"]).name), storage=storage)
                report.files_restored += 1
        for entry in manifest["files"]:
            if not storage.exists(entry["name"]):
                report.mismatches.append(f"file {entry['name']}: missing")
                continue
            with storage.open(entry["name"], "rb") as handle:
                sha, _size = _sha256_stream(handle)
            if sha != entry["sha256"]:
                report.mismatches.append(f"file {entry['name']}: checksum differs")
    return report
