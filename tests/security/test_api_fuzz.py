"""Schemathesis, a tool nobody here wrote, against the API as served: gunicorn on the test
database, every operation in /api/v1/schema, generated from the schema itself (examples, coverage of
the edges, random fuzzing, and stateful chains such as book → read → cancel). It fails on any 5xx,
an undocumented status code or content type, an answer that doesn't match its declared schema, a
malformed request accepted, or a wrong answer to an undeclared method.

One check is left out: `positive_data_acceptance` expects every request the schema allows to be
accepted, but a booking refers to the clinic's catalog and rules (a service that exists, a real
email, an accepted policy, a free time) that a schema cannot enumerate; those are 400s with field
errors by design, tested one by one in tests/bookings/test_api.py.

Bounded: SCHEMATHESIS_EXAMPLES per operation and phase (default 25), or SCHEMATHESIS_MAX_TIME
seconds of fuzzing (CI sets it); SCHEMATHESIS_SEED to replay a run (printed on failure).
What it found the first time is pinned as plain tests below.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bookings.conftest import at, next_weekday
from tests.bookings.test_api import PATIENT

pytestmark = pytest.mark.django_db

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_schemathesis_finds_nothing_on_the_served_api(gunicorn, clinic, tmp_path):
    seed = os.environ.get("SCHEMATHESIS_SEED", "20261122")
    command = [
        str(SCHEMATHESIS), "run", f"{gunicorn}/api/v1/schema",
        "--checks", "all", "--exclude-checks", "positive_data_acceptance",
        "--max-examples", os.environ.get("SCHEMATHESIS_EXAMPLES", "25"),
        "--seed", seed, "--workers", "1", "--request-timeout", "30", "--no-color",
    ]  # fmt: skip
    if max_time := os.environ.get("SCHEMATHESIS_MAX_TIME"):
        command += ["--max-time", max_time]
    run = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=900, check=False)
    summary = run.stdout[-6000:]
    print(summary)
    assert run.returncode == 0, f"schemathesis found problems (seed {seed}):\n{summary}\n{run.stderr[-2000:]}"
    assert "Tested: 9" in run.stdout or "Tested:" in run.stdout


# What the first run found (2026-11-22), each fixed and pinned here.


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "POST"])
def test_a_method_a_path_does_not_take_is_405_not_415(client, method):
    """Found: PUT /api/v1/areas answered 415 (the JSON check ran before routing)."""
    response = client.generic(method, "/api/v1/areas")
    assert response.status_code == 405
    assert "GET" in response["Allow"]


def test_a_post_without_a_body_says_to_send_json(client, clinic):
    # (Django's test client drops the content type of an empty body; a real client sends it.)
    response = client.generic("POST", "/api/v1/bookings", "", CONTENT_TYPE="application/json")
    assert response.status_code == 400
    assert response.json() == {"errors": {"__all__": ["Send a JSON object in the request body."]}}


def test_a_form_post_is_still_415_on_every_write(client, clinic):
    """The JSON check moved into the API; a cross-site form still cannot book or cancel."""
    body = {"service": "consult", "start": at(next_weekday(0), 10).isoformat(), "accept_policy": True,
            "patient": PATIENT}  # fmt: skip
    created = client.post("/api/v1/bookings", json.dumps(body), content_type="application/json")
    token = created.json()["manage_url"].rstrip("/").rsplit("/", 1)[1]
    for path in ("/api/v1/bookings", f"/api/v1/bookings/{token}/cancel", f"/api/v1/bookings/{token}/reschedule"):
        assert client.post(path, {"x": "1"}).status_code == 415, path
        assert client.post(path).status_code == 415, path  # a form with no fields: still a form
    assert client.get(f"/api/v1/bookings/{token}").json()["status"] == "booked"


def test_the_schema_documents_every_answer_given_before_the_view(client):
    """Found: 415 on writes, 400 for control characters in a booking link and 429 from the
    per-address limits were answered but not documented."""
    paths = client.get("/api/v1/schema").json()["paths"]
    for path in ("/api/v1/bookings/{token}/cancel", "/api/v1/bookings/{token}/reschedule"):
        assert {"400", "404", "409", "410", "413", "415", "429"} <= set(paths[path]["post"]["responses"]), path
    assert {"201", "400", "409", "413", "415", "429"} <= set(paths["/api/v1/bookings"]["post"]["responses"])
    assert {"400", "404", "410", "429"} <= set(paths["/api/v1/bookings/{token}"]["get"]["responses"])
    assert "429" in paths["/api/v1/availability"]["get"]["responses"]
