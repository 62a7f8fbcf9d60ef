"""The referral pages: intake, the Accept Referral page, the email-link pages and their forms."""
