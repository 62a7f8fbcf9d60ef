"""Who asked for a change: a signed-in user, a link holder, the API, or the worker.

Every app's services take an `Actor` and write its label into their history, so it lives here,
below all of them (providers and referrals both use it)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """Who asked for a change: a signed-in user, a link holder, the API, or the worker."""

    label: str
    user: object | None = None
    is_staff: bool = False

    @classmethod
    def for_user(cls, user) -> "Actor":
        return cls(label=user.get_username(), user=user, is_staff=bool(user.is_staff))


WORKER = Actor(label="worker")
CLIENT = Actor(label="client (status page)")
