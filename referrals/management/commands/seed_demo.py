"""`manage.py seed_demo [--if-empty]`: a living practice to try Referral Desk on.

Builds insurance networks, a roster of providers (one inactive, one away this week, one not
accepting new clients) and about eight weeks of referrals in every state, most of the older ones
closed with an outcome (first session scheduled, client withdrew, could not be reached, no
provider available, referred outside, one merged duplicate), and one client who asked again.
Every referral step goes through `referrals.services` with a `now` in
the past, exactly as the worker and providers would have done it, so timestamps, response times
and the audit trail are realistic. Random choices use a fixed seed: the same structure every run.
"""

import os
import random
import secrets
from collections import Counter
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from config.actors import Actor
from notifications.models import OutboxMessage
from providers.models import InsuranceNetwork, Language, Provider, Specialty
from providers.services import set_availability
from referrals import services
from referrals.eligibility import eligible_providers
from referrals.models import Referral
from referrals.services import ClientDetails

# fmt: off
# --- The roster -------------------------------------------------------------------------------
NETWORKS = ["Aetna", "Blue Cross Blue Shield", "Cigna", "UnitedHealthcare", "Optum", "Medicaid"]
EMAIL_DOMAIN = "hellopcg.example"  # a reserved domain: demo mail can never reach a real person

# first, last, credentials, mobile (E.164), Slack user ID, networks, status, specialties,
# languages, biography
PROVIDERS = [
    ("Maya", "Chen", "LCSW", "+16175550141", "U05MCHEN01", ["Aetna", "Blue Cross Blue Shield", "Cigna"], "active", ["Anxiety", "Depression", "Life transitions"], ["English", "Mandarin"], "Maya helps adults through anxiety, low mood and big life changes, using CBT and a warm, practical style. Sessions in person and by video."),
    ("Daniel", "Okafor", "PhD", "+16175550142", "U05DOKAF02", ["Aetna", "UnitedHealthcare", "Optum"], "active", ["Trauma and PTSD", "Anxiety", "Men's issues"], ["English"], "Daniel is a licensed psychologist specialising in trauma recovery (EMDR, CPT). He works with veterans, first responders and anyone carrying a hard past."),
    ("Sofia", "Ramirez", "LMFT", "+16175550143", "U05SRAMI03", ["Blue Cross Blue Shield", "Cigna", "Medicaid"], "active", ["Couples", "Family conflict", "Parenting"], ["English", "Spanish"], "Sofia works with couples and families who feel stuck in the same arguments, helping them listen and repair. Bilingual sessions in English and Spanish."),
    ("James", "Whitaker", "LMHC", "+16175550144", "", ["Aetna", "Optum"], "active", ["Substance use", "Depression"], ["English"], "James supports people changing their relationship with alcohol and other substances, and the depression that often comes with it. Non-judgemental, harm-reduction friendly."),
    ("Priya", "Natarajan", "PsyD", "+16175550145", "U05PNATA05", ["UnitedHealthcare", "Cigna", "Blue Cross Blue Shield"], "active", ["ADHD", "Anxiety", "Academic stress"], ["English", "Tamil", "Hindi"], "Priya works with teens, college students and adults with ADHD and anxiety, combining skills coaching with therapy that makes room for the whole person."),
    ("Thomas", "Berg", "LICSW", "+16175550146", "", ["Medicaid", "Blue Cross Blue Shield"], "active", ["Grief and loss", "Older adults"], ["English", "Norwegian"], "Thomas has spent twenty years helping people grieve: the loss of a partner, a parent, a pregnancy, or a way of life."),
    ("Aisha", "Karimi", "LCSW", "+16175550147", "U05AKARI07", ["Aetna", "Cigna", "Medicaid"], "active", ["Anxiety", "Cultural identity", "Depression"], ["English", "Farsi", "Arabic"], "Aisha offers a space where culture and identity are part of the conversation, for first- and second-generation clients navigating family expectations."),
    ("Marcus", "Lee", "LPC", "+16175550148", "U05MLEEE08", ["UnitedHealthcare", "Optum", "Aetna"], "active", ["Stress and burnout", "Men's issues", "Anger"], ["English", "Korean"], "Marcus helps professionals who are running on empty find sustainable ways to work and rest, and men who want to understand their anger."),
    ("Elena", "Petrova", "PhD", "+16175550149", "", ["Blue Cross Blue Shield", "Optum"], "active", ["Eating disorders", "Body image", "Anxiety"], ["English", "Russian"], "Elena treats eating disorders and body-image concerns with evidence-based care (CBT-E, DBT skills), working alongside clients' medical teams."),
    ("Grace", "Thompson", "LMFT", "+16175550150", "U05GTHOM10", ["Cigna", "UnitedHealthcare", "Medicaid"], "active", ["Perinatal mental health", "Couples", "Anxiety"], ["English"], "Grace supports new and expecting parents through perinatal anxiety and depression, and couples adjusting to life with a baby."),
    ("Rafael", "Souza", "LMHC", "+16175550151", "", ["Aetna", "Medicaid"], "active", ["LGBTQ+ affirming care", "Depression", "Life transitions"], ["English", "Portuguese", "Spanish"], "Rafael offers affirming therapy for LGBTQ+ adults, including support around coming out, gender identity and relationships."),
    ("Hannah", "Goldberg", "PsyD", "+16175550152", "U05HGOLD12", ["Blue Cross Blue Shield", "Aetna", "UnitedHealthcare"], "active", ["OCD", "Anxiety", "Panic"], ["English", "Hebrew"], "Hannah specialises in OCD, panic and phobias, using exposure and response prevention at a pace clients choose."),
    ("Kevin", "Nguyen", "LCSW", "+16175550153", "U05KNGUY13", ["Optum", "Cigna"], "active", ["Depression", "Workplace stress"], ["English", "Vietnamese"], "Kevin works with adults facing depression and workplace stress, with a focus on practical steps between sessions."),
    ("Laura", "Bianchi", "LMFT", "+16175550154", "", ["Aetna", "Cigna"], "inactive", ["Couples", "Parenting"], ["English", "Italian"], "Laura works with couples and parents. She is not taking new referrals at the moment."),
]

CLIENT_FIRST = ["Olivia", "Liam", "Emma", "Noah", "Ava", "Ethan", "Mia", "Lucas", "Zoe", "Mateo", "Chloe", "Elijah", "Nora", "Omar", "Leah", "Isaac", "Ruby", "Caleb", "Amara", "Julian", "Hazel", "Diego", "Ivy", "Samuel", "Layla", "Jonah", "Stella", "Aaron", "Naomi", "Felix"]
CLIENT_LAST = ["Anderson", "Baker", "Castillo", "Dawson", "Ellis", "Foster", "Garcia", "Hughes", "Ibrahim", "Jensen", "Kowalski", "Lopez", "Morgan", "Nakamura", "O'Brien", "Patel", "Quinn", "Rossi", "Sullivan", "Tran", "Underwood", "Vasquez", "Walsh", "Young", "Zimmerman", "Delgado", "Fischer", "Haddad", "Mensah", "Novak"]
CLOSING_NOTES = {"no_provider": "No provider in the client's network has room; told the client.", "referred_out": "Needs a specialised program; referred to a clinic outside the practice."}
NOTES = ["Client asked to be called after 5pm.", "Prefers video sessions.", "Called the office to check on their referral.", "Left a voicemail for the client on the provider's behalf.", "Client can only do weekday mornings."]
# ---------------------------------------------------------------------------------------------
# fmt: on

SEED = 20261201
WEEKS = 8
STAFF_USERNAME = "staff"


class Command(BaseCommand):
    help = (
        "Fill an empty database with demo networks, providers (one inactive), intake staff and "
        "about eight weeks of referrals in every state, made through the referral services. "
        "Messages those past events produced are marked as already sent (sent at the event's "
        "time) so the worker does not deliver them again; deadlines still ahead (reminders, the "
        "48-hour automatic decline of waiting referrals) fire normally. Signs in as user "
        '"staff" with DEMO_STAFF_PASSWORD, or a generated password printed once.'
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (and succeed) when the database already has providers.",
        )

    def handle(self, *args, if_empty=False, **options):
        if Provider.objects.exists():
            if if_empty:
                self.stdout.write("Demo data not loaded: the database already has providers.")
                return
            raise CommandError(
                "The database already has providers; seed_demo only fills an empty database."
            )
        now = timezone.now()
        password = os.environ.get("DEMO_STAFF_PASSWORD") or secrets.token_urlsafe(12)
        with transaction.atomic():
            staff = _staff_user(password)
            demo = Demo(random.Random(SEED), now, Actor.for_user(staff))
            demo.build()
            sent = _mark_past_messages_sent(now)
        counts = Counter(Referral.objects.values_list("status", flat=True))
        self.stdout.write(
            f"Demo data: {Provider.objects.count()} providers, {Referral.objects.count()} "
            f"referrals ({', '.join(f'{n} {s}' for s, n in counts.items())}); {sent} past "
            "messages marked as sent."
        )
        if os.environ.get("DEMO_STAFF_PASSWORD"):
            shown = "the one in DEMO_STAFF_PASSWORD"
        else:
            shown = f"{password} (shown only now)"
        self.stdout.write(
            f"Sign in at {settings.SITE_URL}/admin/ as user {STAFF_USERNAME!r}, password {shown}."
        )


def _staff_user(password: str):
    user, _ = get_user_model().objects.get_or_create(
        username=STAFF_USERNAME, defaults={"email": "intake@example.com"}
    )
    user.is_staff = user.is_superuser = True
    user.set_password(password)
    user.save()
    return user


def _mark_past_messages_sent(now: datetime) -> int:
    """What the seeded past 'sent' is history: keep it in the outbox, never deliver it."""
    return OutboxMessage.objects.filter(
        status=OutboxMessage.Status.QUEUED, created_at__lte=now
    ).update(status=OutboxMessage.Status.SENT, sent_at=F("created_at"), external_id="demo")


class Demo:
    """Plays eight weeks of the practice through the services, one referral at a time."""

    def __init__(self, rng: random.Random, now: datetime, staff: Actor):
        self.rng = rng
        self.now = now
        self.staff = staff
        self.clients = 0

    def build(self) -> None:
        networks = {name: InsuranceNetwork.objects.create(name=name) for name in NETWORKS}
        self.providers = [_provider(row, networks) for row in PROVIDERS]
        self.active = [p for p in self.providers if p.is_active]
        self.networks = list(networks.values())
        self.history()
        self.current()
        self.availability()

    def availability(self) -> None:
        """Set last, so the history above was played with everyone available."""
        _set_demo_availability(self.providers, self.staff, self.now)

    # -- building blocks ---------------------------------------------------------------------
    def hours(self, low: float, high: float) -> timedelta:
        return timedelta(hours=self.rng.uniform(low, high))

    def new_referral(self, at: datetime, preferred: bool) -> Referral:
        provider = self.rng.choice(self.active) if preferred else None
        if provider and self.rng.random() < 0.85:
            network = self.rng.choice(list(provider.insurance_networks.all()))
        elif provider is None and self.rng.random() < 0.8:
            network = self.rng.choice(self.networks)
        else:
            network = None  # self-pay / other
        source = "web" if self.rng.random() < 0.8 else "api"
        return services.create_referral(
            client=self._client(),
            insurance_network=network,
            preferred_provider=provider,
            actor=Actor("intake form" if source == "web" else "website API"),
            source=source,
            now=at,
        )

    def _client(self) -> ClientDetails:
        self.clients += 1
        first, last = self.rng.choice(CLIENT_FIRST), self.rng.choice(CLIENT_LAST)
        email = f"{first}.{last}{self.clients}@example.org".lower().replace("'", "")
        return ClientDetails(
            first_name=first,
            last_name=last,
            email=email,  # every client gives one (policy)
            phone=f"+1857555{self.clients % 10000:04d}",
            consent_sms=self.rng.random() < 0.5,
        )

    def advance(self, referral: Referral, until: datetime) -> Referral:
        """Fire this referral's deadlines due by `until`, at their exact times, as the worker would."""
        until = min(until, self.now)
        while True:
            referral.refresh_from_db()
            due = [d for d in (referral.remind_at, referral.expires_at) if d and d <= until]
            if not due:
                return referral
            if referral.remind_at in due and referral.remind_at == min(due):
                services.send_reminders(referral.pk, now=referral.remind_at)
            else:
                services.expire_referral(referral.pk, now=referral.expires_at)

    def accept(self, referral: Referral, at: datetime, provider=None) -> bool:
        referral = self.advance(referral, at)
        if at >= self.now or not referral.awaiting_answer:
            return False
        if provider is None:
            candidates = list(eligible_providers(referral, at).order_by("pk"))
            if not candidates:
                return False
            provider = self.rng.choice(candidates)
        services.accept_referral(referral.pk, provider, actor=Actor(provider.name), now=at)
        contact_at = at + self.hours(1, 12)
        # Most providers confirm contact; a few recent ones have not yet (they show on the desk).
        if self.rng.random() < 0.93 and contact_at < self.now:
            services.confirm_contact(
                referral.pk, provider, actor=Actor(provider.name), now=contact_at
            )
        return True

    def decline(self, referral: Referral, at: datetime, reason: str) -> bool:
        referral = self.advance(referral, at)
        provider = referral.offered_to or referral.accepted_by
        if at >= self.now or provider is None:
            return False
        services.decline_referral(
            referral.pk, provider, reason=reason, actor=Actor(provider.name), now=at
        )
        return True

    # -- the story ---------------------------------------------------------------------------
    def history(self) -> None:
        """Referrals received from eight weeks ago until two days ago, each played to today."""
        day = self.now - timedelta(weeks=WEEKS)
        while day < self.now - timedelta(hours=49):
            per_day = self.rng.choice([0, 1, 1, 2, 2, 3]) if day.weekday() < 5 else 1
            for _ in range(per_day):
                at = day.replace(hour=12, minute=0, second=0) + self.hours(
                    0, 10
                )  # 7 AM to 5 PM in New York
                self.play(self.new_referral(at, preferred=self.rng.random() < 0.55), at)
            day += timedelta(days=1)

    def play(self, referral: Referral, at: datetime) -> None:
        """One of the ways a referral goes, weighted roughly as a busy practice sees them."""
        roll = self.rng.random()
        if referral.kind == Referral.Kind.PREFERRED:
            if roll < 0.45:
                self.accept(referral, at + self.hours(0.2, 20), referral.preferred_provider)
            elif roll < 0.55:
                self.accept(referral, at + self.hours(24.5, 46), referral.preferred_provider)
            elif roll < 0.75:
                declined = at + self.hours(0.5, 12)
                self.decline(referral, declined, "unavailable")
                if self.rng.random() < 0.75:
                    self.accept(referral, declined + self.hours(1, 30))
            elif roll < 0.9:
                self.after_expiry(referral, at)
            else:
                self.not_a_fit(referral, at, referral.preferred_provider)
        elif roll < 0.65:
            self.accept(referral, at + self.hours(0.2, 30))
        elif roll < 0.9:
            self.after_expiry(referral, at)
        else:
            self.not_a_fit(referral, at, None)
        if self.rng.random() < 0.1:
            note_at = at + self.hours(1, 30)
            services.add_note(referral.pk, self.rng.choice(NOTES), actor=self.staff, now=note_at)
        self.advance(referral, self.now)
        self.finish(referral)

    def finish(self, referral: Referral) -> None:
        """How older referrals ended: most accepted ones with a first session, some withdrew or
        could not be reached; staff close some that expired unanswered. The rest stay open."""
        referral.refresh_from_db()
        roll = self.rng.random()
        Outcome = Referral.Outcome
        old = self.now - timedelta(days=4)
        if referral.status == Referral.Status.ACCEPTED and referral.accepted_at < old:
            provider, accepted = referral.accepted_by, referral.accepted_at
            actor = Actor(provider.name)
            close = dict(actor=actor, provider=provider)  # noqa: C408
            if referral.contacted_at and roll < 0.7:
                at = max(referral.contacted_at, accepted) + self.hours(2, 48)
                on = timezone.localdate(at) + timedelta(days=self.rng.randint(1, 12))
                services.close_referral(
                    referral.pk, Outcome.FIRST_SESSION, first_session_on=on, now=at, **close
                )
            elif referral.contacted_at and roll < 0.8:
                at = referral.contacted_at + self.hours(24, 60)
                services.close_referral(referral.pk, Outcome.WITHDREW, now=at, **close)
            elif referral.contacted_at is None:
                for hours in (3, 27):
                    services.record_contact_attempt(
                        referral.pk,
                        provider,
                        actor=actor,
                        note=self.rng.choice(["Left a voicemail.", "No answer; no voicemail."]),
                        now=accepted + timedelta(hours=hours),
                    )
                at = accepted + timedelta(hours=52)
                services.close_referral(referral.pk, Outcome.UNREACHABLE, now=at, **close)
        elif referral.attention_since and referral.attention_since < old and roll < 0.5:
            outcome = Outcome.NO_PROVIDER if roll < 0.35 else Outcome.REFERRED_OUT
            services.close_referral(
                referral.pk,
                outcome,
                actor=self.staff,
                note=CLOSING_NOTES[outcome],
                now=referral.attention_since + self.hours(4, 40),
            )

    def after_expiry(self, referral: Referral, at: datetime) -> None:
        """Nobody answered in 48 hours; later someone takes it, staff route it, or it waits."""
        expired = at + settings.REFERRAL_EXPIRE_AFTER
        roll = self.rng.random()
        if roll < 0.5:
            self.accept(referral, expired + self.hours(2, 48))
        elif roll < 0.75:
            waiting = self.advance(referral, expired + self.hours(1, 20))
            offer_at = expired + self.hours(20, 22)
            candidates = list(eligible_providers(waiting, offer_at).order_by("pk"))
            if candidates and offer_at < self.now:
                provider = self.rng.choice(candidates)
                services.offer_referral(referral.pk, provider, actor=self.staff, now=offer_at)
                self.accept(referral, offer_at + self.hours(0.5, 10), provider)

    def not_a_fit(self, referral: Referral, at: datetime, provider) -> None:
        """Accepted, contacted, and the two decided not to go ahead; maybe someone else takes it."""
        accepted = at + self.hours(0.5, 10)
        if self.accept(referral, accepted, provider):
            declined = accepted + self.hours(24, 120)
            if self.decline(referral, declined, "not_a_fit") and self.rng.random() < 0.6:
                self.accept(referral, declined + self.hours(2, 30))

    def current(self) -> None:
        """The last two days: what staff and providers have on their plate right now."""
        for hours_ago in (1.5, 4, 9.5):  # waiting for the preferred provider, email link valid
            self.new_referral(self.now - timedelta(hours=hours_ago), preferred=True)
        for hours_ago in (44, 46.5):  # reminded at 24 hours, close to the automatic decline
            referral = self.new_referral(self.now - timedelta(hours=hours_ago), preferred=True)
            self.advance(referral, self.now)
        for hours_ago in (2, 7, 30):  # General referrals open to the network
            referral = self.new_referral(self.now - timedelta(hours=hours_ago), preferred=False)
            self.advance(referral, self.now)
        referral = self.new_referral(self.now - timedelta(hours=20), preferred=True)
        self.decline(referral, self.now - timedelta(hours=16), "unavailable")
        for hours_ago in (26, 8):
            referral = self.new_referral(self.now - timedelta(hours=hours_ago), preferred=True)
            self.accept(referral, self.now - timedelta(hours=hours_ago - 2))
        self.one_person_twice()

    def one_person_twice(self) -> None:
        """A client who asked again (same email) while waiting, and one who used another email
        and phone the second time: staff merged the two referrals."""
        first_at = self.now - timedelta(hours=30)
        referral = self.new_referral(first_at, preferred=False)
        client = referral.client
        again = ClientDetails(
            first_name=client.first_name,
            last_name=client.last_name,
            email=client.email or f"asked.again{self.clients}@example.org",
            phone=client.phone,
            consent_sms=client.consent_sms,
        )
        services.create_referral(
            client=again,
            insurance_network=referral.insurance_network,
            preferred_provider=None,
            actor=Actor("intake form"),
            now=first_at + timedelta(hours=20),
        )
        self.advance(referral, self.now)
        kept = self.new_referral(self.now - timedelta(days=6), preferred=False)
        twice = self.new_referral(self.now - timedelta(days=6) + timedelta(hours=3), False)
        services.merge_referrals(
            twice.pk,
            kept.pk,
            actor=self.staff,
            note="Same client: used a work email the second time.",
            now=self.now - timedelta(days=5),
        )
        self.advance(kept, self.now)


AWAY = ("Thomas", "Berg")  # on holiday this week: "Back on …" on the provider page
NOT_ACCEPTING = ("Kevin", "Nguyen")  # full: "Not accepting new clients"


def _set_demo_availability(providers, staff: Actor, now: datetime) -> None:
    today = timezone.localdate(now)
    for provider in providers:
        if (provider.first_name, provider.last_name) == AWAY:
            set_availability(
                provider,
                actor=Actor(provider.name),
                away_from=today - timedelta(days=2),
                away_until=today + timedelta(days=5),
                now=now - timedelta(days=10),
            )
        elif (provider.first_name, provider.last_name) == NOT_ACCEPTING:
            set_availability(
                provider, actor=staff, accepting_new_clients=False, now=now - timedelta(days=3)
            )


def _provider(row, networks: dict) -> Provider:
    first, last, credentials, phone, slack, network_names, status, specialties, languages, bio = row
    provider = Provider.objects.create(
        first_name=first,
        last_name=last,
        email=f"{first}.{last}@{EMAIL_DOMAIN}".lower(),
        phone=phone,
        # The office line clients are given (…0241 for the mobile …0141); providers without a
        # Slack ID here have none, so their clients are given the practice's number.
        office_phone=phone[:-3] + "2" + phone[-2:] if slack else "",
        slack_user_id=slack,
        status=status,
        credentials=credentials,
        bio=bio,
    )
    provider.insurance_networks.set(networks[name] for name in network_names)
    provider.specialties.set(Specialty.objects.get_or_create(name=n)[0] for n in specialties)
    provider.languages.set(Language.objects.get_or_create(name=n)[0] for n in languages)
    return provider
