"""Providers, the insurance networks they participate in, and their public profile.

A provider signs in through a one-time link sent to their practice address, so each provider
has a Django user with no usable password.

Specialties and languages are small tables (many-to-many), so the provider page filters on
indexed keys. Photos are stored in the database as small re-encoded JPEGs (`Photo`): they go
with the backups, need no media server, and their size is known for the page's <img>. Profile
text and photos that clients read are changed through `ProfileChange`, which staff approve.

Availability (accepting new clients, away dates, a weekly limit) is the provider's own to set;
`providers.availability` answers who may get new referrals, and every change of it is an
`AvailabilityChange` row (`providers.services.set_availability`).
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from notifications.slack_ids import is_slack_user_id, validate_slack_user_id
from providers import availability


class InsuranceNetwork(models.Model):
    name = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Specialty(models.Model):
    name = models.CharField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "specialties"

    def __str__(self):
        return self.name


class Language(models.Model):
    name = models.CharField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Photo(models.Model):
    """A provider's headshot: a square JPEG, re-encoded on upload (no EXIF, fixed size)."""

    SIZE = 320

    data = models.BinaryField()
    width = models.PositiveSmallIntegerField(default=SIZE)
    height = models.PositiveSmallIntegerField(default=SIZE)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Photo {self.pk}"


class ProviderQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Provider.Status.ACTIVE)

    def taking_new_referrals(self, at=None):
        """Active providers who may be offered a new referral at `at` (default now): accepting
        new clients, not away that day, under their weekly limit. See `providers.availability`."""
        return availability.taking_new_referrals(self, at)

    def with_availability(self, at=None):
        """Annotate what `providers.availability.availability` needs, so a list costs no more
        queries for showing each provider's availability."""
        return availability.annotate_recent_offers(self, at)


BIO_MAX = 2000


class Provider(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"

    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    email = models.EmailField("practice email", unique=True)
    phone = models.CharField(
        "mobile phone for alerts (E.164)",
        max_length=20,
        blank=True,
        help_text="Where referral texts to the provider go (and where their text replies come "
        "from). Never shown to clients.",
    )
    office_phone = models.CharField(
        "office phone for clients (E.164)",
        max_length=20,
        blank=True,
        help_text="The line clients should call: shown in the client's 24-hour Reminder email "
        "(and the client's status page). Empty: clients are given the practice's number.",
    )
    slack_user_id = models.CharField(
        "Slack user ID", max_length=32, blank=True, validators=[validate_slack_user_id]
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    insurance_networks = models.ManyToManyField(
        InsuranceNetwork, related_name="providers", blank=True
    )
    credentials = models.CharField(
        max_length=80, blank=True, help_text='Shown after the name, e.g. "LCSW" or "PhD".'
    )
    bio = models.TextField("biography", blank=True, max_length=BIO_MAX)
    specialties = models.ManyToManyField(Specialty, related_name="providers", blank=True)
    languages = models.ManyToManyField(Language, related_name="providers", blank=True)
    # Who they see and how (values of `providers.needs.CareFor` / `Modality`): used only to
    # order providers by fit to what a client asked for.
    populations = models.JSONField(
        default=list, blank=True, help_text="Who they see: adult, teen, child, couple, family."
    )
    modalities = models.JSONField(
        default=list, blank=True, help_text="How they see clients: in_person, video."
    )
    photo = models.ForeignKey(
        Photo, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="provider",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Availability: changed only through providers.services.set_availability (history kept).
    accepting_new_clients = models.BooleanField(
        default=True, help_text="Untick to get no new referrals; the listing stays."
    )
    away_from = models.DateField(
        null=True, blank=True, help_text="First day away (the practice's time zone)."
    )
    away_until = models.DateField(
        null=True, blank=True, help_text="Last day away; new referrals again the day after."
    )
    weekly_limit = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="At most this many new referrals offered in any 7 days; empty for no limit.",
    )

    objects = ProviderQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [models.Index(fields=["status"])]
        constraints = [
            models.CheckConstraint(
                name="away_dates_together_in_order",
                violation_error_message="Away dates go together: “Away until” on or after "
                "“Away from”.",
                condition=(
                    models.Q(away_from__isnull=True, away_until__isnull=True)
                    | models.Q(away_from__isnull=False, away_until__gte=models.F("away_from"))
                ),
            ),
            models.CheckConstraint(
                name="weekly_limit_positive",
                violation_error_message="A weekly limit is at least 1, or empty for no limit.",
                condition=models.Q(weekly_limit__isnull=True) | models.Q(weekly_limit__gte=1),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def slack_mention_id(self) -> str:
        """The Slack user ID to @-mention, or "" when none is stored or it is not valid."""
        return self.slack_user_id if is_slack_user_id(self.slack_user_id) else ""

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class AvailabilityChange(models.Model):
    """The provider's history: one row per availability field changed, who changed it and when.

    Rows are only ever added (`providers.services.set_availability` writes them)."""

    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, related_name="availability_changes"
    )
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=80, help_text="Who changed it.")
    field = models.CharField(max_length=40)
    old = models.CharField(max_length=40, blank=True)
    new = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["provider", "at"], name="availability_change_at")]

    def __str__(self):
        return f"{self.field}: {self.old or '—'} → {self.new or '—'}"


class ProfileChange(models.Model):
    """Profile changes a provider proposed; clients see them only once staff approve.

    `proposed` holds only what changes: any of "bio" (text), "specialties" and "languages"
    (lists of ids); a new photo is `photo`. One pending change per provider: proposing again
    adds to it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for staff approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="profile_changes")
    proposed = models.JSONField(default=dict, blank=True)
    photo = models.ForeignKey(
        Photo, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider"],
                condition=models.Q(status="pending"),
                name="one_pending_profile_change",
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"Profile change for {self.provider} ({self.get_status_display()})"


class SignInLink(models.Model):
    """One request for a sign-in link, and the one-time link the worker emailed for it.

    The sign-in page only writes this row, the same for any address, so its answer takes the
    same time whether or not the address is a provider's. The worker looks the address up,
    emails a link when it belongs to an active provider, and blanks the typed address. Using the
    link sets `used_at` with a conditional UPDATE, so only the first use signs in.
    """

    email = models.EmailField(blank=True, help_text="As typed; blanked once the worker handled it.")
    next_url = models.CharField(max_length=2000, blank=True)
    requested_at = models.DateTimeField()
    handled_at = models.DateTimeField(null=True, blank=True)
    provider = models.ForeignKey(
        Provider, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    used_at = models.DateTimeField(null=True, blank=True)
    keep_signed_in = models.BooleanField(
        default=False, help_text="Ticked on the sign-in page: stay signed in on that device."
    )

    class Meta:
        indexes = [
            models.Index(
                fields=["requested_at"],
                name="signin_link_unhandled",
                condition=models.Q(handled_at__isnull=True),
            ),
            models.Index(fields=["requested_at"], name="signin_link_requested"),
        ]

    def __str__(self):
        return f"sign-in link {self.pk}"


class ProviderDevice(models.Model):
    """One signed-in session of a provider: the device they signed in on (`providers.devices`).

    The session is named by a keyed hash of its key, never the key itself. A session whose row
    is signed out, or missing, signs in no one from its next request on.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    session_key_hash = models.CharField(max_length=64, unique=True)
    browser = models.CharField(max_length=40, blank=True)
    os = models.CharField("system", max_length=40, blank=True)
    created_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    signed_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_seen_at", "-id"]
        indexes = [models.Index(fields=["user", "expires_at"], name="device_user_expires")]

    def __str__(self):
        return f"device {self.pk}"
