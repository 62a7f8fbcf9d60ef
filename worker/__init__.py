"""The worker: one process that fires referral deadlines, delivers the outbox and tidies up after
every app (`manage.py worker`). It sits at the top of the layering, so it may call any app."""
