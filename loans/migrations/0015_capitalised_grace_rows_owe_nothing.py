"""Loans disbursed before the ledger: a capitalised grace month's interest moves to capitalised_interest.

Those rows have payment 0 but carried the interest in ``interest``, so payments were allocated to
them and the loan showed arrears during grace (issue 9). Rows that already received money are
left for staff to review (they are listed by the query in docs/SERVICING.md).
"""

from django.db import migrations
from django.db.models import F


def forwards(apps, schema_editor):
    LoanInstalment = apps.get_model("loans", "LoanInstalment")
    LoanInstalment.objects.filter(payment=0, interest__gt=0, paid_interest=0, paid_principal=0).update(
        capitalised_interest=F("interest"), interest=0
    )


def backwards(apps, schema_editor):
    LoanInstalment = apps.get_model("loans", "LoanInstalment")
    LoanInstalment.objects.filter(payment=0, capitalised_interest__gt=0).update(
        interest=F("capitalised_interest"), capitalised_interest=0
    )


class Migration(migrations.Migration):
    dependencies = [("loans", "0014_servicing_roles")]
    operations = [migrations.RunPython(forwards, backwards)]
