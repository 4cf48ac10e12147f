"""The borrower's loan ("Mi crédito"): the page, the preference for extra payments, and the downloads."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loans.choices import PrepaymentChoice
from loans.servicing import documents, selectors
from loans.servicing.repayments import RepaymentError, loan_prepayment_choice_set


@login_required
def my_loan(request, public_id):
    loan = selectors.loan_for_borrower(public_id=public_id, user=request.user)
    context = selectors.loan_page(loan)
    context["choices"] = PrepaymentChoice.choices
    return render(request, "loans/my_loan.html", context)


@login_required
@require_POST
def my_loan_preference(request, public_id):
    loan = selectors.loan_for_borrower(public_id=public_id, user=request.user)
    try:
        loan_prepayment_choice_set(loan=loan, user=request.user, choice=request.POST.get("choice", ""))
    except RepaymentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Saved: %(choice)s.") % {"choice": loan.get_prepayment_choice_display()})
    return redirect("loans:my_loan", public_id=public_id)


def _download(content, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def my_loan_statement(request, public_id, fmt: str):
    loan = selectors.loan_for_borrower(public_id=public_id, user=request.user)
    page = selectors.loan_page(loan)
    name = f"extracto-{loan.application.reference}"
    if fmt == "csv":
        return _download(documents.statement_csv(page), content_type="text/csv; charset=utf-8", filename=f"{name}.csv")
    return _download(documents.statement_pdf(page), content_type="application/pdf", filename=f"{name}.pdf")


@login_required
def my_loan_paz_y_salvo(request, public_id):
    loan = selectors.loan_for_borrower(public_id=public_id, user=request.user)
    page = selectors.loan_page(loan)
    if not page["repaid"]:
        raise Http404(_("The certificate of full payment is available once the loan is repaid."))
    profile = loan.application.frozen_profile or {}
    holder = f"{profile.get('first_names', '')} {profile.get('last_names', '')}".strip() or request.user.email
    return _download(
        documents.paz_y_salvo_pdf(page, holder=holder),
        content_type="application/pdf",
        filename=f"paz-y-salvo-{loan.application.reference}.pdf",
    )
