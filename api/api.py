"""PLACEHOLDER: replaced by the API work."""

from ninja import NinjaAPI

api = NinjaAPI(title="Referral Desk API", version="1")
