"""CACHES from CACHE_URL: Django's cache, shared by every web process (cached figures such as the
status page's typical response time, `client_status.progress`). The throttles do not count here
but in their own table (`throttles.counters`).

Unset: a table in the application's database (no new server; `manage.py createcachetable`
makes it, and test databases get it automatically). `redis://` or `rediss://`: Django's own
Redis cache. Anything else stops start-up: a per-process cache would hold a different figure in
each web process.
"""

from django.core.exceptions import ImproperlyConfigured

CACHE_TABLE = "referral_desk_cache"


def cache_settings(url: str) -> dict:
    if not url:
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": CACHE_TABLE,
            }
        }
    if url.startswith(("redis://", "rediss://")):
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url,
            }
        }
    raise ImproperlyConfigured(
        "CACHE_URL must start with redis:// or rediss://, or be unset to keep the cache "
        "in the database."
    )
