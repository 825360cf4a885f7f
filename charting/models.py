"""What the injector does: the assessment of how each muscle pulls, left and right, and the
treatment record (products and lots, injection sites with units per side), signed and then
immutable, with addenda and the written reasons for every warning that was overridden.

Units are always stored with the product they are of: products' units never add up.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from bookings.models import Appointment
from treatments.models import Product, TreatmentArea


class ImmutableError(Exception):
    """A signed record, its sites, lots and assessment are never changed: write an addendum."""


def _record_locked(record_id: int | None) -> bool:
    """Whether the stored record is signed or not treated (read afresh: a stale instance can't slip by)."""
    return (
        record_id is not None
        and TreatmentRecord.objects.filter(pk=record_id).exclude(status=RecordStatus.DRAFT).exists()
    )


class LockedRecordQuerySet(models.QuerySet):
    """Bulk updates and deletes refuse rows of a locked record too (save() and delete() guard one row)."""

    record_path = "record"

    def _touches_locked(self) -> bool:
        status = "status" if self.record_path == "" else f"{self.record_path}__status"
        return self.exclude(**{status: RecordStatus.DRAFT}).exists()

    def update(self, **kwargs):
        if self._touches_locked():
            raise ImmutableError("A signed or not-treated record cannot be changed: add an addendum.")
        return super().update(**kwargs)

    def delete(self):
        if self._touches_locked():
            raise ImmutableError("A signed or not-treated record cannot be deleted.")
        return super().delete()


class RecordQuerySet(LockedRecordQuerySet):
    record_path = ""


class _GuardedByRecord(models.Model):
    """A row that belongs to a treatment record: frozen once the record is locked."""

    objects = LockedRecordQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if _record_locked(self.record_id):
            raise ImmutableError(f"{type(self).__name__} of a signed or not-treated record cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if _record_locked(self.record_id):
            raise ImmutableError(f"{type(self).__name__} of a signed or not-treated record cannot be deleted.")
        return super().delete(*args, **kwargs)


class Side(models.TextChoices):
    LEFT = "left", "Left"
    RIGHT = "right", "Right"
    CENTRE = "centre", "Centre"


class Expression(models.TextChoices):
    """What the patient is asked to do while the injector watches; each field of a score row."""

    REST = "rest", "At rest"
    FROWN = "frown", "Frowning"
    SMILE = "smile", "Smiling"
    BROWS = "brows", "Raising the brows"
    SQUINT = "squint", "Squinting"
    CLENCH = "clench", "Clenching"


PULL_SCALE = ((0, "0 — none"), (1, "1 — mild"), (2, "2 — moderate"), (3, "3 — strong"))
_pull = {
    "null": True,
    "blank": True,
    "choices": PULL_SCALE,
    "validators": [MinValueValidator(0), MaxValueValidator(3)],
}


class Assessment(models.Model):
    """How the face moves at this visit, muscle by muscle and side by side (0–3 per expression)."""

    appointment = models.OneToOneField(Appointment, on_delete=models.PROTECT, related_name="assessment")
    notes = models.TextField(blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Assessment for {self.appointment.reference}"


class AssessmentRow(models.Model):
    """One muscle on one side: how strongly it pulls in each expression, and whether it drives the imbalance."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="rows")
    area = models.ForeignKey(TreatmentArea, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    muscle = models.CharField(max_length=80, help_text="Plain anatomical name, e.g. masseter.")
    side = models.CharField(max_length=6, choices=[(Side.LEFT, "Left"), (Side.RIGHT, "Right")])
    rest = models.PositiveSmallIntegerField(**_pull)
    frown = models.PositiveSmallIntegerField(**_pull)
    smile = models.PositiveSmallIntegerField(**_pull)
    brows = models.PositiveSmallIntegerField(**_pull)
    squint = models.PositiveSmallIntegerField(**_pull)
    clench = models.PositiveSmallIntegerField(**_pull)
    dominant = models.BooleanField(default=False, help_text="A dominant driver of the imbalance.")

    class Meta:
        ordering = ["assessment", "area__sort_order", "muscle", "side"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "muscle", "side"], name="assessment_row_unique"),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lte": 3}),
                    name=f"assessment_row_{field}_0_to_3",
                )
                for field in Expression.values
            ),
        ]

    def __str__(self) -> str:
        return f"{self.muscle} ({self.side})"


class RecordStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"
    NOT_TREATED = "not_treated", "Not treated"


class TreatmentRecord(models.Model):
    """What was injected at one appointment, or why nothing was. Signed once; then addenda only."""

    appointment = models.OneToOneField(Appointment, on_delete=models.PROTECT, related_name="treatment_record")
    status = models.CharField(max_length=12, choices=RecordStatus.choices, default=RecordStatus.DRAFT)
    # A small top-up at the two-week review, linked to the treatment it completes (≤ 21 days).
    touch_up_of = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="touch_ups")
    notes = models.TextField(blank=True)
    not_treated_reason = models.TextField(blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)

    objects = RecordQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status=RecordStatus.DRAFT) | Q(signed_by__isnull=False, signed_at__isnull=False),
                name="record_signed_has_signer",
            ),
            models.CheckConstraint(
                condition=~Q(status=RecordStatus.NOT_TREATED) | ~Q(not_treated_reason=""),
                name="record_not_treated_has_reason",
            ),
        ]
        permissions = [("recall_lot", "Can find every patient treated with a lot")]

    def __str__(self) -> str:
        return f"Treatment record for {self.appointment.reference} ({self.status})"

    def save(self, *args, **kwargs):
        # Signing saves a row that is still a draft in the database; after that, nothing changes.
        if _record_locked(self.pk):
            raise ImmutableError("A signed or not-treated record cannot be changed: add an addendum.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if _record_locked(self.pk):
            raise ImmutableError("A signed or not-treated record cannot be deleted.")
        return super().delete(*args, **kwargs)

    @property
    def is_locked(self) -> bool:
        return self.status != RecordStatus.DRAFT


class LotUse(_GuardedByRecord):
    """A product and lot used at the visit: the vial's lot number, expiry and dilution."""

    record = models.ForeignKey(TreatmentRecord, on_delete=models.CASCADE, related_name="lots")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    lot_number = models.CharField(max_length=40)
    expiry = models.DateField()
    dilution_ml = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("10"))],
        help_text="Saline added per vial, in mL.",
    )

    class Meta:
        ordering = ["record", "pk"]
        indexes = [models.Index(fields=["product", "lot_number"], name="lotuse_product_lot")]

    def __str__(self) -> str:
        return f"{self.product.brand} lot {self.lot_number}"


class InjectionSite(_GuardedByRecord):
    """Units of one lot's product into one area on one side (centre for areas charted as a total)."""

    record = models.ForeignKey(TreatmentRecord, on_delete=models.CASCADE, related_name="sites")
    lot = models.ForeignKey(LotUse, on_delete=models.PROTECT, related_name="sites")
    area = models.ForeignKey(TreatmentArea, on_delete=models.PROTECT, related_name="+")
    side = models.CharField(max_length=6, choices=Side.choices)
    units = models.DecimalField(max_digits=5, decimal_places=1)
    points = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1), MaxValueValidator(20)])

    class Meta:
        ordering = ["record", "area__sort_order", "side", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(units__gt=0), name="site_units_positive"),
            models.CheckConstraint(condition=Q(points__gte=1), name="site_points_at_least_1"),
        ]

    def __str__(self) -> str:
        return f"{self.units} U {self.area} ({self.side})"


class Override(_GuardedByRecord):
    """A warning the injector read and went on past, with the reason they wrote; kept on the record."""

    record = models.ForeignKey(TreatmentRecord, on_delete=models.CASCADE, related_name="overrides")
    code = models.CharField(max_length=40)
    message = models.TextField()
    reason = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["record", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.code} overridden on {self.record_id}"


class Addendum(models.Model):
    """A later note on a signed record: the record itself never changes."""

    record = models.ForeignKey(TreatmentRecord, on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["record", "at", "pk"]
        verbose_name_plural = "addenda"

    def __str__(self) -> str:
        return f"Addendum to {self.record_id} at {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableError("An addendum is never changed: add another.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("An addendum is never deleted.")


# Photos live in their own module; imported here so Django finds the model.
from .photo_models import Phase, Photo  # noqa: E402, F401
