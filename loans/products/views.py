"""The public loan simulator: schedule maths on the open products, nothing stored."""

import csv

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from loans.products.forms import SimulatorForm
from loans.products.schedule import Schedule, schedule_for, schedule_to_rows
from loans.products.selectors import open_products


def simulator(request):
    """Public: the query string holds the simulation, so a result is a link one can share."""
    form = SimulatorForm(request.GET or None, products=open_products())
    schedule = None
    wants_csv = request.GET.get("format") == "csv"
    if request.GET and form.is_valid():
        schedule = schedule_for(
            form.cleaned_data["product"],
            amount=form.cleaned_data["amount"],
            term_months=form.cleaned_data["term_months"],
            grace_months=form.cleaned_data["grace_months"],
        )
        if wants_csv:
            return schedule_csv_response(schedule, "simulacion-credito.csv")
    elif wants_csv:
        # A script or a stale link asked for a file: say in a few lines what to fix, not a page.
        lines = [
            f"{form.fields[name].label}: {message}" if name in form.fields else message
            for name, errors in form.errors.items()
            for message in errors
        ]
        return HttpResponse("\n".join(lines) + "\n", status=400, content_type="text/plain; charset=utf-8")
    return render(request, "loans/simulator.html", {"form": form, "schedule": schedule})


def schedule_csv_response(schedule: Schedule, filename: str) -> HttpResponse:
    """A schedule as a CSV download (the simulator's and an application's)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    columns = ["number", "due_date", "opening_balance", "interest", "principal", "payment", "closing_balance"]
    writer = csv.writer(response)
    writer.writerow(
        [
            _("number"),
            _("due date"),
            _("opening balance"),
            _("interest"),
            _("principal"),
            _("instalment"),
            _("closing balance"),
            _("paid by the state"),
        ]
    )
    for row in schedule_to_rows(schedule):
        writer.writerow([row[c] for c in columns] + [_("yes") if row["state_paid"] else ""])
    return response
