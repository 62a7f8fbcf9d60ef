"""The client's status page and its three actions, each under the request's signed link."""

from django.urls import path

from client_status import views

app_name = "client_status"

urlpatterns = [
    path("status/<str:token>/", views.status_page, name="page"),
    path("status/<str:token>/withdraw/", views.withdraw, name="withdraw"),
    path("status/<str:token>/best-times/", views.best_times, name="best_times"),
    path("status/<str:token>/not-contacted/", views.not_contacted, name="not_contacted"),
]
