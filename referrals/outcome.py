"""Run one service call for a page and tell the person how it went, as a flash message: the
words of success from templates/flash/<done>.txt, or the service's own reason for refusing
(then nothing changed). Used by the staff desk and the Provider Portal."""

from collections.abc import Callable

from django.contrib import messages

from config.flash import flash
from referrals.errors import ReferralError


def flash_outcome(request, action: Callable, done: str, *, number: str = "", **context) -> bool:
    """True if `action` went through; `number` prefixes a refusal ("R-00012: ...")."""
    try:
        action()
    except ReferralError as error:
        flash(request, messages.ERROR, "refused", number=number, reason=error.message)
        return False
    flash(request, messages.SUCCESS, done, **context)
    return True
