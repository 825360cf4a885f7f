"""Loads the demo clinic: one staff login per role, then each app's demo data (the catalog
comes by migration): locations, providers with their hours and a few bookings, and a returning
patient's chart; with --history, a past year of visits too, so the reports have something to count
(`make run` asks for it; the tests' demo stays small).

Idempotent: running it again changes nothing and prints the same logins. Refuses to run with
DEBUG off, so a production database never gets demo passwords.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from bookings import demo as bookings_demo
from charting import demo as charting_demo
from intake.services import treatment_ready_refresh_all
from medspa.demo import demo_authenticator, demo_password, staff_user
from medspa.roles import FRONT_DESK, INJECTOR, MANAGER
from medspa.signin.two_factor import secret_text
from reports import demo as reports_demo

# username, first name, last name, role
DEMO_STAFF = [
    ("frontdesk", "Fran", "Delgado", FRONT_DESK),
    ("injector", "Imani", "Osei", INJECTOR),
    ("manager", "Morgan", "Reyes", MANAGER),
]


class Command(BaseCommand):
    help = "Create the demo clinic's staff logins (idempotent). Only with DJANGO_DEBUG on."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")
        parser.add_argument("--history", action="store_true", help="Also a past year of visits, for the reports.")

    @transaction.atomic
    def handle(self, *args: Any, force: bool = False, history: bool = False, **options: Any) -> None:
        if not (settings.DEBUG or force):
            raise CommandError("demo_seed creates known passwords; it runs only with DJANGO_DEBUG=1 (or --force).")
        keys = {}
        for username, first_name, last_name, role in DEMO_STAFF:
            user = staff_user(username=username, first_name=first_name, last_name=last_name, role=role)
            if role in (INJECTOR, MANAGER):  # their role signs in with a code from an authenticator app
                keys[username] = secret_text(demo_authenticator(user))
        provider_logins = bookings_demo.seed()
        charting_demo.seed()
        if history:
            reports_demo.seed()
        # The demo writes its rows directly: the front desk's ready / not ready badge follows them.
        treatment_ready_refresh_all(now=timezone.now())
        self.stdout.write("Demo staff logins (username / password):")
        for username, _, _, role in DEMO_STAFF:
            login = f"{username} / {demo_password(username)}"
            key = f"   authenticator key {keys[username]}" if username in keys else ""
            self.stdout.write(f"  {role:<11} {login:<26}{key}")
        others = [login for login in provider_logins if not login.startswith("injector ")]
        if others:
            self.stdout.write(f"  {'Injectors':<11} " + ", ".join(others) + " (set up their app at first sign-in)")
        self.stdout.write(
            "  Sign-in codes: add the key to an authenticator app, or run "
            "`.venv/bin/python manage.py demo_code injector` (or manager)."
        )
