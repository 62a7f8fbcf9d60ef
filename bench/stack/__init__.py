"""The bare view served through Referral Desk's own stack (bench/run_all.py, bench/intake_profile.py).

The same one-INSERT view as bench/bare/, mounted at the end of Referral Desk's URLs with Referral
Desk's settings (every middleware, the session, CSRF, the URL map), so the gap between it and
the bare view is what the stack itself costs, before any of the intake's own work.
"""
