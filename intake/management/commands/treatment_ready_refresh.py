"""Writes intake's treatment gate down on every upcoming appointment: run once after deploying the
`treatment_ready` field (existing appointments start as "not ready: medical history not finished")."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from intake.services import treatment_ready_refresh_all


class Command(BaseCommand):
    help = "Recompute 'ready / not ready for treatment' on every upcoming appointment."

    def handle(self, *args: Any, **options: Any) -> None:
        changed = treatment_ready_refresh_all(now=timezone.now())
        self.stdout.write(f"{changed} appointment(s) changed.")
