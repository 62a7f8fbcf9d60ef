"""PLACEHOLDER: replaced by the pages work."""

from django.http import HttpResponse


def signin(request):
    return HttpResponse("signin")


def signin_link(request, uidb64, token):
    return HttpResponse("signin link")


def signout(request):
    return HttpResponse("signout")
