"""The staff desk: the live queue, one referral's timeline and actions, and analytics."""

from django.urls import path

from desk import actions, analytics_views, providers, second_factor, views

app_name = "desk"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("referrals/<int:pk>/", views.timeline, name="timeline"),
    path("referrals/<int:pk>/offer/", actions.offer, name="offer"),
    path("referrals/<int:pk>/decline/", actions.decline, name="decline"),
    path("referrals/<int:pk>/note/", actions.note, name="note"),
    path("referrals/<int:pk>/contacted/", actions.contacted, name="contacted"),
    path("referrals/<int:pk>/assign/", actions.assign, name="assign"),
    path("referrals/<int:pk>/close/", actions.close, name="close"),
    path("referrals/<int:pk>/merge/", actions.merge, name="merge"),
    path(
        "referrals/<int:pk>/revoke-status-links/",
        actions.revoke_status_links,
        name="revoke_status_links",
    ),
    path("analytics/", analytics_views.analytics, name="analytics"),
    path("providers/", providers.providers, name="providers"),
    path(
        "providers/<int:pk>/availability/",
        providers.provider_availability,
        name="provider_availability",
    ),
    path(
        "providers/<int:pk>/sign-out-everywhere/",
        providers.sign_out_everywhere,
        name="provider_sign_out_everywhere",
    ),
    path("sign-in/code/", second_factor.second_factor, name="second_factor"),
    path("analytics/export.csv", analytics_views.export_csv, name="export"),
]
