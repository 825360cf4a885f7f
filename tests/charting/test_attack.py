"""The chart attacked: who may do what, bad ids, calendar edges, odd numbers, double submits and two
tabs, completion through the front desk's action, the history and recall at their edges, and the
access log on every read (and none on a 404). Never a 500."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.services import patient_erase
from bookings.models import ChartState
from charting.models import InjectionSite, LotUse, Override, RecordStatus, TreatmentRecord
from charting.services import record as charting_services
from charting.services import record_not_treated, record_save, record_start
from intake.models import AccessLog
from medspa.roles import INJECTOR
from tests.charting.conftest import VISIT_START
from tests.charting.helpers import chart_and_sign, content
from tests.factories import AppointmentFactory, PatientFactory, ProviderFactory, ServiceFactory, UserFactory
from treatments.models import Product, TreatmentArea

pytestmark = pytest.mark.django_db
NOW = VISIT_START + timedelta(minutes=10)


def url(appointment, name="chart"):
    return reverse(f"charting:{name}", args=[appointment.reference])


def area(slug):
    return TreatmentArea.objects.get(slug=slug).pk


def botox():
    return Product.objects.get(slug="botox-cosmetic").pk


def good_post(**values):
    """A whole chart form as the browser posts it: one Botox lot, 25 U in each masseter."""
    data = {"action": "save", "lot_rows": "2", "site_rows": "8", "notes": "", "touch_up_of": "",
            "lots-0-product": str(botox()), "lots-0-lot_number": "C77C3", "lots-0-expiry": "2027-05-31",
            "lots-0-dilution_ml": "2.5",
            "sites-0-area": str(area("masseter")), "sites-0-side": "left", "sites-0-units": "25",
            "sites-0-points": "2", "sites-0-lot": "0",
            "sites-1-area": str(area("masseter")), "sites-1-side": "right", "sites-1-units": "25",
            "sites-1-points": "2", "sites-1-lot": "0"}  # fmt: skip
    data.update(values)
    return data


def other_injector():
    user = UserFactory(is_staff=True, username="otherinjector")
    user.groups.add(Group.objects.get(name=INJECTOR))
    TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    ProviderFactory(user=user)
    return user


@pytest.fixture
def signed_in(client):
    """Sign `user` in (2FA verified) inside the pinned clock; returns the client."""
    with time_machine.travel(NOW, tick=False):

        def sign_in(user):
            client.logout()
            client.force_login(user)
            return client

        yield sign_in


@pytest.fixture
def draft(visit, injector_user):
    return record_start(appointment=visit, actor=injector_user, now=NOW)


# Who may do what.


def test_front_desk_gets_403_on_every_charting_url_by_get_and_post(signed_in, front_desk_user, visit, draft):
    client = signed_in(front_desk_user)
    urls = [url(visit, name) for name in ("chart", "chart-start", "chart-not-treated", "chart-addendum", "assessment")]
    recall = reverse("charting:recall")
    urls += [reverse("charting:history", args=[visit.patient.pk]), reverse("charting:print", args=[visit.patient.pk]),
             recall + "?lot=C1234C3", recall + "?lot=C1234C3&format=csv"]  # fmt: skip
    for target in urls:
        assert client.get(target).status_code == 403, target
        assert client.post(target, good_post(reason="x", text="x")).status_code == 403, target
    assert not AccessLog.objects.exists()
    assert not InjectionSite.objects.exists()


def test_anonymous_is_sent_to_sign_in_on_every_charting_url(visit):
    client = Client()
    for name in ("chart", "chart-start", "chart-not-treated", "chart-addendum", "assessment"):
        for method in (client.get, client.post):
            response = method(url(visit, name))
            assert response.status_code == 302 and response["Location"].startswith(reverse("login")), name


def test_an_injector_who_has_not_entered_the_code_is_sent_to_the_second_step(visit, injector_user):
    client = Client()  # a password sign-in only: no device verified in the session
    with time_machine.travel(NOW, tick=False):
        client.force_login(injector_user)
        for response in (client.get(url(visit)), client.post(url(visit, "chart-start"))):
            assert response.status_code == 302 and reverse("two-factor-verify") in response["Location"]
    assert not TreatmentRecord.objects.exists() and not AccessLog.objects.exists()


def test_another_injector_reads_but_cannot_start_save_sign_or_mark_not_treated(signed_in, visit, injector_user):
    other = signed_in(other_injector())
    assert other.get(url(visit)).status_code == 200  # reading a colleague's chart is allowed
    assert other.post(url(visit, "chart-start")).status_code == 403
    assert not TreatmentRecord.objects.exists()
    record_start(appointment=visit, actor=injector_user, now=NOW)
    assert other.post(url(visit), good_post()).status_code == 403
    assert other.post(url(visit), good_post(action="sign")).status_code == 403
    assert other.post(url(visit, "chart-not-treated"), {"reason": "No"}).status_code == 403
    record = TreatmentRecord.objects.get()
    assert record.status == RecordStatus.DRAFT and not record.sites.exists()


def test_the_own_injector_and_a_manager_may_sign(signed_in, visit, injector_user, manager_user, make_visit):
    own = signed_in(injector_user)
    own.post(url(visit, "chart-start"))
    assert own.post(url(visit), good_post(action="sign")).status_code == 302
    assert TreatmentRecord.objects.get().status == RecordStatus.SIGNED
    later = make_visit(VISIT_START + timedelta(days=120))
    record_start(appointment=later, actor=injector_user, now=NOW)
    manager = signed_in(manager_user)
    assert manager.post(url(later), good_post(action="sign")).status_code == 302
    assert TreatmentRecord.objects.get(appointment=later).signed_by == manager_user


# Bad ids.


@pytest.mark.parametrize("reference", ["abc", "-1", "99999999999999999999", "ZZZZZZ", "%00"])
def test_unknown_references_are_404_and_log_nothing(signed_in, injector_user, visit, reference):
    client = signed_in(injector_user)
    for suffix in ("", "assessment/"):
        assert client.get(f"/staff/chart/{reference}/{suffix}").status_code in (400, 404)
    for suffix in ("start/", "not-treated/", "addendum/"):
        assert client.post(f"/staff/chart/{reference}/{suffix}", {"reason": "x", "text": "x"}).status_code in (400, 404)
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize("pk", ["abc", "-1", "0", "99999999999999999999", "123456789"])
def test_unknown_patients_are_404_and_log_nothing(signed_in, injector_user, pk):
    client = signed_in(injector_user)
    assert client.get(f"/staff/patients/{pk}/chart/").status_code == 404
    assert client.get(f"/staff/patients/{pk}/chart/print/").status_code == 404
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"sites-0-lot": "7"}, "sites-0-lot"),  # beyond the lot rows
        ({"sites-0-lot": "1"}, "sites-0-lot"),  # a lot row left empty
        ({"sites-0-lot": "-1"}, "sites-0-lot"),
        ({"sites-0-area": "99999999999999999999"}, "sites-0-area"),
        ({"sites-0-area": "abc"}, "sites-0-area"),
        ({"lots-0-product": "99999999"}, "lots-0-product"),
        ({"lots-0-product": "-1"}, "lots-0-product"),
        ({"lots-0-expiry": "0001-01-01"}, "lots-0-expiry"),
        ({"lots-0-expiry": "2026-02-30"}, "lots-0-expiry"),
        ({"lots-0-expiry": "99999-01-01"}, "lots-0-expiry"),
        ({"lots-0-dilution_ml": "0"}, "lots-0-dilution_ml"),
        ({"lots-0-dilution_ml": "-1"}, "lots-0-dilution_ml"),
        ({"lots-0-dilution_ml": "1e9"}, "lots-0-dilution_ml"),
        ({"lots-0-dilution_ml": "NaN"}, "lots-0-dilution_ml"),
        ({"lots-0-dilution_ml": "Infinity"}, "lots-0-dilution_ml"),
        ({"sites-0-units": "1e3"}, "sites-0-units"),
        ({"sites-0-units": "1e30"}, "sites-0-units"),
        ({"sites-0-units": "1e999999"}, "sites-0-units"),
        ({"sites-0-units": "-1e30"}, "sites-0-units"),
        ({"sites-0-units": "0.50000001"}, "sites-0-units"),
        ({"sites-0-units": "NaN"}, "sites-0-units"),
        ({"sites-0-units": "-Infinity"}, "sites-0-units"),
        ({"sites-0-points": "99999999999999999999"}, "sites-0-points"),
        ({"lots-0-lot_number": "C77\x00C3"}, "lots-0-lot_number"),
        ({"lots-0-lot_number": "C77\x1bC3"}, "lots-0-lot_number"),
        ({"notes": "x" * 1_000_000}, "notes"),
        ({"notes": "bad\x07bell"}, "notes"),
        ({"touch_up_of": "99999999999999999999"}, "touch_up_of"),
        ({"touch_up_of": "abc"}, "touch_up_of"),
    ],
)
def test_bad_values_are_field_errors_and_save_nothing(signed_in, injector_user, visit, draft, values, field):
    client = signed_in(injector_user)
    response = client.post(url(visit), good_post(**values))
    assert response.status_code == 400, values
    assert f'id="id_{field}-error"' in response.content.decode()
    assert not InjectionSite.objects.exists() and not LotUse.objects.exists()


def test_an_inactive_area_is_not_a_choice(signed_in, injector_user, visit, draft):
    TreatmentArea.objects.filter(slug="dao").update(is_active=False)
    response = signed_in(injector_user).post(url(visit), good_post(**{"sites-0-area": str(area("dao"))}))
    assert response.status_code == 400 and 'id="id_sites-0-area-error"' in response.content.decode()


@pytest.mark.parametrize(("lot_rows", "site_rows"), [("abc", "-5"), ("99999999999999999999", "1e20"), ("", "")])
def test_odd_row_counts_are_clamped(signed_in, injector_user, visit, draft, lot_rows, site_rows):
    client = signed_in(injector_user)
    assert client.post(url(visit), good_post(lot_rows=lot_rows, site_rows=site_rows)).status_code == 302
    assert InjectionSite.objects.count() == 2
    assert client.get(url(visit) + "?rows=99999999999999999999").status_code == 200


def test_an_arabic_digit_is_read_as_the_number_it_is(signed_in, injector_user, visit, draft):
    assert signed_in(injector_user).post(url(visit), good_post(**{"sites-0-units": "٢٥"})).status_code == 302
    assert sorted(InjectionSite.objects.values_list("units", flat=True)) == [Decimal(25), Decimal(25)]


def test_a_far_expiry_is_kept_and_shown(signed_in, injector_user, visit, draft):
    client = signed_in(injector_user)
    assert client.post(url(visit), good_post(**{"lots-0-expiry": "9999-12-31"}, action="sign")).status_code == 302
    assert "Dec 31, 9999" in client.get(url(visit)).content.decode()
    assert client.get(reverse("charting:history", args=[visit.patient.pk])).status_code == 200


def test_a_body_over_the_limit_is_413(signed_in, injector_user, visit, draft):
    response = signed_in(injector_user).post(url(visit), good_post(notes="x" * 3_000_000))
    assert response.status_code == 413 and not InjectionSite.objects.exists()


def test_touch_up_of_another_patients_record_itself_or_a_later_one_is_refused(signed_in, injector_user, visit,
                                                                              provider, toxin_service):  # fmt: skip
    stranger = AppointmentFactory(patient=PatientFactory(), provider=provider, service=toxin_service,
                                  start=VISIT_START - timedelta(days=14), status="checked_in")  # fmt: skip
    from tests.charting.conftest import consent_for, history_for

    history_for(stranger, intake_status="complete")
    consent_for(stranger)
    theirs = chart_and_sign(stranger, injector_user, now=NOW)
    draft = record_start(appointment=visit, actor=injector_user, now=NOW)
    client = signed_in(injector_user)
    for target in (theirs.pk, draft.pk):
        response = client.post(url(visit), good_post(touch_up_of=str(target)))
        assert response.status_code == 400 and 'id="id_touch_up_of-error"' in response.content.decode()
    with pytest.raises(charting_services.ChartingError):
        record_save(record=draft, content=content(("masseter", "left", "5"), touch_up_of=theirs.pk),
                    actor=injector_user, now=NOW)  # fmt: skip
    with pytest.raises(charting_services.ChartingError):
        record_save(record=draft, content=content(("masseter", "left", "5"), touch_up_of=draft.pk),
                    actor=injector_user, now=NOW)  # fmt: skip
    assert not draft.sites.exists()


# Double submits and two tabs.


def test_signing_twice_signs_once(signed_in, injector_user, visit, draft):
    client = signed_in(injector_user)
    data = good_post(
        action="sign",
        **{"sites-0-units": "50", f"reason-range-a{area('masseter')}-left-p{botox()}-high": "Bruxism"},
    )
    assert client.post(url(visit), data).status_code == 302
    assert client.post(url(visit), data).status_code == 302
    record = TreatmentRecord.objects.get()
    assert record.status == RecordStatus.SIGNED and Override.objects.count() == 1 and record.sites.count() == 2


def test_what_is_signed_is_what_the_signer_posted_even_when_another_tab_saves_in_between(
    signed_in, injector_user, visit, draft, monkeypatch
):
    """Tab A signs 25 + 25; tab B saves 30 + 30 just as A's draft is saved. The signature must be for
    the rows A checked and posted: the save and the signature are one step under the record's lock."""
    real_save = charting_services.record_save

    def save_then_other_tab(**kwargs):
        result = real_save(**kwargs)
        real_save(record=draft, content=content(("masseter", "left", "30"), ("masseter", "right", "30")),
                  actor=injector_user, now=NOW)  # fmt: skip
        return result

    monkeypatch.setattr(charting_services, "record_save", save_then_other_tab)
    response = signed_in(injector_user).post(url(visit), good_post(action="sign"))
    record = TreatmentRecord.objects.get()
    if record.status == RecordStatus.SIGNED:
        assert sorted(record.sites.values_list("units", flat=True)) == [Decimal(25), Decimal(25)]
    else:
        assert response.status_code == 400  # or refused: never signed for rows nobody checked


def test_a_refused_signature_keeps_the_posted_draft(signed_in, injector_user, visit, draft):
    response = signed_in(injector_user).post(url(visit), good_post(action="sign", **{"sites-0-units": "50"}))
    assert response.status_code == 400
    record = TreatmentRecord.objects.get()
    assert record.status == RecordStatus.DRAFT
    assert sorted(record.sites.values_list("units", flat=True)) == [Decimal(25), Decimal(50)]


def test_locked_and_out_of_order_actions_are_refused_cleanly(signed_in, injector_user, visit, make_visit):
    client = signed_in(injector_user)
    assert client.post(url(visit, "chart-addendum"), {"text": "x"}).status_code == 409  # no record yet
    client.post(url(visit, "chart-start"))
    assert client.post(url(visit, "chart-addendum"), {"text": "On a draft"}).status_code == 409
    assert client.post(url(visit), good_post(action="sign")).status_code == 302
    assert client.post(url(visit, "chart-not-treated"), {"reason": "Changed mind"}).status_code == 409
    assert client.post(url(visit), good_post(**{"sites-0-units": "30"})).status_code == 400
    assessment = client.post(url(visit, "assessment"), {"notes": "late", "action": "save"})
    assert assessment.status_code in (400, 403, 409) or "locked" in assessment.content.decode().lower()
    record = TreatmentRecord.objects.get()
    assert record.status == RecordStatus.SIGNED and not record.addenda.exists()
    assert sorted(record.sites.values_list("units", flat=True)) == [Decimal(25), Decimal(25)]
    # Not treated, then start: the record stays not treated.
    other = make_visit(VISIT_START + timedelta(days=120))
    record_not_treated(appointment=other, reason="Cold sore", actor=injector_user, now=NOW)
    assert client.post(url(other, "chart-start")).status_code == 302
    assert TreatmentRecord.objects.get(appointment=other).status == RecordStatus.NOT_TREATED
    assert client.post(url(other), good_post(action="sign")).status_code == 400


# Completion through the front desk's visit action.


def complete(client, appointment):
    client.post(reverse("bookings:staff-appointment-action", args=[appointment.reference, "complete"]))
    appointment.refresh_from_db()
    return appointment.status


def test_completion_follows_the_chart_through_the_front_desk_action(signed_in, front_desk_user, injector_user,
                                                                     make_visit):  # fmt: skip
    drafted = make_visit()
    record_start(appointment=drafted, actor=injector_user, now=NOW)
    unrecorded = make_visit(VISIT_START - timedelta(days=200))
    signed = make_visit(VISIT_START - timedelta(days=400))
    chart_and_sign(signed, injector_user, now=NOW)
    not_treated = make_visit(VISIT_START - timedelta(days=600))
    record_not_treated(appointment=not_treated, reason="Cold sore", actor=injector_user, now=NOW)
    consultation = make_visit(VISIT_START - timedelta(days=800), service=ServiceFactory(
        slug="consult", name="Consultation", kind="consultation", is_toxin_treatment=False))  # fmt: skip
    desk = signed_in(front_desk_user)
    assert complete(desk, drafted) == "checked_in" and drafted.chart_state == ChartState.DRAFT
    assert complete(desk, unrecorded) == "checked_in"
    assert complete(desk, signed) == "completed"
    assert complete(desk, not_treated) == "completed"
    assert complete(desk, consultation) == "completed"


# History, print and recall at their edges.


def test_history_of_a_patient_without_visits_and_of_an_erased_one(signed_in, injector_user, make_visit, patient):
    client = signed_in(injector_user)
    nobody = PatientFactory()
    for target in (reverse("charting:history", args=[nobody.pk]), reverse("charting:print", args=[nobody.pk])):
        assert client.get(target).status_code == 200
    cancelled = make_visit(VISIT_START + timedelta(days=30), status="booked", intake_status="not_started",
                           consent=False)  # fmt: skip
    cancelled.status = "cancelled"
    cancelled.save()
    patient_erase(patient=nobody, actor=injector_user, now=NOW)
    for who in (nobody, patient):
        for name in ("history", "print"):
            assert client.get(reverse(f"charting:{name}", args=[who.pk])).status_code == 200
    assert AccessLog.objects.filter(what__startswith="chart history").count() == 6


def test_recall_csv_neutralises_a_formula_lot_number(signed_in, manager_user, injector_user, visit):
    formula = '=HYPERLINK("http://evil.example","x")'
    record = record_start(appointment=visit, actor=injector_user, now=NOW)
    saved = content(("masseter", "left", "25"), ("masseter", "right", "25"))
    lot = saved.lots[0].__class__(**{**saved.lots[0].__dict__, "lot_number": formula})
    record_save(record=record, content=saved.__class__(lots=(lot,), sites=saved.sites), actor=injector_user, now=NOW)
    charting_services.record_sign(record=record, reasons={}, actor=injector_user, now=NOW)
    client = signed_in(manager_user)
    response = client.get(reverse("charting:recall"), {"lot": formula, "format": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert len(rows) == 2 and rows[1][rows[0].index("lot")] == "'" + formula
    assert all(not cell.startswith(("=", "+", "-", "@")) for cell in rows[1])
    assert client.get(reverse("charting:recall"), {"lot": "C1\x01"}).status_code == 400


# The access log on every read path.


def test_every_read_path_is_logged_once(signed_in, injector_user, manager_user, visit):
    chart_and_sign(visit, injector_user, now=NOW)
    AccessLog.objects.all().delete()
    client = signed_in(injector_user)
    assert client.get(url(visit)).status_code == 200
    assert client.get(reverse("charting:history", args=[visit.patient.pk])).status_code == 200
    assert client.get(reverse("charting:print", args=[visit.patient.pk])).status_code == 200
    manager = signed_in(manager_user)
    assert manager.get(reverse("charting:recall"), {"lot": "C1234C3"}).status_code == 200
    assert manager.get(reverse("charting:recall"), {"lot": "C1234C3", "format": "csv"}).status_code == 200
    assert manager.get(reverse("charting:recall"), {"lot": "NOSUCHLOT"}).status_code == 200
    whats = sorted(AccessLog.objects.filter(patient=visit.patient).values_list("what", flat=True))
    assert whats == ["chart", "chart history", "chart history (print)", "lot recall", "lot recall"]


def test_a_reason_too_long_or_with_control_characters_does_not_sign(signed_in, injector_user, visit, draft):
    code = f"reason-range-a{area('masseter')}-left-p{botox()}-high"
    client = signed_in(injector_user)
    for reason in ("x" * 5001, "Bruxism\x1b[2J"):
        response = client.post(url(visit), good_post(action="sign", **{"sites-0-units": "50", code: reason}))
        assert response.status_code == 400
        assert TreatmentRecord.objects.get().status == RecordStatus.DRAFT and not Override.objects.exists()


def test_the_checks_refuse_a_huge_number_of_units_without_overflowing(visit, draft, injector_user):
    with pytest.raises(charting_services.ChartingError) as refused:
        record_save(record=draft, content=content(("masseter", "left", Decimal("1e30"))), actor=injector_user, now=NOW)
    assert "is not a dose" in refused.value.errors["sites-0-units"][0]
