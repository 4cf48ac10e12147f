"""``make restore FILE=...``: restore an archive into DATABASE_URL and the storage, then verify it."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal import backup


class Command(BaseCommand):
    help = "Restore a backup archive into the configured database and storage; refuses a non-empty database."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the .tar written by `manage.py backup`")
        parser.add_argument("--force", action="store_true", help="replace the data of a database that is not empty")

    def handle(self, *args, archive, force=False, **options):
        path = Path(archive)
        if not path.is_file():
            raise CommandError(f"{path} does not exist")
        try:
            report = backup.restore(path, force=force)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        for line in report.mismatches:
            self.stderr.write(line)
        if report.mismatches:
            raise CommandError(f"{len(report.mismatches)} difference(s) between the archive and what was restored")
        self.stdout.write(
            f"Restored {path.name}: {report.tables_checked} tables and {report.files_restored} files, all verified."
        )
