"""`Cache-Control: no-store` on every page that shows client details.

Client details are health information: no browser cache, shared computer or proxy may keep a copy.
The pages are named here, by URL namespace or view name, so a new page in the desk, the portal or
admin is covered without remembering a decorator.
"""

from django.utils.cache import add_never_cache_headers

NAMESPACES = {"desk", "portal", "admin", "client_status"}
VIEWS = {
    "referrals:intake",  # a refused form shows what the client typed
    "referrals:intake_done",
    "referrals:accept",
    "referrals:link",
}


def shows_client_details(request) -> bool:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return False
    return bool(set(match.namespaces) & NAMESPACES) or match.view_name in VIEWS


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if shows_client_details(request):
            add_never_cache_headers(response)
        return response
