"""Referral Desk's URL map, then the bare view (one INSERT per POST) at /bench/bare/."""

from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from bench.bare.urls import post
from config.urls import urlpatterns as desk

PATH = "/bench/bare/"

# csrf_exempt: like the API; the intake form's CSRF check is part of the form's own figure.
urlpatterns = [*desk, path(PATH.strip("/") + "/", csrf_exempt(post))]
