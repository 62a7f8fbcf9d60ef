from django.urls import path

from providers import views

app_name = "providers"

urlpatterns = [
    path("signin/", views.signin, name="signin"),
    path("signin/<str:uidb64>/<str:token>/", views.signin_link, name="signin_link"),
    path("signout/", views.signout, name="signout"),
]
