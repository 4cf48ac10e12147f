#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")
    # Django's own manage.py template: the settings module is chosen before Django is imported.
    from django.core.management import execute_from_command_line  # noqa: PLC0415 - after the settings are chosen

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
