"""What a Slack user ID looks like, checked in one place.

A provider's ID is typed by staff (admin), the provider (Provider Portal) or a roster CSV, and the
Slack transport writes it into a message as `<@ID>`. Anything but `U` or `W` followed by capital
letters and digits (as Slack issues them) is refused where it is entered and never mentioned when
sent, so a value like `U1><!channel` can neither be saved nor ping a whole channel.
"""

import re

from django.core.exceptions import ValidationError

_SLACK_USER_ID = re.compile(r"\A[UW][A-Z0-9]{2,31}\Z")


def is_slack_user_id(value) -> bool:
    return isinstance(value, str) and bool(_SLACK_USER_ID.match(value))


def validate_slack_user_id(value: str) -> None:
    """The validator for every form and import that takes a Slack user ID ("" is allowed)."""
    if value and not is_slack_user_id(value):
        raise ValidationError(
            "%(value)r is not a Slack user ID (like U024BE7LH)",
            code="invalid_slack_user_id",
            params={"value": value},
        )
