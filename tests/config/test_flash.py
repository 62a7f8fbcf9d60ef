"""config.flash: a flash message is its template rendered with the context, on one line, and not
HTML-escaped (the page showing it escapes it once)."""

from types import SimpleNamespace

from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import RequestFactory

from config.flash import flash


def test_flash_renders_its_template_on_one_line_without_escaping(settings, tmp_path):
    (tmp_path / "flash").mkdir()
    (tmp_path / "flash" / "test_offered.txt").write_text(
        "\n  Offered to {{ provider.name }}.\n\n  They   have been\n  sent the email.\n"
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    request = RequestFactory().post("/")
    request._messages = CookieStorage(request)
    oneil = SimpleNamespace(name="Dana O'Neil <DO>")

    flash(request, messages.SUCCESS, "test_offered", provider=oneil)
    flash(request, messages.ERROR, "refused", number="R-1", reason="It's taken & gone.")

    shown = [(m.level, str(m)) for m in request._messages]
    assert shown == [
        (messages.SUCCESS, "Offered to Dana O'Neil <DO>. They have been sent the email."),
        (messages.ERROR, "R-1: It's taken & gone."),
    ]
