from django.urls import path

from providers import directory, signin

app_name = "providers"

urlpatterns = [
    path("signin/", signin.signin, name="signin"),
    path("signin/<str:token>/", signin.signin_link, name="signin_link"),
    path("signout/", signin.signout, name="signout"),
    path("providers/", directory.directory, name="directory"),
    path("providers/<int:pk>/", directory.profile, name="profile"),
    path("providers/photos/<int:pk>.jpg", directory.photo, name="photo"),
]
