"""Every subject's translated fields, one import per package: modeltranslation looks for
``<app>/translation.py`` (as Django looks for ``<app>/models.py``)."""

import loans.products.translation  # noqa: F401
