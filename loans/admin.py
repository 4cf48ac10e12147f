"""Django's admin autodiscovery imports ``loans.admin``: this module loads every subject's admin."""

from loans.applications import admin as applications_admin  # noqa: F401
from loans.products import admin as products_admin  # noqa: F401
from loans.programmes import admin as programmes_admin  # noqa: F401
from loans.review import admin as review_admin  # noqa: F401
from loans.servicing import admin as servicing_admin  # noqa: F401
