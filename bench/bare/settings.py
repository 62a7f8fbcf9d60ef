"""Settings of the bare-view baseline (bench/run_all.py): no apps, no middleware, the same
database and the same persistent connections as Referral Desk, so what it measures is the upper
limit of any Django view on this stack: parse the request, one INSERT, answer."""

import os

import dj_database_url

SECRET_KEY = "bench-bare-view-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "bench.bare.urls"
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
USE_TZ = True
DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Checked as Referral Desk checks them, from the socket (config/postgres/base.py), so the
    # ratio compares the views, not the health checks.
    DATABASES["default"]["ENGINE"] = "config.postgres"
