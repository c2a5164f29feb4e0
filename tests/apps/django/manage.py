#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The Django test app's manage.py (tests/servers/django.sh runs
`manage.py runserver --noreload 127.0.0.1:PORT`)."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hcdemo.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
