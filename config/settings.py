"""Referral Desk settings: every value comes from the environment, with defaults that run locally.

The README's configuration table lists each variable. Storage is UTC; DISPLAY_TIME_ZONE only
changes how times are shown.
"""

import os
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dj_database_url
import phonenumbers
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.cache_url import cache_settings
from config.client_ip import parse_trusted_proxies
from config.durations import parse_duration
from config.throttle import parse_rate

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


# Production is the default: only DEBUG=true (set by `make run` and the tests) allows the
# development key, which is published in this repository. Anything else refuses to start.
DEBUG = env_bool("DEBUG", False)
DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-change-me-in-production-0123456789abcdef"
SECRET_KEY = env("SECRET_KEY", DEVELOPMENT_SECRET_KEY if DEBUG else "")
if not DEBUG and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("dev-only")):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a secret of at least 50 characters (not the development key) "
        "unless DEBUG=true. Generate one with: python -c 'import secrets; "
        "print(secrets.token_urlsafe(50))'"
    )

SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
PRACTICE_NAME = env("PRACTICE_NAME", "Hello Practice Counseling Group")
PRACTICE_PHONE = env("PRACTICE_PHONE", "(555) 010-0100")
PRACTICE_EMAIL = env("PRACTICE_EMAIL", "intake@example.com")
# Phone numbers typed without +country code are read as this region's; shown in its format.
PHONE_REGION = env("PHONE_REGION", "US").upper()
if PHONE_REGION not in phonenumbers.SUPPORTED_REGIONS:
    raise ImproperlyConfigured(
        f"PHONE_REGION={PHONE_REGION!r} is not a region code phone numbers know: use two "
        "letters like US, CA or GB."
    )

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
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "ninja",
    "throttles",
    "providers",
    "referrals",
    "notifications",
    "api",
    "desk",
    "portal",
    "replies",
    "client_status",
    "worker",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "desk.staff_session.StaffIdleTimeoutMiddleware",
    "providers.devices.SignedInDeviceMiddleware",
    "desk.second_factor.StaffSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.no_store.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
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
            # `when`, `duration`, `phone` and {% respond_within %} in every template
            "builtins": ["config.display", "config.goal_tags", "config.phones"],
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
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Reused connections are checked without a round trip (config/postgres/base.py).
        DATABASES["default"]["ENGINE"] = "config.postgres"
    # Our queries are short; PostgreSQL's JIT compile costs more than it saves (36 ms of a
    # 176 ms analytics query in bench/analytics_100k.py). A DATABASE_URL ?options=... wins.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
# Persistent connections: a web process reuses its connection for DB_CONN_MAX_AGE ("0" = a new
# one per request) instead of connecting for every request, and checks it still answers before
# reusing it, so a restarted database costs a reconnect, not an error page. On PostgreSQL the
# check reads the connection's socket instead of sending `SELECT 1` (config/postgres/base.py).
DB_CONN_MAX_AGE = env("DB_CONN_MAX_AGE", "60s").strip()
DATABASES["default"]["CONN_MAX_AGE"] = (
    0
    if DB_CONN_MAX_AGE == "0"
    else parse_duration(DB_CONN_MAX_AGE, "DB_CONN_MAX_AGE").total_seconds()
)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Axes first: it refuses a locked-out username+address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
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
# Where `collectstatic` gathers the files WhiteNoise serves (bin/serve runs it on each start).
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
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

# --- Health (worker/health.py): /healthz and `manage.py status` ------------------------------
# The worker writes a heartbeat each pass of its loop; older than this, the service is unhealthy.
WORKER_HEARTBEAT_MAX_AGE = parse_duration(
    env("WORKER_HEARTBEAT_MAX_AGE", "2m"), "WORKER_HEARTBEAT_MAX_AGE"
)

# --- The 12-hour contact promise --------------------------------------------------------------
# The policy's "respond to referred clients within 12 hours": the goal the analytics, the desk and
# the Provider Portal count against and say ("answered within", "contacted within").
RESPOND_WITHIN = parse_duration(env("RESPOND_WITHIN", "12h"), "RESPOND_WITHIN")
# A provider who accepted and has not confirmed contacting the client this long after accepting
# is nudged by email and SMS (once), and the referral shows under the desk's "Needs attention".
CONTACT_WITHIN = parse_duration(env("CONTACT_WITHIN", "12h"), "CONTACT_WITHIN")

# --- Routing: offers that move on by themselves (referrals/routing.py) -----------------------
# On: an available referral is offered to waves of ROUTING_WAVE_SIZE eligible providers, a new
# wave every ROUTING_WAVE_AFTER without an accept. Off: the policy's plain behaviour (Slack only).
ROUTING = env_bool("ROUTING", True)
ROUTING_WAVE_AFTER = parse_duration(env("ROUTING_WAVE_AFTER", "4h"), "ROUTING_WAVE_AFTER")
try:
    ROUTING_WAVE_SIZE = int(env("ROUTING_WAVE_SIZE", "3"))
except ValueError:
    ROUTING_WAVE_SIZE = 0
if not 1 <= ROUTING_WAVE_SIZE <= 50:
    raise ImproperlyConfigured("ROUTING_WAVE_SIZE must be a whole number from 1 to 50.")

# --- Throttles: who the client is, and how often; Django's cache -------------------------------
# X-Forwarded-For is believed only from these proxies (addresses or CIDR ranges); see
# config/client_ip.py. Counters are a table every web process shares (throttles.counters).
# The cache (cached figures) is the database by default, Redis with CACHE_URL=redis://...
# (config/cache_url.py).
TRUSTED_PROXIES = parse_trusted_proxies(env("TRUSTED_PROXIES"))
CACHES = cache_settings(env("CACHE_URL"))
# Intake form submissions and API creates per client address.
INTAKE_RATE_LIMIT = parse_rate(env("INTAKE_RATE_LIMIT", "10/h"), "INTAKE_RATE_LIMIT")
# Actions on a client's status page (withdraw, best times, "no one has contacted me") per address.
STATUS_ACTION_RATE_LIMIT = parse_rate(
    env("STATUS_ACTION_RATE_LIMIT", "20/h"), "STATUS_ACTION_RATE_LIMIT"
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
# --- Replies from Slack buttons and text messages (replies/) --------------------------------
# Slack signs each button press with the app's signing secret; unset = every press is refused.
# Text-message replies are checked with TWILIO_AUTH_TOKEN (unset = every reply is refused).
SLACK_SIGNING_SECRET = env("SLACK_SIGNING_SECRET")

OUTBOX_INFLIGHT_TIMEOUT = parse_duration(
    env("OUTBOX_INFLIGHT_TIMEOUT", "2m"), "OUTBOX_INFLIGHT_TIMEOUT"
)
DELIVERY_TIMEOUT = parse_duration(env("DELIVERY_TIMEOUT", "10s"), "DELIVERY_TIMEOUT")
# Least time between two sends per worker: Slack ~1 post/s per channel, an SMS number ~1 segment/s.
SLACK_MIN_INTERVAL = parse_duration(env("SLACK_MIN_INTERVAL", "1s"), "SLACK_MIN_INTERVAL")
SMS_MIN_INTERVAL = parse_duration(env("SMS_MIN_INTERVAL", "1s"), "SMS_MIN_INTERVAL")

# --- Retention of client details in sent messages -------------------------------------------
# A delivered message's subject and text (they may name the client) are emptied this long after
# delivery; channel, recipient, template, status and times stay (notifications/retention.py).
OUTBOX_BODY_RETENTION = parse_duration(env("OUTBOX_BODY_RETENTION", "30d"), "OUTBOX_BODY_RETENTION")

if EMAIL_URL:
    from config.email_url import email_settings

    globals().update(email_settings(EMAIL_URL))
else:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# --- Production hardening (DEBUG off) --------------------------------------------------------
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # A probe on the server itself (curl http://127.0.0.1:8000/healthz) gets an answer, not a
    # redirect; the body says nothing about anyone.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
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

# --- Pages with health information: CSP, staff sessions, second factor, lockout --------------
# No inline script or style anywhere: everything is a file under static/ (django-csp).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# A staff session unused this long is signed out (desk/staff_session.py).
STAFF_IDLE_TIMEOUT = parse_duration(env("STAFF_IDLE_TIMEOUT", "30m"), "STAFF_IDLE_TIMEOUT")
# Staff confirm a TOTP code after their password (django-otp; desk/second_factor.py). On unless
# DEBUG=true; only an explicit STAFF_2FA_REQUIRED=false turns it off.
STAFF_2FA_REQUIRED = env_bool("STAFF_2FA_REQUIRED", not DEBUG)
OTP_TOTP_ISSUER = PRACTICE_NAME
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # admin never shows anyone's secret key again
# Wrong passwords lock that username from that address for a while (django-axes).
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = parse_duration(env("AXES_COOLOFF_TIME", "15m"), "AXES_COOLOFF_TIME")
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The same real client address as every other throttle (TRUSTED_PROXIES, config/client_ip.py).
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "signin/locked_out.html"

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
