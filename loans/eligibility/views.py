"""The public self-check: a few questions, the same rule functions, nothing stored."""

from datetime import date

from django.shortcuts import render

from applicants.choices import DocumentType, ReturnType
from loans.eligibility import rules as eligibility
from loans.eligibility.forms import SelfCheckForm


def self_check(request):
    """Public: a few questions, the same rule functions, nothing stored."""
    form = SelfCheckForm(request.GET or None)
    outcome = verdicts = planned_deadline = None
    if request.GET and form.is_valid():
        outcome, raw = eligibility.self_check(**form.cleaned_data)
        verdicts = [eligibility.explain(v.as_dict()) for v in raw]
        planned = next((v for v in raw if v.verdict == eligibility.PLANNED), None)
        planned_deadline = date.fromisoformat(planned.facts["deadline"]) if planned else None
    return render(
        request,
        "loans/self_check.html",
        {
            "form": form,
            "outcome": outcome,
            "verdicts": verdicts,
            "planned_deadline": planned_deadline,
            "DocumentType": DocumentType,
            "ReturnType": ReturnType,
        },
    )
