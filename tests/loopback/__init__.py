"""Loopback Slack, Twilio and SMTP servers (servers.py) and the pytest fixtures that start them."""
