"""PLACEHOLDER: replaced by the pages work."""

from django.http import HttpResponse


def home(request):
    return HttpResponse("Referral Desk")


def intake(request):
    return HttpResponse("intake")


def intake_done(request, number):
    return HttpResponse("thanks")


def accept_page(request):
    return HttpResponse("accept")


def action_link(request, token):
    return HttpResponse("link")
