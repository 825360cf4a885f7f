"""Reports own no data: they read every app and write nothing.

The one model here has no table (unmanaged, never queried). It exists only so the right to see
the reports is a permission of this app, granted to a role by migration like every other right.
"""

from django.db import models


class Report(models.Model):
    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_reports", "Can view and export the clinic's reports")]

    def __str__(self) -> str:
        return "Reports"
