"""``python manage.py export --kind applications --format csv --output FILE [filters]``

The analysts' exports for scripts: the same columns, filters and files as the reports page
(loans.exports), written straight to FILE whatever the size, and logged like every export.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from loans.reports import exports
from loans.reports.filters import parse_filters
from loans.reports.models import ExportJob

FILTER_OPTIONS = [
    ("date_from", "YYYY-MM-DD: applications started, loans disbursed, instalments due or repayments paid from"),
    ("date_to", "YYYY-MM-DD: ... up to and including this day"),
    ("department", "DANE department code, e.g. 05"),
    ("municipality", "DANE municipality code, e.g. 05001"),
    ("product", "loan product code"),
    ("sector", "CIIU section, e.g. C"),
    ("return_type", "solidario, humanitario, laboral or productivo"),
    ("sex", "F, M, I or N"),
    ("age_band", "18-24, 25-34, 35-44, 45-54, 55-64 or 65+"),
    ("status", "application status, e.g. disbursed"),
]


class Command(BaseCommand):
    help = "Export applications, loans, instalments or repayments as CSV or XLSX, with the reports' filters."

    def add_arguments(self, parser):
        parser.add_argument("--kind", required=True, choices=list(ExportJob.Kind.values))
        parser.add_argument("--format", required=True, choices=list(ExportJob.Format.values), dest="fmt")
        parser.add_argument("--output", required=True, help="the file to write")
        parser.add_argument(
            "--with-pii",
            action="store_true",
            help="include names, document numbers, phones, addresses and emails (decrypted)",
        )
        parser.add_argument("--language", default="es", choices=["es", "en"], help="language of the column headers")
        for name, description in FILTER_OPTIONS:
            parser.add_argument(f"--{name.replace('_', '-')}", dest=name, default="", help=description)

    def handle(self, *args, kind, fmt, output, with_pii, language, **options):
        raw = {name: options[name] for name, _help in FILTER_OPTIONS if options.get(name)}
        with translation.override(language):
            filters, form = parse_filters(raw)
            if filters is None:
                raise CommandError("\n".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()))
            path = Path(output)
            if not path.parent.is_dir():
                raise CommandError(f"The directory {path.parent} does not exist.")
            job = exports.export_log(
                user=None,
                kind=kind,
                fmt=fmt,
                filters=filters.as_dict(),
                include_pii=with_pii,
                mode=ExportJob.Mode.COMMAND,
                status=ExportJob.Status.RUNNING,
            )
            started = timezone.now()
            try:
                rows = exports.WRITERS[fmt](path, kind, filters, include_pii=with_pii)
            except BaseException as error:
                path.unlink(missing_ok=True)
                ExportJob.objects.filter(pk=job.pk).update(
                    status=ExportJob.Status.FAILED,
                    error=f"{type(error).__name__}: {error}",
                    finished_at=timezone.now(),
                )
                raise
            exports.export_finish(job, rows)
        seconds = (timezone.now() - started).total_seconds()
        self.stdout.write(f"{rows} rows written to {path} in {seconds:.1f} s.")
