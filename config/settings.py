"""Referral Desk settings: every value comes from the environment, with defaults that run locally.

The README's configuration table lists each variable. Storage is UTC; DISPLAY_TIME_ZONE only
changes how times are shown.
"""

import os
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.durations import parse_duration

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} must be true or false.")


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env("SECRET_KEY", "dev-only-insecure-key-change-me-in-production-0123456789abcdef")
if not DEBUG and SECRET_KEY.startswith("dev-only"):
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
PRACTICE_NAME = env("PRACTICE_NAME", "Hello Practice Counseling Group")
PRACTICE_PHONE = env("PRACTICE_PHONE", "(555) 010-0100")
PRACTICE_EMAIL = env("PRACTICE_EMAIL", "intake@example.com")

ALLOWED_HOSTS = [
    h.strip()
    for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [SITE_URL] if SITE_URL.startswith("http") else []

INSTALLED_APPS = [
    "config.admin_site.SiteConfig",  # django.contrib.admin with a guarded site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "providers",
    "referrals",
    "notifications",
    "api",
    "desk",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context.practice",
            ],
        },
    },
]

# --- Database: SQLite file under var/ by default, PostgreSQL via DATABASE_URL -----------------
(BASE_DIR / "var").mkdir(exist_ok=True)
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'referral-desk.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # Writers take the lock at BEGIN, so two writers queue instead of failing mid-transaction.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file (not memory) so live-server threads and worker subprocesses share it; one per test
    # run so concurrent runs on one machine never meet.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / f"test-{os.getpid()}.sqlite3")}
else:
    # Our queries are short; PostgreSQL's JIT compile costs more than it saves (36 ms of a
    # 176 ms analytics query in bench/analytics_100k.py). A DATABASE_URL ?options=... wins.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "providers:signin"
LOGIN_REDIRECT_URL = "referrals:accept"

LANGUAGE_CODE = "en-us"
USE_I18N = False
USE_TZ = True
DISPLAY_TIME_ZONE = env("DISPLAY_TIME_ZONE", "America/New_York")
try:
    ZoneInfo(DISPLAY_TIME_ZONE)
except (ZoneInfoNotFoundError, ValueError) as exc:
    raise ImproperlyConfigured(
        f"DISPLAY_TIME_ZONE={DISPLAY_TIME_ZONE!r} is not a time zone."
    ) from exc
TIME_ZONE = DISPLAY_TIME_ZONE

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- The practice's timing policy (elapsed UTC durations) ------------------------------------
REFERRAL_LINK_TTL = parse_duration(env("REFERRAL_LINK_TTL", "12h"), "REFERRAL_LINK_TTL")
REFERRAL_REMINDER_AFTER = parse_duration(
    env("REFERRAL_REMINDER_AFTER", "24h"), "REFERRAL_REMINDER_AFTER"
)
REFERRAL_EXPIRE_AFTER = parse_duration(env("REFERRAL_EXPIRE_AFTER", "48h"), "REFERRAL_EXPIRE_AFTER")
WORKER_POLL_INTERVAL = parse_duration(env("WORKER_POLL_INTERVAL", "1s"), "WORKER_POLL_INTERVAL")
SIGNIN_LINK_TTL = parse_duration(env("SIGNIN_LINK_TTL", "15m"), "SIGNIN_LINK_TTL")
if REFERRAL_REMINDER_AFTER >= REFERRAL_EXPIRE_AFTER:
    raise ImproperlyConfigured(
        "REFERRAL_REMINDER_AFTER must be shorter than REFERRAL_EXPIRE_AFTER."
    )

# --- Channels (see notifications/clients.py; unset means the development backend) -------------
SLACK_BOT_TOKEN = env("SLACK_BOT_TOKEN")
SLACK_CHANNEL = env("SLACK_CHANNEL", "#referrals")
SLACK_API_URL = env("SLACK_API_URL", "https://slack.com/api/")
EMAIL_URL = env("EMAIL_URL")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", f"Referral Desk <{PRACTICE_EMAIL}>")
REPLY_TO_EMAIL = env("REPLY_TO_EMAIL", PRACTICE_EMAIL)
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN")
TWILIO_FROM_NUMBER = env("TWILIO_FROM_NUMBER")
TWILIO_API_URL = env("TWILIO_API_URL", "https://api.twilio.com")
OUTBOX_INFLIGHT_TIMEOUT = parse_duration(
    env("OUTBOX_INFLIGHT_TIMEOUT", "2m"), "OUTBOX_INFLIGHT_TIMEOUT"
)
DELIVERY_TIMEOUT = parse_duration(env("DELIVERY_TIMEOUT", "10s"), "DELIVERY_TIMEOUT")
# Least time between two sends per worker: Slack ~1 post/s per channel, an SMS number ~1 segment/s.
SLACK_MIN_INTERVAL = parse_duration(env("SLACK_MIN_INTERVAL", "1s"), "SLACK_MIN_INTERVAL")
SMS_MIN_INTERVAL = parse_duration(env("SMS_MIN_INTERVAL", "1s"), "SMS_MIN_INTERVAL")

if EMAIL_URL:
    from config.email_url import email_settings

    globals().update(email_settings(EMAIL_URL))
else:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# --- Production hardening (DEBUG off) --------------------------------------------------------
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "()": "config.logging.UTCFormatter",
            "format": "%(asctime)sZ %(levelname)s %(name)s: %(message)s",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
