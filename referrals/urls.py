from django.urls import path

from referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.home, name="home"),
    path("referrals/new/", views.intake, name="intake"),
    path("referrals/thanks/<str:number>/", views.intake_done, name="intake_done"),
    path("accept/", views.accept_page, name="accept"),
    path("r/<str:token>/", views.action_link, name="link"),
]
