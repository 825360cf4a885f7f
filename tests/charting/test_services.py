"""The record's services: the gate, one-step saves, signing once, not treated, addenda, immutability."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection

from bookings.models import ChartState
from charting.models import Addendum, ImmutableError, InjectionSite, LotUse, Override, RecordStatus, TreatmentRecord
from charting.services import (
    ChartingError,
    addendum_add,
    record_not_treated,
    record_save,
    record_sign,
    record_start,
)
from tests.charting.conftest import VISIT_START
from tests.charting.helpers import chart_and_sign, content

pytestmark = pytest.mark.django_db
NOW = VISIT_START + timedelta(minutes=10)


# The gate


@pytest.mark.parametrize(
    ("intake_status", "consent", "reason"),
    [
        ("not_started", True, "Medical history not finished"),
        ("flagged", True, "Screening needs the injector's decision"),
        ("complete", False, "Consent not signed for the current version"),
    ],
)
def test_a_record_cannot_start_until_the_gate_is_open(make_visit, injector_user, intake_status, consent, reason):
    appointment = make_visit(intake_status=intake_status, consent=consent)
    with pytest.raises(ChartingError) as refused:
        record_start(appointment=appointment, actor=injector_user, now=NOW)
    assert reason in refused.value.detail
    assert not TreatmentRecord.objects.exists()
    appointment.refresh_from_db()
    assert appointment.chart_state == ChartState.NONE


def test_a_cleared_screening_with_consent_opens_the_gate(visit, injector_user):
    record = record_start(appointment=visit, actor=injector_user, now=NOW)
    assert record.status == RecordStatus.DRAFT and record.started_by == injector_user
    visit.refresh_from_db()
    assert visit.chart_state == ChartState.DRAFT and not visit.toxin_given


def test_an_absolute_hit_keeps_the_gate_shut(make_visit, injector_user):
    # An absolute hit is never cleared: the intake stays flagged, whatever else is in order.
    appointment = make_visit(intake_status="flagged")
    with pytest.raises(ChartingError):
        record_start(appointment=appointment, actor=injector_user, now=NOW)


def test_a_record_starts_only_once_checked_in(make_visit, injector_user):
    appointment = make_visit(status="confirmed")
    with pytest.raises(ChartingError, match="checked in"):
        record_start(appointment=appointment, actor=injector_user, now=NOW)


def test_starting_twice_returns_the_same_record(visit, injector_user):
    first = record_start(appointment=visit, actor=injector_user, now=NOW)
    assert record_start(appointment=visit, actor=injector_user, now=NOW).pk == first.pk
    assert TreatmentRecord.objects.count() == 1


# Saving


def test_a_save_replaces_the_draft_rows_in_one_step(visit, injector_user):
    record = record_start(appointment=visit, actor=injector_user, now=NOW)
    record_save(record=record, content=content(("masseter", "left", "30"), ("masseter", "right", "24")),
                actor=injector_user, now=NOW)  # fmt: skip
    record_save(record=record, content=content(("dao", "left", "4"), notes="DAO only"), actor=injector_user, now=NOW)
    assert [(s.area.slug, s.units) for s in InjectionSite.objects.all()] == [("dao", Decimal("4"))]
    assert LotUse.objects.count() == 1
    record.refresh_from_db()
    assert record.notes == "DAO only"


@pytest.mark.parametrize(
    ("sites", "field"),
    [
        ((("masseter", "left", "-5"),), "sites-1-units"),
        ((("masseter", "left", "2.3"),), "sites-1-units"),
        ((("masseter", "left", "10000"),), "sites-1-units"),
        ((("glabella", "left", "20"),), "sites-1-side"),
    ],
)
def test_a_refused_row_saves_nothing_not_even_the_good_rows(visit, injector_user, sites, field):
    record = record_start(appointment=visit, actor=injector_user, now=NOW)
    record_save(record=record, content=content(("dao", "left", "4")), actor=injector_user, now=NOW)
    with pytest.raises(ChartingError) as refused:
        record_save(record=record, content=content(("masseter", "right", "25"), *sites, notes="changed"),
                    actor=injector_user, now=NOW)  # fmt: skip
    assert field in refused.value.errors
    assert [(s.area.slug, s.units) for s in InjectionSite.objects.all()] == [("dao", Decimal("4"))]
    record.refresh_from_db()
    assert record.notes == ""


def test_an_expired_lot_is_refused(visit, injector_user):
    record = record_start(appointment=visit, actor=injector_user, now=NOW)
    with pytest.raises(ChartingError) as refused:
        record_save(record=record, content=content(("dao", "left", "4"), expiry=VISIT_START.date() - timedelta(days=1)),
                    actor=injector_user, now=NOW)  # fmt: skip
    assert "expired" in refused.value.errors["lots-0-expiry"][0]
    assert not LotUse.objects.exists()


# Signing


def test_signing_needs_a_reason_for_every_warning_and_keeps_them(visit, injector_user):
    record = record_start(appointment=visit, actor=injector_user, now=NOW)
    record_save(record=record, content=content(("masseter", "left", "50"), ("masseter", "right", "24")),
                actor=injector_user, now=NOW)  # fmt: skip
    with pytest.raises(ChartingError) as refused:
        record_sign(record=record, reasons={}, actor=injector_user, now=NOW)
    (field,) = refused.value.errors
    assert (
        field.startswith("reason-range-") and "left: 50 Botox Cosmetic units is above" in refused.value.errors[field][0]
    )
    with pytest.raises(ChartingError):
        record_sign(record=record, reasons={field.removeprefix("reason-"): "   "}, actor=injector_user, now=NOW)
    signed = record_sign(record=record, reasons={field.removeprefix("reason-"): "Strong bruxism on the left"},
                         actor=injector_user, now=NOW)  # fmt: skip
    assert signed.status == RecordStatus.SIGNED and signed.signed_by == injector_user and signed.signed_at == NOW
    (override,) = Override.objects.all()
    assert override.reason == "Strong bruxism on the left" and "50" in override.message
    visit.refresh_from_db()
    assert visit.chart_state == ChartState.SIGNED and visit.toxin_given


def test_a_second_sign_returns_the_signed_record_once(visit, injector_user, manager_user):
    record = chart_and_sign(visit, injector_user, now=NOW)
    again = record_sign(record=record, reasons={}, actor=manager_user, now=NOW + timedelta(minutes=1),
                        content=content(("dao", "left", "4")))  # fmt: skip
    assert again.signed_by == injector_user and again.signed_at == NOW
    assert InjectionSite.objects.filter(area__slug="dao").count() == 0


def test_a_record_with_no_site_is_not_signed(visit, injector_user):
    record = record_start(appointment=visit, actor=injector_user, now=NOW)
    with pytest.raises(ChartingError, match="not treated"):
        record_sign(record=record, reasons={}, actor=injector_user, now=NOW)


def test_an_allergy_reported_after_saving_stops_the_signature(visit, injector_user, monkeypatch):
    record = record_start(appointment=visit, actor=injector_user, now=NOW)
    record_save(record=record, content=content(("dao", "left", "4")), actor=injector_user, now=NOW)
    monkeypatch.setattr("charting.selectors.record.product_allergies", lambda appointment: frozenset({"albumin"}))
    with pytest.raises(ChartingError) as refused:
        record_sign(record=record, reasons={}, actor=injector_user, now=NOW)
    assert "albumin" in refused.value.errors["lots-0-product"][0]


# Not treated, addenda, immutability


def test_not_treated_needs_a_reason_and_locks_the_record(visit, injector_user):
    with pytest.raises(ChartingError):
        record_not_treated(appointment=visit, reason="  ", actor=injector_user, now=NOW)
    record = record_not_treated(appointment=visit, reason="Infection at the site", actor=injector_user, now=NOW)
    assert record.status == RecordStatus.NOT_TREATED and record.not_treated_reason == "Infection at the site"
    visit.refresh_from_db()
    assert visit.chart_state == ChartState.NOT_TREATED and not visit.toxin_given
    with pytest.raises(ChartingError, match="cannot be changed"):
        record_save(record=record, content=content(("dao", "left", "4")), actor=injector_user, now=NOW)


def test_not_treated_does_not_need_the_gate_and_drops_a_drafts_rows(make_visit, injector_user):
    appointment = make_visit(consent=False)
    assert record_not_treated(appointment=appointment, reason="No consent", actor=injector_user, now=NOW)
    visit = make_visit(VISIT_START + timedelta(days=100))
    record = record_start(appointment=visit, actor=injector_user, now=NOW)
    record_save(record=record, content=content(("dao", "left", "4")), actor=injector_user, now=NOW)
    record_not_treated(appointment=visit, reason="Patient changed their mind", actor=injector_user, now=NOW)
    assert not InjectionSite.objects.filter(record=record).exists()


def test_a_signed_record_and_its_rows_cannot_be_changed_or_deleted(visit, injector_user):
    record = chart_and_sign(visit, injector_user, now=NOW, reasons=None)
    site, lot = InjectionSite.objects.get(record=record, side="left"), LotUse.objects.get(record=record)
    record.notes = "changed"
    site.units = Decimal(1)
    lot.lot_number = "OTHER"
    for obj in (record, site, lot):
        with pytest.raises(ImmutableError):
            obj.save()
        with pytest.raises(ImmutableError):
            obj.delete()
    with pytest.raises(ImmutableError):
        InjectionSite.objects.filter(record=record).update(units=1)
    with pytest.raises(ImmutableError):
        TreatmentRecord.objects.filter(pk=record.pk).delete()
    with pytest.raises(ImmutableError):
        Override.objects.create(record=record, code="x", message="m", reason="r", by=injector_user, at=NOW)
    with pytest.raises(ChartingError):
        record_save(record=record, content=content(("dao", "left", "4")), actor=injector_user, now=NOW)
    assert InjectionSite.objects.get(pk=site.pk).units == Decimal(25)


def test_overrides_of_a_signed_record_are_frozen(visit, injector_user):
    record = record_start(appointment=visit, actor=injector_user, now=NOW)
    record_save(record=record, content=content(("masseter", "left", "50"), ("masseter", "right", "24")),
                actor=injector_user, now=NOW)  # fmt: skip
    with pytest.raises(ChartingError) as refused:
        record_sign(record=record, reasons={}, actor=injector_user, now=NOW)
    code = next(iter(refused.value.errors)).removeprefix("reason-")
    record_sign(record=record, reasons={code: "Bruxism"}, actor=injector_user, now=NOW)
    override = Override.objects.get()
    override.reason = "rewritten"
    with pytest.raises(ImmutableError):
        override.save()
    with pytest.raises(ImmutableError):
        override.delete()


def test_addenda_only_on_a_locked_record_and_never_changed(visit, injector_user, manager_user):
    record = record_start(appointment=visit, actor=injector_user, now=NOW)
    with pytest.raises(ChartingError, match="signed records"):
        addendum_add(record=record, text="Too early", actor=injector_user, now=NOW)
    record_save(record=record, content=content(("masseter", "left", "25"), ("masseter", "right", "25")),
                actor=injector_user, now=NOW)  # fmt: skip
    record_sign(record=record, reasons={}, actor=injector_user, now=NOW)
    with pytest.raises(ChartingError):
        addendum_add(record=record, text="  ", actor=manager_user, now=NOW)
    note = addendum_add(record=record, text="Patient called: mild headache", actor=manager_user,
                        now=NOW + timedelta(days=2))  # fmt: skip
    assert (note.author, note.at) == (manager_user, NOW + timedelta(days=2))
    note.text = "edited"
    with pytest.raises(ImmutableError):
        note.save()
    with pytest.raises(ImmutableError):
        note.delete()
    assert Addendum.objects.get().text == "Patient called: mild headache"


# Two threads signing at once (PostgreSQL: SQLite serialises writers anyway)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_signatures_sign_once(make_visit, injector_user, manager_user):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    visit = make_visit()
    record = record_start(appointment=visit, actor=injector_user, now=NOW)
    record_save(record=record, content=content(("masseter", "left", "25"), ("masseter", "right", "25")),
                actor=injector_user, now=NOW)  # fmt: skip
    barrier, results = threading.Barrier(2), []

    def sign(actor, at):
        try:
            barrier.wait()
            results.append(record_sign(record=record, reasons={}, actor=actor, now=at))
        finally:
            connection.close()

    threads = [threading.Thread(target=sign, args=(user, NOW + timedelta(seconds=i)))
               for i, user in enumerate((injector_user, manager_user))]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 2 and len({(r.signed_by_id, r.signed_at) for r in results}) == 1
    stored = TreatmentRecord.objects.get()
    assert (stored.signed_by_id, stored.signed_at) == (results[0].signed_by_id, results[0].signed_at)
