"""Copy the stored files from the local disk (MEDIA_ROOT) into the default storage (the bucket).

Idempotent and resumable: a file already in the bucket with the same SHA-256 is skipped, so
the command can be stopped and run again until it reports nothing left. Every copy is read
back from the bucket and its SHA-256 compared with the original's; a mismatch is reported
and the command exits non-zero. The source is never modified (``--delete-source`` removes a
local file only after its copy has been verified).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management.base import BaseCommand, CommandError

from portal.storage import CHUNK_BYTES, save_exact, sha256_of, walk


def _local_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


class Command(BaseCommand):
    help = "Copy stored files from the local disk into the configured bucket, verified by SHA-256."

    def add_arguments(self, parser):
        parser.add_argument("--source", default=None, help="local directory to copy from (default: MEDIA_ROOT)")
        parser.add_argument("--dry-run", action="store_true", help="only say what would be copied")
        parser.add_argument(
            "--delete-source", action="store_true", help="remove each local file once its copy is verified"
        )

    def handle(self, *args, source=None, dry_run=False, delete_source=False, **options):
        root = Path(source or settings.MEDIA_ROOT)
        if not root.is_dir():
            raise CommandError(f"{root} is not a directory")
        local = FileSystemStorage(location=root)
        target = default_storage
        if isinstance(target, FileSystemStorage) and Path(target.location).resolve() == root.resolve():
            raise CommandError("The default storage is this same directory: set S3_BUCKET first.")
        copied = skipped = failed = 0
        for name in walk(local):
            path = root / name
            expected = _local_sha256(path)
            if (
                target.exists(name)
                and target.size(name) == path.stat().st_size
                and sha256_of(name, target) == expected
            ):
                skipped += 1
                if delete_source and not dry_run:
                    path.unlink()
                continue
            if dry_run:
                self.stdout.write(f"would copy {name}")
                copied += 1
                continue
            with open(path, "rb") as handle:
                save_exact(name, File(handle, name=path.name), storage=target)
            if sha256_of(name, target) != expected:
                failed += 1
                self.stderr.write(f"checksum mismatch after copying {name}")
                continue
            copied += 1
            if delete_source:
                path.unlink()
        verb = "would copy" if dry_run else "copied"
        self.stdout.write(f"{verb} {copied}, already there {skipped}, failed {failed}")
        if failed:
            raise CommandError(f"{failed} file(s) did not verify; run the command again")
