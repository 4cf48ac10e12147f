"""``make backup``: one archive with the database and the stored files; its path is the last line."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal import backup


class Command(BaseCommand):
    help = "Write a backup archive (pg_dump and the stored files) and print its path as the last line."

    def add_arguments(self, parser):
        parser.add_argument("--directory", default=None, help="where to write it (default: BACKUP_DIR)")
        parser.add_argument(
            "--objects-only",
            action="store_true",
            help="list the stored files with their checksums instead of copying them (a versioned bucket)",
        )

    def handle(self, *args, directory=None, objects_only=False, **options):
        try:
            path = backup.create(Path(directory or settings.BACKUP_DIR), objects_only=objects_only)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(str(path.resolve()))
