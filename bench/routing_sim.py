"""Does routing get General referrals accepted sooner, fairly? (issue 9, "Measured").

A simulated practice (30 providers over 6 insurance networks, some not accepting, some away for
two weeks, some with a weekly limit) receives referrals (Poisson arrivals, 70% General, 30%
Preferred, networks weighted, 10% self-pay) over some weeks, twice: once with ROUTING off (the
policy's plain behaviour: a General referral is posted in Slack and waits until someone notices
it) and once with ROUTING on (waves of offers). Both runs go through the real services
(`create_referral`, `accept_referral`, `decline_referral`, `confirm_contact`) and the real
worker deadlines (`deadlines.run_due`: reminders, 48-hour expiry, contact nudges, next waves),
stepping simulated time with time-machine from one event to the next.

Both runs see the same arrivals and the same provider behaviour: every draw is keyed by
(referral, provider), so a provider answers the same referral the same way, after the same
delay, in both runs. The behaviour comes from the demo data's distributions (`seed_demo`):
- an offer made to one provider (a Preferred referral, a routing wave's offer) is answered like
  the demo's Preferred referrals: ~85% answer within 48 h (per provider 70-95%), 82% of answers
  within 0.2-20 h and the rest within 24.5-46 h (scaled by the provider's own speed), accepting
  ~78% of the time (per provider 60-95%), declining otherwise;
- a referral open in Slack is taken by each eligible provider independently with probability
  5-19% (per provider), after 0.2-60 h (scaled by speed): calibrated so that routing off gives
  roughly the demo's General referrals (about 70% accepted within 48 h, the rest expire);
  providers see Slack in both runs;
- the provider who accepts confirms contact 1-12 h later (93%), as in the demo.

Prints one table: measure | routing off | routing on | ratio | goal | met. Runs in its own
throwaway SQLite file (migrated fresh, deleted afterwards); it never touches another database.

    .venv/bin/python bench/routing_sim.py [--referrals 2000] [--weeks 8] [--seed 9]
"""

import argparse
import heapq
import math
import os
import random
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
WORKDIR = tempfile.mkdtemp(prefix="routing-sim-")
os.environ["DATABASE_URL"] = f"sqlite:///{WORKDIR}/sim.sqlite3"  # never the dev database
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
os.environ.setdefault("DEBUG", "true")  # a measurement on this machine, not production
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

import time_machine  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db.models import Count, Min, Q  # noqa: E402

from config.actors import Actor  # noqa: E402
from providers.models import InsuranceNetwork, Provider  # noqa: E402
from referrals import deadlines, services  # noqa: E402
from referrals.eligibility import live_offer  # noqa: E402
from referrals.errors import ReferralError  # noqa: E402
from referrals.models import Offer, Referral, ReferralEvent  # noqa: E402
from referrals.services import ClientDetails  # noqa: E402

START = datetime(2026, 1, 5, 14, 0, tzinfo=UTC)  # a Monday morning in New York
H = timedelta(hours=1)
NETWORKS = ["Aetna", "Blue Cross Blue Shield", "Cigna", "UnitedHealthcare", "Optum", "Medicaid"]
NETWORK_WEIGHTS = [0.22, 0.22, 0.14, 0.14, 0.09, 0.09]  # the rest (10%) self-pay
PROVIDERS = 30
LIMITED = 4  # providers with a weekly limit
TAIL = timedelta(days=7)  # keep running after the last arrival so its deadlines play out
INTAKE = Actor("intake form")
Status = Referral.Status


@dataclass(frozen=True)
class Answer:
    """How one provider reacts to one referral (the same in both runs)."""

    answers: bool  # answers an offer made to them within 48 h at all
    delay: timedelta  # after the offer reached them
    accepts: bool  # accept (else decline) when they answer
    notices: bool  # takes it from Slack when it sits there open to them
    notice_delay: timedelta  # after it was posted


@dataclass(frozen=True)
class Arrival:
    at: datetime
    general: bool
    network: int | None  # index into NETWORKS, None for self-pay
    preference: list[int]  # provider indexes in the client's order (Preferred referrals)
    contacts: bool
    contact_delay: timedelta


class Practice:
    """The providers' traits and every random draw, fixed by the seed."""

    def __init__(self, seed: int, referrals: int, weeks: float):
        self.seed = seed
        rng = random.Random(f"{seed}/practice")
        self.networks = [
            sorted(rng.sample(range(len(NETWORKS)), rng.choice([2, 3, 3, 4])))
            for _ in range(PROVIDERS)
        ]
        self.answer_rate = [rng.uniform(0.70, 0.95) for _ in range(PROVIDERS)]
        self.accept_rate = [rng.uniform(0.60, 0.95) for _ in range(PROVIDERS)]
        self.slack_rate = [rng.uniform(0.05, 0.19) for _ in range(PROVIDERS)]
        self.speed = [rng.lognormvariate(0, 0.4) for _ in range(PROVIDERS)]
        self.popularity = [rng.paretovariate(1.5) for _ in range(PROVIDERS)]
        order = rng.sample(range(PROVIDERS), PROVIDERS)
        self.not_accepting = set(order[:2])
        span = timedelta(weeks=weeks)
        self.away = {  # two weeks away, somewhere in the run
            p: START + span * rng.uniform(0, 0.8) for p in order[2:5]
        }
        self.weekly_limit = {p: rng.choice([2, 3]) for p in order[5 : 5 + LIMITED]}
        self.arrivals = self._arrivals(rng, referrals, span)
        self._answers: dict[tuple[int, int], Answer] = {}

    def _arrivals(self, rng, count: int, span: timedelta) -> list[Arrival]:
        rate = count / span.total_seconds()
        at, out = START, []
        while len(out) < count:
            at += timedelta(seconds=rng.expovariate(rate))
            roll = rng.random()
            network = None
            for i, weight in enumerate(NETWORK_WEIGHTS):
                roll -= weight
                if roll < 0:
                    network = i
                    break
            general = rng.random() < 0.7
            in_network = [
                p for p in range(PROVIDERS) if network is None or network in self.networks[p]
            ]
            weights = [self.popularity[p] for p in in_network]
            preference = []
            while in_network and len(preference) < 3:  # the client's first, second, third choice
                pick = rng.choices(in_network, weights)[0]
                if pick not in preference:
                    preference.append(pick)
            out.append(
                Arrival(
                    at=at,
                    general=general,
                    network=network,
                    preference=preference,
                    contacts=rng.random() < 0.93,
                    contact_delay=rng.uniform(1, 12) * H,
                )
            )
        return out

    def answer(self, referral: int, provider: int) -> Answer:
        key = (referral, provider)
        if key not in self._answers:
            rng = random.Random(f"{self.seed}/{referral}/{provider}")
            speed = self.speed[provider]
            late = rng.random() >= 0.82
            delay = (rng.uniform(24.5, 46) if late else rng.uniform(0.2, 20)) * speed * H
            self._answers[key] = Answer(
                answers=rng.random() < self.answer_rate[provider],
                delay=delay,
                accepts=rng.random() < self.accept_rate[provider],
                notices=rng.random() < self.slack_rate[provider],
                notice_delay=rng.uniform(0.2, 60) * speed * H,
            )
        return self._answers[key]


class Run:
    """One run of the practice through the real services, with routing on or off."""

    def __init__(self, practice: Practice, routing: bool):
        self.practice = practice
        self.routing = routing
        self.events: list = []
        self.seq = 0
        self.pk_of: dict[int, int] = {}  # arrival index -> referral pk
        self.index_of: dict[int, int] = {}  # referral pk -> arrival index
        self.in_slack: set[int] = set()  # referral pks posted to Slack for anyone to take
        self.last_offer = 0
        self.last_event = 0

    def build(self) -> None:
        call_command("flush", interactive=False, verbosity=0)
        networks = [InsuranceNetwork.objects.create(name=n) for n in NETWORKS]
        p = self.practice
        self.providers = []
        for i in range(PROVIDERS):
            away_from = p.away.get(i)
            provider = Provider.objects.create(
                first_name=f"Sim{i:02d}",
                last_name="Provider",
                email=f"sim{i}@example.com",
                accepting_new_clients=i not in p.not_accepting,
                away_from=away_from.date() if away_from else None,
                away_until=(away_from + timedelta(days=13)).date() if away_from else None,
                weekly_limit=p.weekly_limit.get(i),
            )
            provider.insurance_networks.set(networks[n] for n in p.networks[i])
            self.providers.append(provider)
        self.provider_index = {prov.pk: i for i, prov in enumerate(self.providers)}
        self.networks = networks

    def schedule(self, at: datetime, kind: str, *data) -> None:
        self.seq += 1
        heapq.heappush(self.events, (at, self.seq, kind, data))

    def play(self, end: datetime) -> int:
        settings.ROUTING = self.routing
        for i, arrival in enumerate(self.practice.arrivals):
            self.schedule(arrival.at, "arrive", i)
        steps = 0
        with time_machine.travel(START, tick=False) as traveller:
            while True:
                deadline = self.next_deadline()
                event_at = self.events[0][0] if self.events else None
                at = min(t for t in (deadline, event_at, end) if t is not None)
                if at >= end:
                    return steps
                traveller.move_to(at)
                steps += 1
                if deadline is not None and deadline <= at:
                    if not any(deadlines.run_due(at).values()):
                        raise RuntimeError(f"a deadline at {at} that the worker does not take")
                else:
                    _, _, kind, data = heapq.heappop(self.events)
                    getattr(self, f"on_{kind}")(at, *data)
                self.notice_changes(at)

    def next_deadline(self) -> datetime | None:
        due = Referral.objects.aggregate(
            remind=Min("remind_at", filter=Q(status=Status.PENDING)),
            client=Min("client_remind_at", filter=Q(contacted_at__isnull=True)),
            expire=Min("expires_at", filter=Q(status__in=Referral.OPEN_FOR_ACCEPTANCE)),
            contact=Min(
                "contact_due_at", filter=Q(status=Status.ACCEPTED, contacted_at__isnull=True)
            ),
            wave=Min("next_wave_at", filter=Q(status=Status.AVAILABLE)),
        )
        times = [t for t in due.values() if t is not None]
        return min(times) if times else None

    # -- what happens ------------------------------------------------------------------------
    def on_arrive(self, at: datetime, i: int) -> None:
        arrival = self.practice.arrivals[i]
        preferred = None
        if not arrival.general:  # the intake form lists only providers taking new referrals
            taking = set(Provider.objects.taking_new_referrals(at).values_list("pk", flat=True))
            for p in arrival.preference:
                if self.providers[p].pk in taking:
                    preferred = self.providers[p]
                    break
        referral = services.create_referral(
            client=ClientDetails(
                first_name="Sim",
                last_name=f"Client{i}",
                email=f"client{i}@example.org",
                phone="",
                consent_sms=False,
            ),
            insurance_network=None if arrival.network is None else self.networks[arrival.network],
            preferred_provider=preferred,
            actor=INTAKE,
            now=at,
        )
        self.pk_of[i] = referral.pk
        self.index_of[referral.pk] = i
        if preferred is None:
            self.post_in_slack(referral.pk, at)
        else:
            self.offered(referral.pk, self.provider_index[preferred.pk], at)

    def offered(self, pk: int, p: int, at: datetime) -> None:
        answer = self.practice.answer(self.index_of[pk], p)
        if answer.answers:
            self.schedule(at + answer.delay, "answer", pk, p)

    def post_in_slack(self, pk: int, at: datetime) -> None:
        """Open to everyone in the network: each may notice it in Slack and take it."""
        if pk in self.in_slack:
            return
        self.in_slack.add(pk)
        i = self.index_of[pk]
        for p in range(PROVIDERS):
            answer = self.practice.answer(i, p)
            if answer.notices:
                self.schedule(at + answer.notice_delay, "notice", pk, p)

    def on_answer(self, at: datetime, pk: int, p: int) -> None:
        """The provider answers the offer made to them (if the referral still waits for them)."""
        referral = Referral.objects.get(pk=pk)
        provider = self.providers[p]
        answer = self.practice.answer(self.index_of[pk], p)
        waits_for_them = (
            referral.status == Status.PENDING and referral.offered_to_id == provider.pk
        ) or live_offer(referral, provider) is not None
        if answer.accepts and referral.status == Status.AVAILABLE or waits_for_them:
            if answer.accepts:
                self.accept(pk, p, at)
            else:
                self.attempt(
                    services.decline_referral,
                    pk,
                    provider,
                    reason="unavailable",
                    actor=Actor(provider.name),
                    now=at,
                )

    def on_notice(self, at: datetime, pk: int, p: int) -> None:
        if Referral.objects.filter(pk=pk, status=Status.AVAILABLE).exists():
            self.accept(pk, p, at)

    def accept(self, pk: int, p: int, at: datetime) -> None:
        provider = self.providers[p]
        done = self.attempt(
            services.accept_referral, pk, provider, actor=Actor(provider.name), now=at
        )
        arrival = self.practice.arrivals[self.index_of[pk]]
        if done and arrival.contacts:
            self.schedule(at + arrival.contact_delay, "contact", pk, p)

    def on_contact(self, at: datetime, pk: int, p: int) -> None:
        provider = self.providers[p]
        if Referral.objects.filter(pk=pk, accepted_by=provider, status=Status.ACCEPTED).exists():
            services.confirm_contact(pk, provider, actor=Actor(provider.name), now=at)

    @staticmethod
    def attempt(service, *args, **kwargs) -> bool:
        try:
            service(*args, **kwargs)
        except ReferralError:  # taken by someone else first, no longer eligible, ...
            return False
        return True

    def notice_changes(self, at: datetime) -> None:
        """New routing offers reach their providers; a referral made available (declined,
        expired) is open in Slack from then on."""
        for offer in Offer.objects.filter(pk__gt=self.last_offer).order_by("pk"):
            self.last_offer = offer.pk
            self.offered(
                offer.referral_id, self.provider_index[offer.provider_id], offer.offered_at
            )
        for event in ReferralEvent.objects.filter(
            pk__gt=self.last_event,
            kind__in=[ReferralEvent.Kind.DECLINED, ReferralEvent.Kind.EXPIRED],
        ).order_by("pk"):
            self.last_event = event.pk
            if Referral.objects.filter(pk=event.referral_id, status=Status.AVAILABLE).exists():
                self.post_in_slack(event.referral_id, event.at)
        newest = ReferralEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
        self.last_event = newest or self.last_event

    # -- what it came to ---------------------------------------------------------------------
    def figures(self) -> dict:
        general = list(
            Referral.objects.filter(kind=Referral.Kind.GENERAL).values(
                "created_at", "first_accepted_at", "expired_at", "contacted_at"
            )
        )
        everyone = Referral.objects.values("created_at", "contacted_at")
        hours = sorted(
            (r["first_accepted_at"] - r["created_at"]) / H if r["first_accepted_at"] else math.inf
            for r in general
        )
        offers = self.offers_per_provider()
        average = sum(offers) / len(offers)
        return {
            "general": len(general),
            "median": percentile(hours, 0.5),
            "p90": percentile(hours, 0.9),
            "expired": share(r["expired_at"] is not None for r in general),
            "contacted_general": share(contacted_within(r, 12) for r in general),
            "contacted_all": share(contacted_within(r, 12) for r in everyone),
            "spread": max(offers) / min(offers) if min(offers) else math.inf,
            "max_to_average": max(offers) / average if average else math.inf,
            "offers": offers,
            "over_limit": self.over_weekly_limit(),
        }

    def over_weekly_limit(self) -> int:
        """Providers with a weekly limit who were put in front of more referrals than it within
        some 7 days (routing offers and Preferred referrals naming them)."""
        over = 0
        for i, limit in self.practice.weekly_limit.items():
            pk = self.providers[i].pk
            times = sorted(
                [*Offer.objects.filter(provider=pk).values_list("offered_at", flat=True)]
                + [
                    *ReferralEvent.objects.filter(
                        provider=pk,
                        kind__in=[ReferralEvent.Kind.RECEIVED, ReferralEvent.Kind.OFFERED],
                    ).values_list("at", flat=True)
                ]
            )
            most = max(
                (
                    sum(1 for t in times if start <= t < start + timedelta(days=7))
                    for start in times
                ),
                default=0,
            )
            over += most > limit
        return over

    def offers_per_provider(self) -> list[int]:
        """Referrals put in front of each provider who takes new clients: routing offers, plus
        Preferred referrals naming them (the two kinds `routing.offers_lately` counts)."""
        eligible = [
            prov.pk for i, prov in enumerate(self.providers) if i not in self.practice.not_accepting
        ]
        counts = dict.fromkeys(eligible, 0)
        for pk, n in (
            Offer.objects.values("provider").annotate(n=Count("pk")).values_list("provider", "n")
        ):
            if pk in counts:
                counts[pk] += n
        for pk, n in (
            ReferralEvent.objects.filter(
                kind__in=[ReferralEvent.Kind.RECEIVED, ReferralEvent.Kind.OFFERED],
                provider__isnull=False,
            )
            .values("provider")
            .annotate(n=Count("pk"))
            .values_list("provider", "n")
        ):
            if pk in counts:
                counts[pk] += n
        return list(counts.values())


def percentile(ascending: list[float], fraction: float) -> float:
    """Linear interpolation; never accepted counts as infinitely late (the answer is then inf)."""
    if not ascending:
        return math.nan
    position = fraction * (len(ascending) - 1)
    low = int(position)
    high = min(low + 1, len(ascending) - 1)
    if math.isinf(ascending[high]):
        return ascending[low] if position == low else math.inf
    return ascending[low] + (ascending[high] - ascending[low]) * (position - low)


def share(flags) -> float:
    flags = list(flags)
    return sum(flags) / len(flags) if flags else math.nan


def contacted_within(row: dict, hours: float) -> bool:
    return row["contacted_at"] is not None and row["contacted_at"] - row["created_at"] <= hours * H


def table(off: dict, on: dict) -> str:
    def h(x):
        return "never" if math.isinf(x) else f"{x:.1f} h"

    def pct(x):
        return f"{x:.1%}"

    def x(v):
        return "inf" if math.isinf(v) else f"{v:.2f}"

    def ratio(a, b):
        if a == 0 or math.isinf(a) or math.isinf(b) or math.isnan(a) or math.isnan(b):
            return "-"
        return f"{b / a:.2f}"

    rows = [
        ("General: median time to accept", h(off["median"]), h(on["median"]),
         ratio(off["median"], on["median"]), "on <= 0.5 x off",
         on["median"] <= 0.5 * off["median"]),
        ("General: 90th percentile time to accept", h(off["p90"]), h(on["p90"]),
         ratio(off["p90"], on["p90"]), "", None),
        ("General: share expired at 48 h", pct(off["expired"]), pct(on["expired"]),
         ratio(off["expired"], on["expired"]), "on <= 0.5 x off",
         on["expired"] <= 0.5 * off["expired"]),
        ("General: contacted within 12 h of request", pct(off["contacted_general"]),
         pct(on["contacted_general"]), ratio(off["contacted_general"], on["contacted_general"]),
         "", None),
        ("All: contacted within 12 h of request", pct(off["contacted_all"]),
         pct(on["contacted_all"]), ratio(off["contacted_all"], on["contacted_all"]), "", None),
        ("Offers per eligible provider: max / min", x(off["spread"]), x(on["spread"]),
         ratio(off["spread"], on["spread"]), "", None),
        ("Offers per eligible provider: max / average", x(off["max_to_average"]),
         x(on["max_to_average"]), ratio(off["max_to_average"], on["max_to_average"]),
         "on <= 2", on["max_to_average"] <= 2),
        ("Providers with a weekly limit offered more in 7 days",
         f"{off['over_limit']} of {LIMITED}", f"{on['over_limit']} of {LIMITED}", "",
         "none (sec. 2)", on["over_limit"] == 0),
    ]  # fmt: skip
    header = ("measure", "routing off", "routing on", "ratio", "goal", "met")
    lines = [" | ".join(header), " | ".join("---" for _ in header)]
    for name, a, b, r, goal, met in rows:
        lines.append(
            " | ".join([name, a, b, r, goal, "" if met is None else "yes" if met else "NO"])
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--referrals", type=int, default=2000)
    parser.add_argument("--weeks", type=float, default=8)
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args()
    if args.referrals < 1 or args.weeks <= 0:
        parser.error("--referrals and --weeks must be positive")
    try:
        call_command("migrate", verbosity=0)
        practice = Practice(args.seed, args.referrals, args.weeks)
        end = START + timedelta(weeks=args.weeks) + TAIL
        results = {}
        for routing in (False, True):
            started = time.perf_counter()
            run = Run(practice, routing)
            run.build()
            steps = run.play(end)
            results[routing] = run.figures()
            print(
                f"routing {'on' if routing else 'off'}: {steps:,} steps in "
                f"{time.perf_counter() - started:.0f} s",
                flush=True,
            )
        off, on = results[False], results[True]
        print(
            f"\n{args.referrals:,} referrals ({off['general']:,} General) over {args.weeks:g} "
            f"weeks, {PROVIDERS} providers, {len(NETWORKS)} networks, seed {args.seed}; "
            f"ROUTING_WAVE_SIZE {settings.ROUTING_WAVE_SIZE}, "
            f"ROUTING_WAVE_AFTER {settings.ROUTING_WAVE_AFTER}\n"
        )
        print(table(off, on))
        print(f"\noffers per eligible provider, routing on: {sorted(on['offers'])}")
    finally:
        shutil.rmtree(WORKDIR, ignore_errors=True)


if __name__ == "__main__":
    main()
