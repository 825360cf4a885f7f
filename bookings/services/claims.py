"""Claiming time in the database: a provider's, and the room's and device's a visit takes.

The database has the last word on overlaps: on PostgreSQL exclusion constraints (migrations 0002
and 0015) refuse an overlapping busy range for a provider, a room or a device (we answer "taken");
on SQLite every transaction takes the write lock at BEGIN (IMMEDIATE), so the availability check
before the write and the write are one step.
"""

from collections.abc import Callable

from django.db import IntegrityError, OperationalError, transaction

from ..models import Appointment
from ..selectors import SlotCheck

EXCLUSION_VIOLATION = "23P01"  # PostgreSQL's SQLSTATE for an exclusion constraint
DEADLOCK_DETECTED = "40P01"
CLAIM_ATTEMPTS = 3


def _is_exclusion_violation(exc: IntegrityError) -> bool:
    return getattr(exc.__cause__, "sqlstate", None) == EXCLUSION_VIOLATION


PROVIDER_CONSTRAINT = "appointment_no_overlap_per_provider"


def _violated_constraint(exc: IntegrityError) -> str:
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None) or ""


def claim_time(write: Callable[[], None], conflicts: list[str] | None = None) -> bool:
    """Run a write that claims a provider's time (an insert, a move, an undone no-show), and the
    room's and device's it takes, in a savepoint: True if it holds the time, False if one of
    PostgreSQL's exclusion constraints says someone else does (its name appended to `conflicts`).

    Two transactions writing overlapping rows at the same instant can each wait on the other's
    uncommitted row (PostgreSQL checks an exclusion constraint after adding the index entry), and
    PostgreSQL ends one of them with "deadlock detected". That one's savepoint rolls back and the
    other goes on; writing again waits for the other's answer: a violation if it committed, the
    time if it rolled back. So a race gives each client a 201 or a 409, never a 500.
    """
    for _attempt in range(CLAIM_ATTEMPTS):
        try:
            with transaction.atomic():
                write()
        except IntegrityError as exc:
            if _is_exclusion_violation(exc):
                if conflicts is not None:
                    conflicts.append(_violated_constraint(exc))
                return False
            raise
        except OperationalError as exc:
            if getattr(exc.__cause__, "sqlstate", None) != DEADLOCK_DETECTED:
                raise
            continue  # the other writer goes on; ask again and wait for its answer
        return True
    return False  # deadlocked every time: as good as taken, and the client is told so


def _claim_with_resources(appointment: Appointment, check: SlotCheck, write: Callable[[], None]) -> bool:
    """Give `appointment` a room and a device free at its location (when its service takes them)
    and claim them with the provider's time: the free ones in order, until one holds. False when
    none does, or when the provider's own time was taken (no room can help then)."""
    rooms, devices = check.resources.get(appointment.location.pk, ([None], [None]))
    for room_id in rooms:
        for device_id in devices:
            appointment.room_id, appointment.device_id = room_id, device_id
            conflicts: list[str] = []
            if claim_time(write, conflicts):
                return True
            if PROVIDER_CONSTRAINT in conflicts:
                return False
            if conflicts and conflicts[0].endswith("_room"):
                break  # this room is taken: the next room, whatever the device
    return False
