"""Save the analytics page's HTML for fixed filters at a fixed time, to diff two versions of the
code on the same data (figures must not change when the page is made faster).

Run each checkout's own copy (it imports the code of the checkout it sits in) against the bench's
data set (read only; the same data in both runs), then diff the folders:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rd_an100k \\
        .venv/bin/python bench/analytics_snapshot.py /tmp/old
    diff -r /tmp/old /tmp/new

Signs in as the bench's staff user (made by bench/analytics_100k.py); the CSRF token, different
on every request, is masked.
"""

import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

import time_machine  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client as HttpClient  # noqa: E402

from providers.models import InsuranceNetwork  # noqa: E402

AT = "2026-11-29 09:30:00Z"  # a day after the bench's data end
TWO_YEARS = {"start": "2024-11-01", "end": "2026-11-28"}


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    network = InsuranceNetwork.objects.order_by("pk").values_list("pk", flat=True).first()
    scenarios = {
        "two_years": TWO_YEARS,
        "default": {},
        "empty": {"start": "2020-01-01", "end": "2020-01-07"},
        "type": {**TWO_YEARS, "kind": "preferred"},
        "network": {**TWO_YEARS, "network": str(network)},
        "self_pay": {**TWO_YEARS, "network": "self"},
        "type_default": {"kind": "general"},
        "one_week": {"start": "2026-11-20", "end": "2026-11-28"},
    }
    http = HttpClient()
    http.force_login(get_user_model().objects.get(username="bench-staff"))
    with time_machine.travel(AT, tick=False):
        for name, query in scenarios.items():
            response = http.get("/desk/analytics/", query)
            assert response.status_code == 200, (name, response.status_code)
            page = re.sub(rb"[A-Za-z0-9]{64}", b"CSRF", response.content)
            (out / f"{name}.html").write_bytes(page)
            print(f"{name:14s} {len(page):>8,} bytes")


if __name__ == "__main__":
    main()
