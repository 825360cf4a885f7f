"""The assessment screen: every muscle of the areas of concern, left and right, beside last visit's scores;
invalid scores are field errors and save nothing; a closed record's assessment never changes."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from charting.models import Assessment, AssessmentRow
from charting.services import AssessmentError, RowInput, assessment_save
from intake.models import AccessLog
from tests.charting.chart_world import MONTH, area, assess
from tests.factories import AppointmentFactory, LocationFactory, PatientFactory, ProviderFactory, TreatmentRecordFactory
from tests.html_forms import browser_post_data

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)


@pytest.fixture
def visit(injector_user):
    location = LocationFactory(slug="sarasota", name="Sarasota", timezone="America/New_York")
    provider = ProviderFactory(user=injector_user)
    patient = PatientFactory(first_name="Elena", last_name="Marsh")
    earlier = AppointmentFactory(patient=patient, provider=provider, location=location, start=NOW - 4 * MONTH,
                                 areas=[area("masseter")], status="completed")  # fmt: skip
    previous = assess(earlier, {("masseter", "left"): {"rest": 1, "clench": 3}, ("masseter", "right"): {"clench": 2}},
                      dominant={("masseter", "left")}, notes="Left jaw bulkier.")  # fmt: skip
    appointment = AppointmentFactory(patient=patient, provider=provider, location=location, start=NOW,
                                     areas=[area("masseter"), area("dao")])  # fmt: skip
    return appointment, previous


def url(appointment) -> str:
    return reverse("charting:assessment", args=[appointment.reference])


def get(client, user, appointment):
    client.force_login(user)
    return client.get(url(appointment))


@time_machine.travel(NOW, tick=False)
def test_the_grid_has_each_muscle_left_and_right_beside_last_visits_scores(client, injector_user, visit):
    appointment, previous = visit
    response = get(client, injector_user, appointment)
    html = response.content.decode()
    assert response.status_code == 200
    # In the catalog's order of areas (the DAO's muscle, then the masseter), each with a left and a right row.
    assert html.index("Depressor anguli oris") < html.index("Masseter")
    for field in ("m1-left-rest", "m1-right-clench", "m0-left-smile", "m0-right-dominant"):
        assert f'name="{field}"' in html
    assert 'for="id_m1-left-clench">masseter, left, clenching</label>' in html
    # Last visit's values beside each field, tied to it for a screen reader.
    assert 'aria-describedby="id_m1-left-clench-last"' in html
    assert 'id="id_m1-left-clench-last" title="Last visit"><span class="visually-hidden">last visit </span>3<' in html
    assert 'id="id_m1-right-clench-last" title="Last visit"><span class="visually-hidden">last visit </span>2<' in html
    assert 'id="id_m1-right-rest-last" title="Last visit"><span class="visually-hidden">last visit </span>–<' in html
    assert "Last visit: Left jaw bulkier." in html
    # The DAO was not assessed last time: no "last" figures for it.
    assert "id_m0-left-smile-last" not in html
    # Reading last visit's assessment is logged.
    log = AccessLog.objects.get()
    assert (log.what, log.object_id, log.patient_id) == ("assessment", str(previous.pk), appointment.patient_id)


@time_machine.travel(NOW, tick=False)
def test_saving_keeps_the_scored_rows_and_replaces_them_the_next_time(client, injector_user, visit):
    appointment, _ = visit
    html = get(client, injector_user, appointment).content.decode()
    data = browser_post_data(html, button="Save assessment")
    data |= {"m1-left-clench": ["3"], "m1-right-clench": ["1"], "m1-left-dominant": ["on"], "m0-left-smile": ["2"],
             "m0-right-smile": ["0"], "notes": ["Clenches at night."]}  # fmt: skip
    response = client.post(url(appointment), data)
    assert response.status_code == 302
    assessment = Assessment.objects.get(appointment=appointment)
    rows = {(r.muscle, r.side): r for r in assessment.rows.all()}
    assert set(rows) == {("masseter", "left"), ("masseter", "right"), ("depressor anguli oris", "left"),
                         ("depressor anguli oris", "right")}  # fmt: skip
    assert (rows["masseter", "left"].clench, rows["masseter", "left"].dominant, rows["masseter", "left"].rest) == (
        3, True, None)  # fmt: skip
    assert rows["depressor anguli oris", "right"].smile == 0  # 0 is a score, not a blank
    assert rows["masseter", "left"].area == area("masseter")
    assert (assessment.notes, assessment.assessed_by, assessment.updated_at) == ("Clenches at night.", injector_user,
                                                                                 NOW)  # fmt: skip
    # The page shows what was saved; saving again replaces the rows.
    html = client.get(url(appointment)).content.decode()
    assert '<option value="3" selected>3</option>' in html
    data = browser_post_data(html, button="Save assessment") | {"m0-left-smile": [""], "m0-right-smile": [""]}
    assert client.post(url(appointment), data).status_code == 302
    assert {(r.muscle, r.side) for r in assessment.rows.all()} == {("masseter", "left"), ("masseter", "right")}


@pytest.mark.parametrize("bad", ["4", "-1", "x", "2.5", "3" * 50])
@time_machine.travel(NOW, tick=False)
def test_a_score_outside_0_to_3_is_a_field_error_and_nothing_is_saved(client, injector_user, visit, bad):
    appointment, _ = visit
    data = browser_post_data(get(client, injector_user, appointment).content.decode(), button="Save assessment")
    data |= {"m1-left-rest": ["2"], "m1-right-squint": [bad]}
    response = client.post(url(appointment), data)
    html = response.content.decode()
    assert response.status_code == 400
    label = html.index('for="id_m1-right-squint"')
    cell = html[html.rindex("<td", 0, label) : html.index("</td>", label)]
    assert cell.startswith('<td class="has-error">') and "Choose 0, 1, 2 or 3, or leave it blank." in cell
    assert html.count("Choose 0, 1, 2 or 3") == 1  # only that field is marked
    assert not Assessment.objects.filter(appointment=appointment).exists()
    assert '<option value="2" selected>2</option>' in html  # what was entered is kept


@time_machine.travel(NOW, tick=False)
def test_an_unknown_area_or_an_overlong_muscle_posted_is_an_error_not_a_500(client, injector_user, visit):
    appointment, _ = visit
    data = browser_post_data(get(client, injector_user, appointment).content.decode(), button="Save assessment")
    response = client.post(url(appointment), data | {"m1-area": ["no-such-area"]})
    assert response.status_code == 400 and "Unknown area" in response.content.decode()
    response = client.post(url(appointment), data | {"m0-muscle": ["m" * 10_000]})
    assert response.status_code == 400 and "at most 80 characters" in response.content.decode()
    assert not Assessment.objects.filter(appointment=appointment).exists()


@time_machine.travel(NOW, tick=False)
def test_add_puts_another_areas_muscles_on_the_grid_without_saving(client, injector_user, visit):
    appointment, _ = visit
    data = browser_post_data(get(client, injector_user, appointment).content.decode(), button="Add to the grid")
    data |= {"m1-left-clench": ["3"], "add_area": ["platysma"]}
    response = client.post(url(appointment), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="m2-muscle" value="platysma"' in html and 'name="m2-area" value="platysma"' in html
    assert '<option value="3" selected>3</option>' in html
    assert not Assessment.objects.filter(appointment=appointment).exists()
    # A named muscle of no catalogued area, then saved with the rest.
    data = browser_post_data(html, button="Add to the grid") | {"add_muscle": ["Levator anguli oris"]}
    html = client.post(url(appointment), data).content.decode()
    assert 'name="m3-muscle" value="Levator anguli oris"' in html
    data = browser_post_data(html, button="Save assessment") | {"m3-right-smile": ["2"]}
    assert client.post(url(appointment), data).status_code == 302
    row = AssessmentRow.objects.get(assessment__appointment=appointment, muscle="Levator anguli oris")
    assert (row.side, row.smile, row.area) == ("right", 2, None)
    # Asking to add nothing is a field error.
    data = browser_post_data(html, button="Add to the grid")
    response = client.post(url(appointment), data)
    assert response.status_code == 400 and "Choose an area or name a muscle" in response.content.decode()


@pytest.mark.parametrize("status", ["signed", "not_treated"])
@time_machine.travel(NOW, tick=False)
def test_a_closed_records_assessment_never_changes(client, injector_user, visit, status):
    appointment, _ = visit
    assess(appointment, {("masseter", "left"): {"clench": 2}})
    TreatmentRecordFactory(appointment=appointment, status=status, signed_by=injector_user, signed_at=NOW,
                           not_treated_reason="Infection at the site." if status == "not_treated" else "")  # fmt: skip
    html = get(client, injector_user, appointment).content.decode()
    assert "read-only" in html and "Save assessment" not in html and "disabled" in html
    data = {"m0-muscle": "masseter", "m0-area": "masseter", "m0-left-clench": "0", "action": "save"}
    response = client.post(url(appointment), data)
    assert response.status_code == 400 and "Add an addendum instead" in response.content.decode()
    assert AssessmentRow.objects.get(assessment__appointment=appointment).clench == 2
    with pytest.raises(AssessmentError):
        assessment_save(appointment=appointment, rows=[RowInput("masseter", "left", scores={"clench": 0})], notes="",
                        actor=injector_user, now=timezone.now())  # fmt: skip


def test_a_draft_record_leaves_the_assessment_open(injector_user, visit):
    appointment, _ = visit
    TreatmentRecordFactory(appointment=appointment)
    saved = assessment_save(appointment=appointment, rows=[RowInput("masseter", "left", scores={"clench": 1})],
                            notes="", actor=injector_user, now=NOW)  # fmt: skip
    assert saved.rows.get().clench == 1


@pytest.mark.parametrize(
    ("row", "key"),
    [
        (RowInput("masseter", "left", scores={"rest": 4}), "masseter/left/rest"),
        (RowInput("masseter", "left", scores={"rest": -1}), "masseter/left/rest"),
        (RowInput("masseter", "centre", scores={"rest": 1}), "masseter/centre"),
        (RowInput("  ", "left", scores={"rest": 1}), "/left"),
    ],
)
def test_the_service_validates_before_writing(injector_user, visit, row, key):
    appointment, _ = visit
    with pytest.raises(AssessmentError) as caught:
        assessment_save(appointment=appointment, rows=[RowInput("platysma", "left", scores={"rest": 1}), row],
                        notes="", actor=injector_user, now=NOW)  # fmt: skip
    assert key in caught.value.errors
    assert not Assessment.objects.filter(appointment=appointment).exists()


def test_front_desk_gets_403_reading_or_writing(client, front_desk_user, visit):
    appointment, _ = visit
    client.force_login(front_desk_user)
    assert client.get(url(appointment)).status_code == 403
    assert client.post(url(appointment), {"m1-muscle": "masseter", "m1-left-rest": "1"}).status_code == 403
    assert not Assessment.objects.filter(appointment=appointment).exists()
    assert not AccessLog.objects.exists()
