from django.urls import path

from referrals.web import accept_views, link_views
from referrals.web import intake_views as views

app_name = "referrals"

urlpatterns = [
    path("", views.home, name="home"),
    path("referrals/new/", views.intake, name="intake"),
    path("referrals/thanks/", views.intake_done, name="intake_done"),
    path("accept/", accept_views.accept_page, name="accept"),
    path("r/<str:token>/", link_views.action_link, name="link"),
]
