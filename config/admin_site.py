"""The admin site, made to answer a tampered query string with a corrected view or 400, not 500.

Django's admin trusts some query parameters further than it should: a date lookup the calendar
cannot hold (`?created_at__year=9999&created_at__month=12`, `?at__year=-5`) overflows while the
changelist counts its rows, and an odd `_to_field` ends in FieldDoesNotExist. Both are the
request's fault. A changelist then does what Django does for any other wrong lookup (back to the
list with `?e=1`); any other admin page answers 400. An error with no query string to blame is
a real fault and still propagates.
"""

from functools import wraps

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.views.main import ERROR_FLAG
from django.core.exceptions import BadRequest, FieldDoesNotExist
from django.http import HttpResponseRedirect

_QUERY_FAULTS = (OverflowError, ValueError, FieldDoesNotExist)


class AdminSite(admin.AdminSite):
    def admin_view(self, view, cacheable=False):
        guarded = super().admin_view(view, cacheable)

        @wraps(view)
        def inner(request, *args, **kwargs):
            try:
                return guarded(request, *args, **kwargs)
            except _QUERY_FAULTS as exc:
                if not request.GET:
                    raise
                match = request.resolver_match
                if (
                    match
                    and match.url_name.endswith("_changelist")
                    and ERROR_FLAG not in request.GET
                ):
                    return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")
                raise BadRequest(
                    "The query string asks for something the admin cannot show."
                ) from exc

        return inner


class SiteConfig(AdminConfig):
    """Installed instead of "django.contrib.admin" so `admin.site` is the site above."""

    default_site = "config.admin_site.AdminSite"
