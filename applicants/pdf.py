"""The Ley 1581 data export as a PDF, built with fpdf2's core fonts (no font files needed)."""

from typing import Any

from django.utils.translation import gettext as _
from fpdf import FPDF

from .models import ReturneeProfile


def _latin1(text: Any) -> str:
    # The core PDF fonts cover Latin-1, which holds every Spanish letter; anything else is
    # replaced rather than failing the download.
    return str(text).encode("latin-1", "replace").decode("latin-1")


def _value(value: Any) -> str:
    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    if value in (None, ""):
        return "-"
    return str(value)


def data_export_pdf(data: dict[str, Any]) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 10, _latin1(_("Your data in Retorno Productivo")), new_x="LMARGIN", new_y="NEXT")
    sections = [
        (_("Account"), data["account"]),
        (_("Profile"), data["profile"]),
    ]
    field_labels = {
        f.name: str(f.verbose_name) for f in ReturneeProfile._meta.get_fields() if hasattr(f, "verbose_name")
    }
    field_labels.update(
        {
            "email": _("Email address"),
            "date_joined": _("Account created"),
            "email_verified_at": _("Email verified at"),
            "preferred_language": _("Language"),
        }
    )
    for title, values in sections:
        pdf.ln(4)
        pdf.set_font("Helvetica", "B", 13)
        pdf.cell(0, 8, _latin1(title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=10)
        for key, value in values.items():
            label = field_labels.get(key, key).capitalize()
            pdf.multi_cell(0, 6, _latin1(f"{label}: {_value(value)}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 8, _latin1(_("Data-processing consents")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    for consent in data["consents"]:
        line = _("Version %(version)s, given %(given)s") % {
            "version": consent["version"],
            "given": consent["given_at"],
        }
        pdf.multi_cell(0, 6, _latin1(line), new_x="LMARGIN", new_y="NEXT")
        pdf.multi_cell(0, 5, _latin1(consent["text"]), new_x="LMARGIN", new_y="NEXT")
    for title, key in [(_("Everything else we hold"), "rest"), (_("What the law obliges us to keep"), "kept_by_law")]:
        pdf.ln(4)
        pdf.set_font("Helvetica", "B", 13)
        pdf.cell(0, 8, _latin1(title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=9)
        _write_tree(pdf, data.get(key) or ([] if key == "kept_by_law" else {}), 0)
    return bytes(pdf.output())


def _write_tree(pdf: FPDF, value: Any, depth: int, label: str = "") -> None:
    """Every remaining section of the export, as indented "key: value" lines."""
    indent = "  " * depth
    if isinstance(value, dict):
        if label:
            pdf.multi_cell(0, 5, _latin1(f"{indent}{label}:"), new_x="LMARGIN", new_y="NEXT")
        for key, item in value.items():
            _write_tree(pdf, item, depth + (1 if label else 0), str(key).replace("_", " "))
    elif isinstance(value, list):
        if label:
            pdf.multi_cell(0, 5, _latin1(f"{indent}{label}: {len(value)}"), new_x="LMARGIN", new_y="NEXT")
        for number, item in enumerate(value, start=1):
            _write_tree(pdf, item, depth + 1, f"{number}")
    else:
        pdf.multi_cell(0, 5, _latin1(f"{indent}{label}: {_value(value)}"), new_x="LMARGIN", new_y="NEXT")
