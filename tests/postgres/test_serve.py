"""`bin/serve` (what `make serve` and the README's production section run) on PostgreSQL with
production settings: migrate, collectstatic, gunicorn and the worker. A referral goes through over
real HTTP (intake form, outbox delivered on the development backend, accept by the emailed link),
`/healthz` answers, and SIGTERM to the process group stops everything cleanly.

Requests carry `X-Forwarded-Proto: https`, as Caddy (deploy/Caddyfile) sends them: the server runs
exactly as in production, HTTPS redirect and secure cookies included; only `/healthz` is asked
over plain HTTP, as a probe on the host would."""

import http.client
import os
import re
import secrets
import signal
import time
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

import pytest

from notifications.models import OutboxMessage
from referrals.models import Referral
from tests.loopback.processes import database_url, start_serve
from tests.loopback.servers import free_port, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser:
    """Just enough of a browser behind Caddy: cookies, the forwarded scheme, the Origin header."""

    def __init__(self, port: int):
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"
        self.cookies = SimpleCookie()

    def request(self, method, path, form=None, behind_proxy=True):
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if behind_proxy:
            headers["X-Forwarded-Proto"] = "https"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={m.value}" for k, m in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
                "Referer": self.origin + path,
            }
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode()
        finally:
            conn.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            self.cookies.load(cookie)
        return response, text

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post_form(self, path, fields):
        """GET the page for its CSRF token, then POST the form."""
        page, text = self.get(path)
        assert page.status == 200, text
        token = CSRF_FIELD.search(text).group(1)
        return self.request("POST", path, form={"csrfmiddlewaretoken": token, **fields})


def answers(browser: Browser) -> bool:
    try:
        return browser.get("/healthz", behind_proxy=False)[0].status == 200
    except OSError:
        return False


def group_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def test_make_serve_takes_a_referral_from_intake_to_accept_and_stops_on_sigterm(
    ana, aetna, tmp_path
):
    port = free_port()
    log = tmp_path / "serve.log"
    env = {
        "DATABASE_URL": database_url(),
        "PORT": port,
        "WEB_CONCURRENCY": "2",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"https://127.0.0.1:{port}",
        "STATIC_ROOT": tmp_path / "static",
        "WORKER_POLL_INTERVAL": "0.2s",
        "SLACK_MIN_INTERVAL": "0.01s",
        "SMS_MIN_INTERVAL": "0.01s",
        # every channel on the development backend
        "SLACK_BOT_TOKEN": "",
        "EMAIL_URL": "",
        "TWILIO_ACCOUNT_SID": "",
    }
    serve = start_serve(env, log)
    browser = Browser(port)
    try:
        assert wait_until(lambda: answers(browser), timeout=40), log.read_text()
        # production settings: plain HTTP is sent to HTTPS (Caddy does TLS)
        redirect, _ = browser.get("/referrals/new/", behind_proxy=False)
        assert redirect.status == 301
        assert redirect.headers["Location"] == f"https://127.0.0.1:{port}/referrals/new/"

        response, text = browser.post_form(
            "/referrals/new/",
            {
                "first_name": "Sam",
                "last_name": "Rivera",
                "email": "sam.rivera@example.org",
                "phone": "(201) 987-0001",
                "insurance": str(aetna.pk),
                "preferred_provider": str(ana.pk),
            },
        )
        assert response.status == 302, text
        referral = Referral.objects.get()
        messages = OutboxMessage.objects.filter(referral=referral)
        assert wait_until(
            lambda: messages.exists() and not messages.exclude(status="sent").exists(),
            timeout=20,
        ), log.read_text()
        mail = messages.get(channel="email", recipient=ana.email)
        link = re.search(r"Accept or decline: (\S+)", mail.body_text).group(1)
        assert link.startswith(f"https://127.0.0.1:{port}/")

        response, text = browser.post_form(urlsplit(link).path, {"choice": "accept"})
        assert response.status == 200, text
        referral.refresh_from_db()
        assert referral.status == Referral.Status.ACCEPTED and referral.accepted_by == ana

        started = time.monotonic()
        os.killpg(serve.pid, signal.SIGTERM)
        assert serve.wait(timeout=25) == 0, log.read_text()
        assert wait_until(lambda: group_gone(serve.pid), timeout=25 - (time.monotonic() - started))
    finally:
        if not group_gone(serve.pid):
            os.killpg(serve.pid, signal.SIGKILL)
            serve.wait(timeout=5)
    text = log.read_text()
    assert "worker stopped" in text
    assert "Traceback" not in text, text
    assert not OutboxMessage.objects.filter(status="inflight").exists()
