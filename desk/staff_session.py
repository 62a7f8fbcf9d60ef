"""Staff sessions end after STAFF_IDLE_TIMEOUT without activity (30 minutes by default).

Staff see every client's details; a desk left open on an unattended computer must not stay signed
in. The last activity is a timestamp in the session, stamped at sign-in and refreshed at most once
a minute (so a page's queries do not grow by a session write on every request). The queue's
background poll (header `X-Background-Poll`) is not activity: it cannot keep a session alive.
"""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpResponse
from django.urls import reverse

LAST_SEEN = "staff_last_seen"
REFRESH_EVERY = 60  # seconds


@receiver(user_logged_in)
def stamp_sign_in(sender, request, user, **kwargs):
    if request is not None and user.is_staff:
        request.session[LAST_SEEN] = time.time()


class StaffIdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.is_staff:
            now = time.time()
            last_seen = request.session.get(LAST_SEEN, now)
            if now - last_seen > settings.STAFF_IDLE_TIMEOUT.total_seconds():
                logout(request)
                return _to_sign_in(request)
            background = request.headers.get("X-Background-Poll") == "true"
            if not background and (
                LAST_SEEN not in request.session or now - last_seen >= REFRESH_EVERY
            ):
                request.session[LAST_SEEN] = now
        return self.get_response(request)


def _to_sign_in(request):
    login_url = reverse("admin:login")
    if request.headers.get("HX-Request"):
        # htmx would swap the sign-in page into the panel; this reloads the whole page instead.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = redirect_to_login(request.path, login_url)["Location"]
        return response
    return redirect_to_login(request.get_full_path(), login_url)
