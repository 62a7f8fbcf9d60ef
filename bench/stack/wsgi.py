"""WSGI entry of the bare view through Referral Desk's stack: `gunicorn bench.stack.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.stack.settings"
application = get_wsgi_application()
