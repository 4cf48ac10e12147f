"""Load DIVIPOLA departments and municipalities and CIIU Rev. 4 A.C. sections and divisions.

The CSV files in applicants/data/ are copies of ../shared/reference/ (see its README for the
source and the transcription notes). Codes are strings and keep their leading zeros.
"""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def _rows(name):
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def load(apps, schema_editor):
    Department = apps.get_model("applicants", "Department")
    Municipality = apps.get_model("applicants", "Municipality")
    EconomicSection = apps.get_model("applicants", "EconomicSection")
    EconomicDivision = apps.get_model("applicants", "EconomicDivision")
    Department.objects.bulk_create(
        [Department(code=r["code"], name=r["name"]) for r in _rows("divipola_departments.csv")],
        ignore_conflicts=True,
    )
    Municipality.objects.bulk_create(
        [
            Municipality(code=r["code"], name=r["name"], department_id=r["department_code"])
            for r in _rows("divipola_municipalities.csv")
        ],
        ignore_conflicts=True,
        batch_size=500,
    )
    EconomicSection.objects.bulk_create(
        [EconomicSection(code=r["code"], name=r["name_es"]) for r in _rows("ciiu_sections.csv")],
        ignore_conflicts=True,
    )
    EconomicDivision.objects.bulk_create(
        [
            EconomicDivision(code=r["code"], name=r["name_es"], section_id=r["section"])
            for r in _rows("ciiu_divisions.csv")
        ],
        ignore_conflicts=True,
    )


def unload(apps, schema_editor):
    for model in ("EconomicDivision", "EconomicSection", "Municipality", "Department"):
        apps.get_model("applicants", model).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("applicants", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
