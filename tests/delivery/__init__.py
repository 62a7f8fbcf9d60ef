"""Delivery through real Slack-, SMTP- and Twilio-compatible servers on loopback."""
