#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if sys.argv[1:2] == ["makemigrations"]:
        # Comparing models with migrations reads no secret and serves nothing, so it needs no
        # production secret key or file keys: a fresh checkout can run it as it is.
        os.environ.setdefault("SAFECASE_DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
