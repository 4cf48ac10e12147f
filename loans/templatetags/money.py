from django import template

from loans.products.money import format_cop

register = template.Library()


@register.filter
def cop(amount):
    return format_cop(amount)
