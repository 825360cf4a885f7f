"""No double booking, enforced by PostgreSQL itself.

An exclusion constraint refuses two appointments of one provider whose busy ranges (visit plus
buffers) overlap, among the statuses that block time. It lives only in the database: SQLite
has no such constraint (it serializes writers instead, with IMMEDIATE transactions), and
keeping it out of Django's model state keeps SQLite's table rebuilds from trying to create it.
"""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary, RangeOperators
from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations
from django.db.models import Func, Q

BLOCKING_STATUSES = ["booked", "confirmed", "checked_in", "completed"]


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


NO_OVERLAP = ExclusionConstraint(
    name="appointment_no_overlap_per_provider",
    expressions=[
        ("provider", RangeOperators.EQUAL),
        (TsTzRange("busy_from", "busy_until", RangeBoundary()), RangeOperators.OVERLAPS),
    ],
    condition=Q(status__in=BLOCKING_STATUSES),
    violation_error_message="This provider already has an appointment at that time.",
)


class AddConstraintOnPostgres(migrations.operations.base.Operation):
    """Adds a constraint in PostgreSQL only, without touching the migration state."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, model_name, constraint):
        self.model_name = model_name
        self.constraint = constraint

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.add_constraint(to_state.apps.get_model(app_label, self.model_name), self.constraint)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.remove_constraint(from_state.apps.get_model(app_label, self.model_name), self.constraint)

    def describe(self):
        return f"Add {self.constraint.name} on {self.model_name} (PostgreSQL only)"


class Migration(migrations.Migration):
    dependencies = [("bookings", "0001_front_office")]

    operations = [
        BtreeGistExtension(),
        AddConstraintOnPostgres("appointment", NO_OVERLAP),
    ]
