"""The catalog: what the clinic treats, with what, what can be booked, and the aftercare.

Doses are in the units of the product used; areas give the usual onabotulinumtoxinA (Botox)
range. All of it is editable by a Manager in the admin: sources disagree on several values.
"""

import re
from datetime import timedelta

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

# A count of injection points at the start of the catalog text: "3", "1–2", "4-6".
_POINT_COUNT = re.compile(r"(\d+(?:\s*[–-]\s*\d+)?)(?=\s|,|$)")


class Region(models.TextChoices):
    UPPER_FACE = "upper", "Upper face"
    MID_LOWER_FACE = "mid-lower", "Mid and lower face"
    JAW_NECK = "jaw-neck", "Jaw and neck"


class TreatmentAreaQuerySet(models.QuerySet):
    def active(self) -> "TreatmentAreaQuerySet":
        return self.filter(is_active=True)


class TreatmentArea(models.Model):
    """A part of the face or neck, the muscles treated there and the usual dose."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=80)
    region = models.CharField(max_length=12, choices=Region.choices)
    sort_order = models.PositiveSmallIntegerField(default=0)
    muscles = models.CharField(max_length=200, help_text="Comma-separated, in plain anatomical names.")
    concern = models.CharField(max_length=200, help_text="What a patient notices, in their words.")
    summary = models.TextField(help_text="For patients: what treating this area does.")
    per_side = models.BooleanField(
        default=False,
        help_text="Doses are charted for the left and right side separately, and the range is per side.",
    )
    typical_units_min = models.PositiveSmallIntegerField(help_text="Botox units (per side when per-side).")
    typical_units_max = models.PositiveSmallIntegerField(help_text="Botox units (per side when per-side).")
    dose_note = models.CharField(max_length=300, blank=True, help_text="For injectors: label and practice figures.")
    injection_points = models.CharField(max_length=80)
    cautions = models.TextField(blank=True, help_text="For injectors.")
    patient_cautions = models.TextField(blank=True, help_text="For patients: what to know, in plain words.")
    effect_lasts = models.CharField(max_length=60, default="3–4 months")
    expectations = models.TextField(blank=True, help_text="For patients: anything particular to this area.")
    off_label = models.BooleanField(default=False, help_text="No FDA label for this area.")
    is_active = models.BooleanField(default=True)

    objects = TreatmentAreaQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(typical_units_min__lte=models.F("typical_units_max")),
                name="area_typical_units_min_lte_max",
                violation_error_message="The lowest typical dose cannot be above the highest.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def muscle_list(self) -> list[str]:
        return [muscle.strip() for muscle in self.muscles.split(",") if muscle.strip()]

    @property
    def injection_points_label(self) -> str:
        """The injection points as a phrase for mid-sentence: "2–3 points per side", "1 point".

        The catalog keeps a count with an optional qualifier ("2–3 per side", "1 per side, ≥1 cm
        lateral to the mouth corner") or a description ("Along the bands and the jawline"): the
        noun goes after the count, and a description starts in lower case.
        """
        text = self.injection_points.strip()
        count = _POINT_COUNT.match(text)
        if count is None:
            return text[:1].lower() + text[1:]
        number, rest = count.group(1), text[count.end() :]
        return f"{number} {'point' if number == '1' else 'points'}{rest}"

    @property
    def dose_range_label(self) -> str:
        units = (
            f"{self.typical_units_min}"
            if self.typical_units_min == self.typical_units_max
            else f"{self.typical_units_min}–{self.typical_units_max}"
        )
        return f"{units} units {'per side' if self.per_side else 'in total'}"


class Product(models.Model):
    """A neuromodulator. Its units are its own: they do not convert to another product's."""

    slug = models.SlugField(unique=True)
    brand = models.CharField(max_length=60)
    generic_name = models.CharField(max_length=80)
    onset = models.CharField(max_length=80, blank=True)
    duration = models.CharField(max_length=80, blank=True)
    min_retreatment_days = models.PositiveSmallIntegerField(
        default=90, validators=[MinValueValidator(1)], help_text="Never re-treat sooner than this."
    )
    max_units_per_period = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Label limit on the total dose within the period below."
    )
    max_units_period_days = models.PositiveSmallIntegerField(default=90)
    units_per_botox_unit = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(0.1)],
        help_text="How many of this product's units clinicians give for one Botox unit (Dysport 2.5–3). "
        "Used only to scale the areas' usual ranges; units are never converted or added across products.",
    )
    contains_human_albumin = models.BooleanField(default=False)
    contains_milk_protein = models.BooleanField(default=False)
    units_note = models.TextField(blank=True, help_text="Reconstitution, storage, unit equivalence.")
    is_active = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "brand"]

    def __str__(self) -> str:
        return f"{self.brand} ({self.generic_name})"


class ServiceKind(models.TextChoices):
    CONSULTATION = "consultation", "Consultation"
    TREATMENT = "treatment", "Treatment"
    REVIEW = "review", "Review"


class ServiceQuerySet(models.QuerySet):
    def active(self) -> "ServiceQuerySet":
        return self.filter(is_active=True)


class Service(models.Model):
    """What a patient books. Buffers before and after count as the provider's busy time (and the
    room's and device's, when the service takes them)."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=16, choices=ServiceKind.choices)
    summary = models.TextField(blank=True, help_text="For patients, on the booking page.")
    duration_minutes = models.PositiveSmallIntegerField(validators=[MinValueValidator(5)])
    buffer_before_minutes = models.PositiveSmallIntegerField(default=0)
    buffer_after_minutes = models.PositiveSmallIntegerField(default=0)
    price = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    price_note = models.CharField(max_length=120, blank=True)
    bookable_online = models.BooleanField(default=True)
    new_patients_online = models.BooleanField(
        default=True, help_text="New patients may book it online (otherwise returning patients only)."
    )
    is_toxin_treatment = models.BooleanField(
        default=False, help_text="Injects a neuromodulator: screening holds and aftercare apply."
    )
    # What the visit occupies besides the provider: the front office (bookings) resolves these to
    # a concrete room and device of the location, free for the visit and its buffers.
    needs_room = models.BooleanField(default=False, help_text="The visit takes one of the location's rooms.")
    device_kind = models.SlugField(
        max_length=40,
        blank=True,
        help_text="The kind of device the visit takes (e.g. ultrasound), one of the location's devices of "
        "that kind; blank: none.",
    )
    is_active = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(duration_minutes__gte=5), name="service_duration_at_least_5_min"),
            models.CheckConstraint(condition=Q(price__gte=0), name="service_price_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    @property
    def buffer_before(self) -> timedelta:
        return timedelta(minutes=self.buffer_before_minutes)

    @property
    def buffer_after(self) -> timedelta:
        return timedelta(minutes=self.buffer_after_minutes)


class Channel(models.TextChoices):
    PREFERRED = "preferred", "Patient's preferred channel"
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"


class AftercareStep(models.Model):
    """A message sent a set time after the end of an appointment for a service.

    A step with a product or an area overrides the service's step with the same key (lip flip
    rebooks at 8 weeks, Daxxify at ~6 months); an inactive override removes the step.
    """

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="aftercare_steps")
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, null=True, blank=True, related_name="aftercare_overrides"
    )
    area = models.ForeignKey(
        TreatmentArea, on_delete=models.CASCADE, null=True, blank=True, related_name="aftercare_overrides"
    )
    key = models.SlugField(max_length=40, help_text="Steps with the same key replace one another.")
    offset = models.DurationField(help_text="After the end of the appointment, e.g. 4:00:00 or 14 days.")
    channel = models.CharField(max_length=12, choices=Channel.choices, default=Channel.PREFERRED)
    title = models.CharField(max_length=120)
    body = models.TextField(help_text="General advice only: never anything about the patient's health.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["service", "offset", "key"]
        constraints = [
            models.CheckConstraint(
                condition=Q(product__isnull=True) | Q(area__isnull=True),
                name="aftercare_override_product_or_area",
                violation_error_message="An override is for a product or for an area, not both.",
            ),
            models.CheckConstraint(condition=Q(offset__gte=timedelta(0)), name="aftercare_offset_not_negative"),
            models.UniqueConstraint(
                fields=["service", "key"],
                condition=Q(product__isnull=True, area__isnull=True),
                name="aftercare_one_default_per_key",
            ),
            models.UniqueConstraint(
                fields=["service", "key", "product"],
                condition=Q(product__isnull=False),
                name="aftercare_one_product_override_per_key",
            ),
            models.UniqueConstraint(
                fields=["service", "key", "area"],
                condition=Q(area__isnull=False),
                name="aftercare_one_area_override_per_key",
            ),
        ]

    def __str__(self) -> str:
        scope = self.product or self.area
        return f"{self.service}: {self.title}" + (f" ({scope})" if scope else "")

    @property
    def when_label(self) -> str:
        """The offset in a patient's words: "Right after your visit", "4 hours after", "8 weeks after"."""
        hours = self.offset.total_seconds() / 3600
        days = self.offset.days
        if hours < 1:
            return "Right after your visit"
        if hours < 48:
            return f"{hours:g} hours after"
        if days < 14 or days % 7:
            return f"{days} days after" if days < 28 else f"About {round(days / 30.4)} months after"
        weeks = days // 7
        return f"{weeks} weeks after" if weeks <= 8 else f"About {round(days / 30.4)} months after"


class CatalogVersion(models.Model):
    """One row counting the catalog's writes: pages built from the catalog are cached under its
    number, so every web process (and machine) sees a change at once whatever its cache."""

    number = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"Catalog version {self.number}"
