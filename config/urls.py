"""Top-level URL map: public pages, provider pages, admin and the JSON API."""

from django.contrib import admin
from django.urls import include, path

from api.api import api
from worker.health import healthz

admin.site.site_header = "Referral Desk"
admin.site.site_title = "Referral Desk admin"
admin.site.site_url = "/desk/"  # "View site" takes staff to their desk

urlpatterns = [
    path("", include("referrals.web.urls")),
    path("", include("providers.urls")),
    path("desk/", include("desk.urls")),
    path("portal/", include("portal.urls")),
    path("", include("replies.urls")),
    path("", include("client_status.urls")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("healthz", healthz, name="healthz"),
]
