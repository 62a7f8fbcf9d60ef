"""Render a template as plain text: no HTML escaping.

Django escapes variables for HTML, which is right for pages and HTML email but wrong for the
plain-text part of an email, an SMS or a flash message: "Dana O'Neil" would read
"Dana O&#x27;Neil". Those texts are rendered here instead (and escaped later by whatever shows
them as HTML).
"""

from django.template import Context, Engine


def render_plain(template_name: str, context: dict) -> str:
    template = Engine.get_default().get_template(template_name)
    return template.render(Context(context, autoescape=False))
