"""What the providers app tells the apps above it, which it may not import (tests/test_import_layers.py).

`provider_made_inactive` is sent inside the transaction that makes a provider inactive, with
`provider`, `actor` and `now`; the referrals app answers it (referrals/apps.py) by declining
every referral waiting for them, and each receiver hands back an `InactiveRelease`, so a failure
rolls the whole change back.
"""

from dataclasses import dataclass, field

from django.dispatch import Signal

provider_made_inactive = Signal()


@dataclass
class InactiveRelease:
    """What a receiver did: the referrals it declined and how many the provider still holds."""

    declined: list = field(default_factory=list)
    still_held: int = 0
