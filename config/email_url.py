"""Turn EMAIL_URL (smtp://user:pass@host:587, smtps://host:465) into Django's SMTP settings."""

from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured


def email_settings(url: str) -> dict:
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
        raise ImproperlyConfigured(
            f"EMAIL_URL must look like smtp://user:password@host:587 or smtps://host:465 "
            f"(got scheme {parts.scheme!r})."
        )
    ssl = parts.scheme == "smtps"
    port = parts.port or (465 if ssl else 587)
    query = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
    # STARTTLS on smtp://, port 25 too, unless the URL says ?tls=0 (a trusted local relay).
    tls = not ssl and query.get("tls", "1") not in {"0", "false"}
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": ssl,
        "EMAIL_USE_TLS": tls,
    }
