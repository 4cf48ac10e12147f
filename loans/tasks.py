"""Celery's autodiscovery imports ``loans.tasks``: this module loads every subject's tasks.

Each subject keeps its tasks in its own ``tasks.py``; the task names (``loans.eligibility.*``,
``loans.notifications.*``, ``loans.loans.daily``, ``loans.exports.*``) decide the queue
(CELERY_TASK_ROUTES) and do not depend on the module path.
"""

from loans.applications import tasks as applications_tasks  # noqa: F401
from loans.reports import tasks as reports_tasks  # noqa: F401
from loans.review import tasks as review_tasks  # noqa: F401
from loans.servicing import tasks as servicing_tasks  # noqa: F401
