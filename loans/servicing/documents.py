"""The borrower's statement (CSV and PDF) and certificate of full payment (paz y salvo, PDF)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils.translation import gettext as _
from fpdf import FPDF

from loans.products.money import format_cop


def _latin1(text: Any) -> str:
    # The core PDF fonts cover Latin-1, which holds every Spanish letter.
    return str(text).encode("latin-1", "replace").decode("latin-1")


def statement_csv(page: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Instalments")])
    writer.writerow([_("number"), _("due date"), _("interest"), _("capital"), _("instalment"), _("paid"), _("status")])
    for row in page["rows"]:
        i = row.instalment
        writer.writerow(
            [i.number, i.due_date.isoformat(), i.interest, i.principal, i.payment, i.paid_interest + i.paid_principal,
             row.status_label]
        )  # fmt: skip
    writer.writerow([])
    writer.writerow([_("Payments")])
    writer.writerow(
        [_("paid on"), _("amount"), _("to default interest"), _("to interest"), _("to principal due"),
         _("to principal not yet due"), _("to credit balance"), _("bank reference")]
    )  # fmt: skip
    for p in page["repayments"]:
        writer.writerow(
            [p.paid_on.isoformat(), p.amount, p.allocated_default_interest, p.allocated_interest,
             p.allocated_principal, p.prepaid_principal, p.unallocated, p.bank_reference]
        )  # fmt: skip
    return out.getvalue()


def _header(pdf: FPDF, title: str, page: dict[str, Any]) -> None:
    application = page["application"]
    pdf.set_font("Helvetica", "B", 15)
    pdf.multi_cell(0, 9, _latin1(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    for line in (
        _("Loan %(reference)s") % {"reference": application.reference},
        _("Disbursed on %(day)s: %(amount)s")
        % {"day": page["loan"].disbursed_on.isoformat(), "amount": format_cop(page["loan"].principal)},
        _("Date of this document: %(day)s") % {"day": page["today"].isoformat()},
    ):
        pdf.multi_cell(0, 6, _latin1(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def statement_pdf(page: dict[str, Any]) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    _header(pdf, _("Loan statement"), page)
    pdf.set_font("Helvetica", size=10)
    for label, value in (
        (_("Principal owed"), format_cop(page["principal_owed"])),
        (_("To pay everything today"), format_cop(page["payoff_today"])),
        (_("Overdue"), format_cop(page["overdue_amount"])),
        (_("Days in arrears"), str(page["days_in_arrears"])),
        (_("Default interest owed"), format_cop(page["default_interest_due"])),
        (_("Credit balance in your favour"), format_cop(page["loan"].credit_balance)),
    ):
        pdf.multi_cell(0, 6, _latin1(f"{label}: {value}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 7, _latin1(_("Instalments")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    for row in page["rows"]:
        i = row.instalment
        line = f"{i.number}. {i.due_date.isoformat()}  {format_cop(i.payment)}  ({row.status_label})"
        pdf.multi_cell(0, 5, _latin1(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 7, _latin1(_("Payments")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    for p in page["repayments"]:
        line = _(
            "%(day)s: %(amount)s (default interest %(default)s, interest %(interest)s, principal %(principal)s, "
            "extra to principal %(prepaid)s, credit %(credit)s)"
        ) % {
            "day": p.paid_on.isoformat(),
            "amount": format_cop(p.amount),
            "default": format_cop(p.allocated_default_interest),
            "interest": format_cop(p.allocated_interest),
            "principal": format_cop(p.allocated_principal),
            "prepaid": format_cop(p.prepaid_principal),
            "credit": format_cop(p.unallocated),
        }
        pdf.multi_cell(0, 5, _latin1(line), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def paz_y_salvo_pdf(page: dict[str, Any], *, holder: str) -> bytes:
    pdf = FPDF(format="A4")
    pdf.add_page()
    _header(pdf, _("Certificate of full payment (paz y salvo)"), page)
    last = max((p.paid_on for p in page["repayments"]), default=page["today"])
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(
        0,
        7,
        _latin1(
            _(
                "Retorno Productivo certifies that %(holder)s paid in full the loan %(reference)s, disbursed "
                "on %(disbursed)s for %(amount)s. The last payment was received on %(last)s. Nothing is owed "
                "on this loan."
            )
            % {
                "holder": holder,
                "reference": page["application"].reference,
                "disbursed": page["loan"].disbursed_on.isoformat(),
                "amount": format_cop(page["loan"].principal),
                "last": last.isoformat(),
            }
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
