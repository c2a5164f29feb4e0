# SPDX-License-Identifier: MIT
"""Settings of the Django test app: /health and nothing else."""
import os
import secrets
import sys

# probes.py is shared with the FastAPI app, one directory up.
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))

SECRET_KEY = secrets.token_hex(32)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = []
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
ROOT_URLCONF = "hcdemo.urls"
DATABASES = {}
USE_TZ = True
LOGGING = {
    "version": 1,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["stderr"], "level": "INFO"},
}
