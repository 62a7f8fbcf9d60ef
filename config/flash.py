"""Flash messages (Django's `messages`) rendered from templates/flash/<name>.txt.

The team rule is that every user-visible text lives in a template, not in Python, and the notes
shown at the top of a page after an action are user-visible text. A view says what happened
(`flash(request, messages.SUCCESS, "referral_offered", provider=provider)`); the words are in
the template.

The text is rendered with autoescaping off: it is plain text, and the page that shows a message
escapes it then. Escaping here too would show "O'Neil" as "O&#x27;Neil".
"""

from django.contrib import messages

from config.plain_text import render_plain


def flash(request, level: int, name: str, **context) -> None:
    """Queue the message rendered from templates/flash/<name>.txt, on one line, for the next page."""
    text = render_plain(f"flash/{name}.txt", context)
    messages.add_message(request, level, " ".join(text.split()))
