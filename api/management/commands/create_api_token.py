"""`manage.py create_api_token NAME`: make a token for one integration and print it, once."""

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from api.models import ApiToken


class Command(BaseCommand):
    help = "Create an API token for an integration and print it. It is stored only as a hash."

    def add_arguments(self, parser):
        parser.add_argument("name", help="Who will use it, e.g. website or aetna-feed.")

    def handle(self, *args, name: str, **options):
        name = name.strip()
        limit = ApiToken._meta.get_field("name").max_length
        if not name or len(name) > limit:
            raise CommandError(f"NAME must be 1 to {limit} characters.")
        try:
            token, secret = ApiToken.issue(name)
        except IntegrityError as exc:
            raise CommandError(
                f"A token named {name!r} already exists; choose another name."
            ) from exc
        self.stderr.write(
            f"Created API token {token.name!r} (starts {token.prefix}). Copy it now: it is not "
            "stored and cannot be shown again. Send it as 'Authorization: Bearer <token>'."
        )
        self.stdout.write(secret)
