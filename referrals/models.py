"""Clients, referrals and the append-only audit trail of everything that happened to them.

State lives here; every change of state is made by `referrals.services`. Deadlines are indexed
columns (`remind_at`, `client_remind_at`, `expires_at`, `contact_due_at`) that the worker claims
when they fall due.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper

from providers.models import InsuranceNetwork, Language, Provider, Specialty
from providers.needs import CareFor, Modality


class Client(models.Model):
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    email = models.EmailField(blank=True)
    phone = models.CharField("phone (E.164)", max_length=20, blank=True)
    # Every client with an email gets the referral's emails (no opt-in); texts are opt-in.
    consent_sms = models.BooleanField(
        "wants text messages",
        default=False,
        help_text="Ticked on the intake form: the client also gets short texts (confirmation, "
        "24-hour Reminder, Decline Notice) at this phone, unless the number texted STOP.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["last_name", "first_name"]),
            # "The same person asking again" (`services.open_referral_of`) looks clients up by
            # email in any case, or by phone, on every intake: without these, a full scan of
            # every client ever seen.
            models.Index(Upper("email"), name="client_email_any_case"),
            models.Index(fields=["phone"], name="client_phone"),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"


class ReferralQuerySet(models.QuerySet):
    """The three things "open" used to mean, each under its own name."""

    def awaiting_answer(self):
        """Pending or available: a provider may still accept it (`Referral.OPEN_FOR_ACCEPTANCE`)."""
        return self.filter(status__in=Referral.OPEN_FOR_ACCEPTANCE)

    def not_closed(self):
        """Anything but closed: a second request from the same person joins one of these."""
        return self.filter(status__in=Referral.NOT_CLOSED)

    def on_the_desk(self):
        """What staff still follow: awaiting an answer, or accepted with contact not confirmed."""
        return self.filter(
            models.Q(status__in=Referral.OPEN_FOR_ACCEPTANCE)
            | models.Q(status=Referral.Status.ACCEPTED, contacted_at__isnull=True)
        )


class Referral(models.Model):
    class Kind(models.TextChoices):
        PREFERRED = "preferred", "Preferred Provider"
        GENERAL = "general", "General"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for one provider"
        AVAILABLE = "available", "Available to any eligible provider"
        ACCEPTED = "accepted", "Accepted"
        CLOSED = "closed", "Closed"

    class Outcome(models.TextChoices):
        """How a referral ended (`services.close_referral`); who may close with which is in
        `referrals.eligibility`."""

        FIRST_SESSION = "first_session", "First session scheduled"
        WITHDREW = "withdrew", "Client withdrew"
        UNREACHABLE = "unreachable", "Client could not be reached"
        DUPLICATE = "duplicate", "Duplicate (merged into another referral)"
        REFERRED_OUT = "referred_out", "Referred outside the practice"
        NO_PROVIDER = "no_provider", "No provider available"

    OPEN_FOR_ACCEPTANCE = (Status.PENDING, Status.AVAILABLE)
    # Not closed: a second request from the same person is attached to one of these.
    NOT_CLOSED = (Status.PENDING, Status.AVAILABLE, Status.ACCEPTED)
    # Every deadline the worker fires: closing a referral clears them all, so nothing is sent
    # about a closed referral. A new deadline column belongs in this list.
    DEADLINE_FIELDS = (
        "remind_at",
        "client_remind_at",
        "expires_at",
        "contact_due_at",
        "next_wave_at",
    )

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="referrals")
    insurance_network = models.ForeignKey(
        InsuranceNetwork,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
        help_text="Empty means self-pay or another insurance.",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    preferred_provider = models.ForeignKey(
        Provider,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="preferred_referrals",
    )
    # The client chose a preferred provider outside their insurance network and confirmed they
    # may pay out of pocket.
    out_of_network = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices)
    offered_to = models.ForeignKey(
        Provider,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="offered_referrals",
        help_text="While pending: the provider it waits for (the preferred provider, or one staff chose).",
    )
    accepted_by = models.ForeignKey(
        Provider, null=True, blank=True, on_delete=models.PROTECT, related_name="accepted_referrals"
    )
    source = models.CharField(max_length=40, default="web")

    created_at = models.DateTimeField()
    offered_at = models.DateTimeField(help_text="When the current offer round started.")
    accepted_at = models.DateTimeField(null=True, blank=True)
    last_declined_at = models.DateTimeField(null=True, blank=True)
    expired_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was last declined automatically."
    )
    link_sent_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the provider it waits for was last emailed an Accept/Decline link.",
    )
    contacted_at = models.DateTimeField(
        null=True, blank=True, help_text="When the holder confirmed they contacted the client."
    )
    # Response figures, written once by the services so analytics stay simple GROUP BYs.
    first_response_at = models.DateTimeField(
        null=True, blank=True, help_text="The first accept or decline by a provider."
    )
    response_seconds = models.PositiveIntegerField(
        null=True, blank=True, help_text="Seconds from received to the first provider answer."
    )
    accept_seconds = models.PositiveIntegerField(
        null=True, blank=True, help_text="Seconds from received to the first accept."
    )
    declines = models.PositiveIntegerField(
        default=0, help_text="How many times a provider declined it (expiries not counted)."
    )
    declined_offers = models.PositiveIntegerField(
        default=0,
        help_text="How many of those declines answered an offer made to the provider (not available).",
    )
    declined_after_accepting = models.PositiveIntegerField(
        default=0,
        help_text="How many of those declines came from the holder after accepting (not a fit after contact).",
    )
    first_accepted_at = models.DateTimeField(
        null=True, blank=True, help_text="When a provider first accepted it."
    )
    first_accepted_by = models.ForeignKey(
        Provider,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="first_accepted_referrals",
        help_text="The provider who first accepted it.",
    )
    contact_seconds = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Seconds from the first accept to the first confirmed contact with the client.",
    )
    # What the client asked for (all optional): used only to order providers by fit
    # (`referrals.routing`); never shown in Slack or SMS.
    care_for = models.CharField(
        "who the care is for", max_length=10, choices=CareFor.choices, blank=True
    )
    modality = models.CharField(
        "in person or video", max_length=10, choices=Modality.choices, blank=True
    )
    language = models.ForeignKey(
        Language,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="preferred language",
    )
    focus_areas = models.ManyToManyField(Specialty, blank=True, related_name="+")
    # Routing (`referrals.routing`): when the last Decline Notice went (never two within 24 h),
    # and when routing found no eligible provider left (the desk's "Needs attention").
    decline_notice_at = models.DateTimeField(null=True, blank=True)
    no_provider_at = models.DateTimeField(null=True, blank=True)
    # How it ended: set once, by `services.close_referral` (or `merge_referrals`).
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    first_session_on = models.DateField(
        null=True, blank=True, help_text="The first session's date, recorded by the provider."
    )
    first_session_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Days from the day it was received (practice time) to the first session.",
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_duplicates",
        help_text="For a duplicate: the referral of the same person it was merged into.",
    )
    # Staff must decide (offer again, or close with an outcome): set when it expired unanswered,
    # cleared by whatever decides it. The owner is the staff member who took it.
    attention_since = models.DateTimeField(
        null=True, blank=True, help_text="Since when it waits for a staff decision."
    )
    attention_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The staff member who took it to decide.",
    )
    attention_owner_since = models.DateTimeField(null=True, blank=True)
    asked_again_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the same person last asked again while this referral was open.",
    )
    # Deadlines: NULL once done, so the worker never fires one twice.
    remind_at = models.DateTimeField(
        null=True, blank=True, help_text="The Referral Reminder to the provider it waits for."
    )
    client_remind_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The client's 24-hour Reminder, counted from the request; once, unless contacted.",
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    contact_due_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the holder is nudged if they have not confirmed contacting the client.",
    )
    next_wave_at = models.DateTimeField(
        null=True, blank=True, help_text="When the next wave of offers goes if nobody accepted."
    )
    # Bumped on every transition: action links carry it, so a used link stops working.
    round = models.PositiveIntegerField(default=1)
    # The client's status page (`client_status`): its signed links carry this version; staff
    # revoking them moves it on (`services.revoke_status_links`), so every older link stops.
    status_link_version = models.PositiveIntegerField(default=1)
    best_times = models.CharField(
        "best times to reach the client",
        max_length=300,
        blank=True,
        help_text="Given by the client on their status page.",
    )
    not_contacted_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the client said on their status page that nobody has contacted them yet.",
    )

    slack_channel = models.CharField(max_length=40, blank=True)
    slack_ts = models.CharField("Slack message ts", max_length=40, blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["remind_at"],
                name="referral_remind_due",
                condition=Q(remind_at__isnull=False),
            ),
            models.Index(
                fields=["expires_at"],
                name="referral_expiry_due",
                condition=Q(expires_at__isnull=False),
            ),
            models.Index(
                fields=["client_remind_at"],
                name="referral_client_remind_due",
                condition=Q(client_remind_at__isnull=False),
            ),
            models.Index(
                fields=["contact_due_at"],
                name="referral_contact_due",
                condition=Q(contact_due_at__isnull=False),
            ),
            models.Index(
                fields=["next_wave_at"],
                name="referral_next_wave_due",
                condition=Q(next_wave_at__isnull=False),
            ),
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["created_at"], name="referral_created"),
            # Analytics: each percentile's values read in order from the index alone (no sort of
            # the rows, no heap), with the columns that pick a period, type and network.
            *(
                models.Index(
                    fields=[field, "created_at", "kind", "insurance_network"],
                    name=name,
                    condition=Q(**{f"{field}__isnull": False}),
                )
                for field, name in [
                    ("response_seconds", "referral_response_order"),
                    ("accept_seconds", "referral_accept_order"),
                    ("first_session_days", "referral_first_session_order"),
                ]
            ),
            # Analytics: the weeks' percentiles read in order of received time from the index
            # alone, so grouping them by week finds them already in order.
            models.Index(
                fields=["created_at", "response_seconds", "first_session_days"],
                name="referral_created_answers",
            ),
            # Analytics: the holders' funnel counted from the index alone, already in order of
            # holder (`desk.analytics.funnel_by_provider`).
            models.Index(
                fields=[
                    "accepted_by",
                    "created_at",
                    "kind",
                    "insurance_network",
                    "outcome",
                    "accept_seconds",
                    "contacted_at",
                ],
                name="referral_held",
                condition=Q(accepted_by__isnull=False),
            ),
            models.Index(
                fields=["attention_since"],
                name="referral_attention",
                condition=Q(attention_since__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="preferred_has_provider",
                condition=Q(kind="general") | Q(preferred_provider__isnull=False),
            ),
            models.CheckConstraint(
                name="pending_has_provider",
                condition=~Q(status="pending") | Q(offered_to__isnull=False),
            ),
            models.CheckConstraint(
                name="accepted_has_provider",
                condition=~Q(status="accepted") | Q(accepted_by__isnull=False),
            ),
            models.CheckConstraint(
                name="closed_has_outcome",
                condition=(Q(status="closed") & ~Q(outcome="") & Q(closed_at__isnull=False))
                | (~Q(status="closed") & Q(outcome="")),
            ),
            models.CheckConstraint(
                name="first_session_has_date",
                condition=~Q(outcome="first_session") | Q(first_session_on__isnull=False),
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def number(self) -> str:
        return f"R-{self.pk:05d}" if self.pk else "R-new"

    @property
    def network_label(self) -> str:
        return self.insurance_network.name if self.insurance_network_id else "Self-pay / other"

    @property
    def link_expires_at(self):
        """While it waits for one provider: when the newest emailed link stops working."""
        if self.status != self.Status.PENDING or self.link_sent_at is None:
            return None
        return self.link_sent_at + settings.REFERRAL_LINK_TTL

    @property
    def awaiting_answer(self) -> bool:
        return self.status in self.OPEN_FOR_ACCEPTANCE


class ReferralEvent(models.Model):
    """One line of the audit trail. Rows are only ever added."""

    class Kind(models.TextChoices):
        RECEIVED = "received", "Received"
        OFFERED = "offered", "Offered to a provider by staff"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        EXPIRED = "expired", "Declined automatically (expired)"
        REMINDED = "reminded", "24-hour reminders sent"
        CONTACTED = "contacted", "Client contacted"
        NUDGED = "nudged", "Holder reminded to confirm contact"
        ASSIGNED = "assigned", "Assigned to a staff member"
        NOTE = "note", "Note"
        CLIENT_EDITED = "client_edit", "Client details changed"
        WAVE = "wave", "Offered to a wave of providers"
        NO_PROVIDER = "no_provider", "No eligible provider left"
        CONTACT_ATTEMPT = "contact_attempt", "Tried to reach the client"
        CLOSED = "closed", "Closed"
        ASKED_AGAIN = "asked_again", "The client asked again"
        MERGED = "merged", "Merged"
        STATUS_LINKS_REVOKED = "status_revoked", "Status page links revoked"
        BEST_TIMES = "best_times", "The client gave the best times to reach them"
        NOT_CONTACTED = "not_contacted", "The client said nobody has contacted them yet"

    class Reason(models.TextChoices):
        UNAVAILABLE = "unavailable", "Provider not available to contact the client"
        NOT_A_FIT = "not_a_fit", "Contacted; not moving forward"
        EXPIRED = "expired", "Not accepted or declined within 48 hours"
        PROVIDER_INACTIVE = "provider_inactive", "Provider made inactive"

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    provider = models.ForeignKey(
        Provider, null=True, blank=True, on_delete=models.PROTECT, related_name="referral_events"
    )
    # PROTECT, not SET_NULL: the trail is never rewritten, not even when a user goes away
    # (deactivate a user instead of deleting them).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(
        max_length=80, help_text="Who did it: a person, a link, the API, the worker."
    )
    reason = models.CharField(max_length=20, choices=Reason.choices, blank=True)
    outcome = models.CharField(
        max_length=20, choices=Referral.Outcome.choices, blank=True, help_text="For a closing."
    )
    note = models.TextField(blank=True)
    at = models.DateTimeField()
    received_at = models.DateTimeField(
        help_text="When the referral was received (its created_at), copied here so a period's "
        "events are found without reading the referrals (analytics)."
    )
    response_seconds = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="For a provider's answer to an offer made to them: seconds since it reached them.",
    )
    changes = models.JSONField(
        default=dict,
        blank=True,
        help_text="For a change of client details: each changed field and its old value.",
    )
    trace = models.JSONField(
        default=dict,
        blank=True,
        help_text="For a routing wave: who was skipped and why.",
    )

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["referral", "kind"]),
            # Analytics: answers and expiries in a period.
            models.Index(fields=["kind", "at"], name="event_kind_at"),
            # Analytics: answers and expiries on the referrals received in a period.
            models.Index(fields=["kind", "received_at"], name="event_kind_received"),
            # Analytics: each provider's ended offers in order of response time, read from the
            # index alone (`response_figures.offer_rows`: no sort, no heap).
            models.Index(
                fields=["provider", "response_seconds", "received_at", "kind"],
                name="event_offer_ended",
                condition=Q(provider__isnull=False)
                & (
                    Q(kind__in=["accepted", "declined"], response_seconds__isnull=False)
                    | Q(kind="expired")
                ),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}Z"


LIVE_OFFER = Q(answer="")  # an offer nobody has answered, withdrawn or let lapse yet


class OfferQuerySet(models.QuerySet):
    def live(self):
        """Offers still open: the provider may accept it, or decline it."""
        return self.filter(LIVE_OFFER)


class Offer(models.Model):
    """One provider's offer of an available referral, made by routing in a wave.

    Several providers hold live offers (no answer yet) at once; the first to accept wins and
    the others' offers are withdrawn. Written only by `referrals.services`.
    """

    class Answer(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn (taken by another provider, or routed elsewhere)"
        LAPSED = "lapsed", "Lapsed (48 hours without an answer)"

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="offers")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="offers")
    event = models.ForeignKey(
        ReferralEvent, on_delete=models.PROTECT, related_name="offers", help_text="The wave."
    )
    wave = models.PositiveSmallIntegerField()
    position = models.PositiveSmallIntegerField(help_text="Order within the wave, from 1.")
    order_reason = models.CharField(max_length=200, help_text="Why this provider came here.")
    offered_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.CharField(max_length=10, choices=Answer.choices, blank=True)

    objects = OfferQuerySet.as_manager()

    class Meta:
        ordering = ["wave", "position", "id"]
        indexes = [
            models.Index(fields=["provider", "offered_at"], name="offer_provider_at"),
            models.Index(fields=["referral", "answer"], name="offer_referral_answer"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "provider"],
                condition=LIVE_OFFER,
                name="one_live_offer_each",
            )
        ]

    def __str__(self):
        return f"R-{self.referral_id:05d} wave {self.wave} to {self.provider_id}"


class ClientDataView(models.Model):
    """Someone looked at a client's details: who, which referral, when, on which page.

    Kept apart from the audit trail (`ReferralEvent`) because views are many and analytics read
    the trail; like it, rows are only ever added (on PostgreSQL a trigger refuses UPDATE and
    DELETE). Written by `referrals.access_log.record_views`.
    """

    class Page(models.TextChoices):
        TIMELINE = "timeline", "Desk timeline"
        ACCEPT = "accept", "Accept Referral page"
        PORTAL = "portal", "Provider Portal"
        EMAIL_LINK = "email_link", "Emailed Accept/Decline link"
        ADMIN_REFERRAL = "admin_referral", "Admin: referral"
        ADMIN_CLIENT = "admin_client", "Admin: client"
        STATUS_PAGE = "status_page", "Client's status page"

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="views")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="client_data_views",
        help_text="Empty for an emailed link whose provider has no sign-in.",
    )
    who = models.CharField(max_length=160, help_text="The user name, or the link's provider.")
    page = models.CharField(max_length=20, choices=Page.choices)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "client data view"
        indexes = [
            models.Index(fields=["referral", "at"], name="view_referral_at"),
            models.Index(fields=["user", "at"], name="view_user_at"),
            models.Index(fields=["at"], name="view_at"),
        ]

    def __str__(self):
        return f"{self.who} viewed R-{self.referral_id:05d} on {self.get_page_display()}"
