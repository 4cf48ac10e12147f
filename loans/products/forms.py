"""The loan request form and the public simulator's form: a product, an amount, a term and a
grace, checked against the product's own rules (loans.products.rules)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from loans.products.models import LoanProduct
from loans.products.rules import RequestLimits, loan_request_errors, request_hints, request_limits
from portal.forms import WordedChoicesMixin


class PesosInput(forms.TextInput):
    """A saved amount shows as people write it, 12.000.000; what someone typed comes back as
    they typed it (a refused form must not rewrite their input)."""

    def format_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:,}".replace(",", ".")
        return super().format_value(value)


MONEY_WIDGET = PesosInput(attrs={"inputmode": "numeric", "autocomplete": "off"})


class PesosField(forms.IntegerField):
    """Whole pesos as people write them: "1.500.000", "$ 1 500 000" or "1500000"."""

    widget = MONEY_WIDGET

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace("$", "").replace(".", "").replace(" ", "").replace("\u00a0", "")
        return super().to_python(value)

    def widget_attrs(self, widget):
        # No min/max attributes: the browser's number checks would refuse "1.500.000".
        return {}


class ProductSelect(forms.Select):
    """Each product's limits ride on its option (and the products' overall range on the select),
    so a script can move the inputs' min/max and the hints when the person picks another product.
    Without the script the hints the server wrote for the chosen product stay true."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.limits: dict[str, dict[str, str]] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        key = str(getattr(value, "value", value))
        option["attrs"].update(self.limits.get(key, {}))
        return option


def _limit_attrs(limits: RequestLimits) -> dict[str, str]:
    hints = request_hints(limits)
    return {
        "data-term-min": str(limits.min_term),
        "data-term-max": str(limits.max_term),
        "data-grace-max": str(limits.max_grace),
        "data-amount-hint": hints["amount"],
        "data-term-hint": hints["term_months"],
        "data-grace-hint": hints["grace_months"],
    }


def _overall(limits: list[RequestLimits]) -> RequestLimits:
    return RequestLimits(
        min(item.min_amount for item in limits),
        max(item.max_amount for item in limits),
        None,
        min(item.min_term for item in limits),
        max(item.max_term for item in limits),
        max(item.max_grace for item in limits),
    )


class LoanRequestForm(WordedChoicesMixin, forms.Form):
    product: forms.ModelChoiceField[LoanProduct] = forms.ModelChoiceField(
        label=_("Loan product"),
        queryset=LoanProduct.objects.none(),
        help_text=_("The loan line you apply to."),
        widget=ProductSelect,
    )
    amount = PesosField(
        label=_("Amount (pesos)"),
        min_value=1,
        help_text=_("In pesos, for example 20.000.000."),
    )
    term_months = forms.IntegerField(
        label=_("Term (months)"),
        min_value=1,
        max_value=240,
        help_text=_("Grace months included."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    grace_months = forms.IntegerField(
        label=_("Grace (months)"),
        min_value=0,
        max_value=120,
        initial=0,
        help_text=_("Months at the start in which you do not repay capital."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, products, total_investment=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products
        # Only open products are offered, so an id outside them is a product whose window closed
        # (a page left open, a shared link) or no product at all: say so, not "invalid choice".
        self.fields["product"].error_messages["invalid_choice"] = _("Applications for this product are closed.")
        self.total_investment = total_investment
        self._show_limits(products)

    def _chosen_product(self, products):
        key = self.data.get(self.add_prefix("product")) if self.is_bound else None
        if key in (None, ""):
            initial = self.initial.get("product")
            key = getattr(initial, "pk", initial)
        if key not in (None, ""):
            return next((product for product in products if str(product.pk) == str(key)), None)
        return products[0] if len(products) == 1 else None

    def _show_limits(self, queryset) -> None:
        """Hints and input bounds from the chosen product, or the range over the open products."""
        products = list(queryset)
        by_product = {
            product: limits
            for product in products
            if (limits := request_limits(product, self.total_investment)) is not None
        }
        if not by_product:
            return
        widget = self.fields["product"].widget
        widget.limits = {str(product.pk): _limit_attrs(limits) for product, limits in by_product.items()}
        overall = _overall(list(by_product.values()))
        widget.attrs.update(_limit_attrs(overall))
        chosen = self._chosen_product(products)
        limits = by_product.get(chosen, overall)
        for name, hint in request_hints(limits).items():
            self.fields[name].help_text = hint
        self.fields["term_months"].widget.attrs.update({"min": limits.min_term, "max": limits.max_term})
        self.fields["grace_months"].widget.attrs.update({"min": 0, "max": limits.max_grace})

    def clean(self):
        cleaned = super().clean()
        product = cleaned.get("product")
        if product is None:
            return cleaned
        errors = loan_request_errors(
            product,
            amount=cleaned.get("amount"),
            term_months=cleaned.get("term_months"),
            grace_months=cleaned.get("grace_months"),
            total_investment=self.total_investment,
        )
        for field, message in errors.items():
            self.add_error(field if field in self.fields else None, message)
        return cleaned


class SimulatorForm(LoanRequestForm):
    """The public simulator: the same checks, no plan (so no financing-share limit)."""
