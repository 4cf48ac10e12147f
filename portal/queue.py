"""Queue a task without letting a broker outage fail the user's request.

The work is already committed; a periodic sweeper finds what was not queued (for example
applications left in `submitted`) and queues it again once the broker is back.
"""

import logging

from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def enqueue(task, *args, **kwargs) -> bool:
    try:
        task.apply_async(args=args, kwargs=kwargs)
    except (OperationalError, OSError) as error:  # the broker is unreachable: the sweeper will retry
        logger.warning("Could not queue %s (%s); the sweeper will queue it later.", task.name, type(error).__name__)
        return False
    return True
