from django.urls import path

from replies.slack_interactions import slack_interactions
from replies.sms_inbound import sms_inbound

app_name = "replies"

urlpatterns = [
    path("slack/interactions", slack_interactions, name="slack_interactions"),
    path("sms/inbound", sms_inbound, name="sms_inbound"),
]
