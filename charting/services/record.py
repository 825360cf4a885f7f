"""Every write of a treatment record: start (behind the safety gate), save the lots and sites as
one step, sign once with a reason for every warning, not treated, addenda.

A signed or not-treated record never changes (the models refuse it too); the appointment's
`chart_state` and `toxin_given` follow the record through bookings' service, so the front office
knows whether the visit may be completed without reading the chart.
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from bookings.models import Appointment, AppointmentStatus, ChartState
from bookings.services import appointment_chart_state_set
from intake.selectors import treatment_gate
from medspa.middleware import has_control_characters

from ..checks import CheckResult, LotEntry, SiteEntry
from ..models import Addendum, InjectionSite, LotUse, Override, RecordStatus, TreatmentRecord
from ..selectors.record import record_check_for, record_entries

REASON_MAX = 5000
REASON_MESSAGE = f"Write the reason in at most {REASON_MAX:,} characters, without control characters."


class ChartingError(Exception):
    """A write refused for a reason the injector can act on; `errors` are per form field."""

    def __init__(self, detail: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or {}


class RecordLocked(ChartingError):
    pass


@dataclass(frozen=True)
class RecordContent:
    """What the chart form holds: lot rows, site rows (pointing at lot rows), notes, the touch-up link."""

    lots: tuple[LotEntry, ...]
    sites: tuple[SiteEntry, ...]
    notes: str = ""
    touch_up_of: int | None = None


def _locked_record(record: TreatmentRecord) -> TreatmentRecord:
    return (
        TreatmentRecord.objects.select_for_update()
        .select_related("appointment__location", "appointment__patient")
        .get(pk=record.pk)
    )


def _locked_error(record: TreatmentRecord) -> RecordLocked:
    what = "signed" if record.status == RecordStatus.SIGNED else "marked not treated"
    return RecordLocked(f"This record is {what} and cannot be changed: add an addendum instead.")


def record_start(*, appointment: Appointment, actor: AbstractBaseUser, now: datetime) -> TreatmentRecord:
    """A draft record, only when the treatment gate is open and the patient is checked in.

    A second submit returns the record the first one started.
    """
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        existing = TreatmentRecord.objects.filter(appointment=appointment).first()
        if existing is not None:
            return existing
        if appointment.status != AppointmentStatus.CHECKED_IN:
            raise ChartingError("A treatment record is started once the patient is checked in.")
        gate = treatment_gate(appointment)
        if not gate.ready:
            raise ChartingError("Not ready for treatment: " + "; ".join(gate.reasons) + ".")
        record = TreatmentRecord.objects.create(appointment=appointment, started_by=actor, started_at=now)
        appointment_chart_state_set(appointment=appointment, state=ChartState.DRAFT, toxin_given=False)
    return record


def _save_content(record: TreatmentRecord, content: RecordContent) -> CheckResult:
    result = record_check_for(
        appointment=record.appointment,
        lots=list(content.lots),
        sites=list(content.sites),
        touch_up_of=content.touch_up_of,
    )
    if result.refusals:
        raise ChartingError("Nothing was saved: correct the fields marked below.", result.refusals)
    record.sites.all().delete()
    record.lots.all().delete()
    # The record is locked and a draft (checked by the caller): the rows go in with bulk_create,
    # without the per-row "is the record signed?" query that save() makes for every other path.
    ordered_lots = sorted(content.lots, key=lambda lot: lot.index)
    created = LotUse.objects.bulk_create(
        LotUse(record=record, product_id=lot.product_id, lot_number=lot.lot_number.strip(), expiry=lot.expiry,
               dilution_ml=lot.dilution_ml)
        for lot in ordered_lots
    )  # fmt: skip
    lots = {lot.index: row for lot, row in zip(ordered_lots, created, strict=True)}
    InjectionSite.objects.bulk_create(
        InjectionSite(record=record, lot=lots[site.lot_index], area_id=site.area_id, side=site.side,
                      units=site.units, points=site.points)
        for site in sorted(content.sites, key=lambda site: site.index)
    )  # fmt: skip
    record.notes = content.notes.strip()
    record.touch_up_of_id = content.touch_up_of
    record.save(update_fields=["notes", "touch_up_of"])
    return result


def record_save(
    *, record: TreatmentRecord, content: RecordContent, actor: AbstractBaseUser, now: datetime
) -> CheckResult:
    """Replace the draft's lots, sites, notes and touch-up link in one transaction, all checked first.

    Any refusal raises ChartingError with field-level errors and saves nothing; the warnings are
    returned for the page to ask for reasons.
    """
    with transaction.atomic():
        record = _locked_record(record)
        if record.is_locked:
            raise _locked_error(record)
        return _save_content(record, content)


def record_sign(
    *,
    record: TreatmentRecord,
    reasons: dict[str, str],
    actor: AbstractBaseUser,
    now: datetime,
    content: RecordContent | None = None,
) -> TreatmentRecord:
    """Sign once: the warnings are recomputed and each needs a written reason, kept as an Override.

    `content`, when given, is saved as the draft first, under the same lock as the signature: what
    is signed is what was posted and checked, never rows another tab saved in between. It stays
    saved when signing is refused for a missing reason. A second submit returns the record the
    first one signed.
    """
    refused: ChartingError | None = None
    with transaction.atomic():
        record = _locked_record(record)
        if record.status == RecordStatus.SIGNED:
            return record
        if record.status == RecordStatus.NOT_TREATED:
            raise _locked_error(record)
        if content is not None:
            _save_content(record, content)  # a refusal rolls the whole step back
        lots, sites = record_entries(record)
        if not sites:
            raise ChartingError("Chart at least one injection site to sign, or mark the visit not treated.")
        result = record_check_for(
            appointment=record.appointment, lots=lots, sites=sites, touch_up_of=record.touch_up_of_id
        )
        if result.refusals:
            raise ChartingError("The saved record has errors: correct them before signing.", result.refusals)
        given = {code: (reasons.get(code) or "").strip() for code in (w.code for w in result.warnings)}
        missing = {
            f"reason-{w.code}": [f"Write why you went on: {w.message}"] for w in result.warnings if not given[w.code]
        }
        missing |= {
            f"reason-{code}": [REASON_MESSAGE] for code, text in given.items() if len(text) > REASON_MAX
            or has_control_characters(text)
        }  # fmt: skip
        if missing:
            refused = ChartingError("Every warning needs a written reason before signing.", missing)
        else:
            Override.objects.bulk_create(
                Override(record=record, code=w.code, message=w.message, reason=given[w.code], by=actor, at=now)
                for w in result.warnings
            )
            record.status = RecordStatus.SIGNED
            record.signed_by = actor
            record.signed_at = now
            record.save(update_fields=["status", "signed_by", "signed_at"])
            appointment_chart_state_set(
                appointment=record.appointment,
                state=ChartState.SIGNED,
                toxin_given=any(site.units and site.units > 0 for site in sites),
            )
    if refused is not None:  # raised after the commit: the posted draft stays saved
        raise refused
    return record


def record_not_treated(
    *, appointment: Appointment, reason: str, actor: AbstractBaseUser, now: datetime
) -> TreatmentRecord:
    """Nothing injected, and why (required); a draft's rows are dropped. Locked like a signed record."""
    reason = (reason or "").strip()
    if not reason:
        raise ChartingError(
            "Say why the patient was not treated.", {"reason": ["Say why the patient was not treated."]}
        )
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        record = TreatmentRecord.objects.select_for_update().filter(appointment=appointment).first()
        if record is not None and record.status == RecordStatus.NOT_TREATED:
            return record
        if record is not None and record.status == RecordStatus.SIGNED:
            raise _locked_error(record)
        if record is None:
            if appointment.status != AppointmentStatus.CHECKED_IN:
                raise ChartingError("A visit is marked not treated once the patient is checked in.")
            record = TreatmentRecord(appointment=appointment, started_by=actor, started_at=now)
        else:
            record.sites.all().delete()
            record.lots.all().delete()
        record.status = RecordStatus.NOT_TREATED
        record.not_treated_reason = reason
        record.signed_by = actor
        record.signed_at = now
        record.save()
        appointment_chart_state_set(appointment=appointment, state=ChartState.NOT_TREATED, toxin_given=False)
    return record


def addendum_add(*, record: TreatmentRecord, text: str, actor: AbstractBaseUser, now: datetime) -> Addendum:
    """A later note with its author and time: only on a signed or not-treated record."""
    text = (text or "").strip()
    if not text:
        raise ChartingError("Write the addendum.", {"text": ["Write the addendum."]})
    with transaction.atomic():
        record = _locked_record(record)
        if not record.is_locked:
            raise ChartingError("Addenda are for signed records: edit the draft itself.")
        return Addendum.objects.create(record=record, text=text, author=actor, at=now)
