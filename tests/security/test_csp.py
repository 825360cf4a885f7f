"""The Content-Security-Policy is on every page, for every visitor, and never allows inline code.

Walks the same table as the access matrix (every named URL of the project), the admin's pages
for each model and the API docs; tests/test_templates_csp.py keeps the templates free of what
the policy refuses, and tests/browser/test_csp.py shows the pages still work under it.
"""

import pytest
from django.contrib import admin
from django.core.cache import cache
from django.urls import reverse

from tests.test_access_matrix import MATRIX, VISITORS, visit  # its world and visitors: tests/security/conftest.py

pytestmark = pytest.mark.django_db

REQUIRED = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'self'",
    "object-src": "'none'",
}


def directives(header: str) -> dict[str, str]:
    parts = (part.strip().split(None, 1) for part in header.split(";") if part.strip())
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


# The one page another site may frame: the embeddable booking, by the origins a manager listed
# (the test world lists one; tests/bookings/test_embed.py tests the list itself).
FRAMED = {"bookings:embed-book"}


def embed_ancestors() -> str:
    from bookings.models import EmbedOrigin

    return " ".join(["'self'", *sorted(EmbedOrigin.objects.values_list("origin", flat=True))])


def problem_with(response, *, framed: bool = False) -> str | None:
    header = response.get("Content-Security-Policy")
    if not header:
        return f"{response.status_code} without a Content-Security-Policy"
    for word in ("unsafe-inline", "unsafe-eval", "unsafe-hashes", "*"):
        if word in header.replace("'self'", ""):
            return f"the policy allows {word}: {header}"
    found = directives(header)
    required = {**REQUIRED, "frame-ancestors": embed_ancestors()} if framed else REQUIRED
    for name, value in required.items():
        if found.get(name) != value:
            return f"{name} is {found.get(name)!r}, expected {value!r}"
    return None


def test_every_url_answers_every_visitor_with_the_policy(client, world, visitors):
    failures = []
    seen = 0
    for name, row in sorted(MATRIX.items()):
        for visitor, user in visitors.items():
            type(world.appointment).objects.filter(pk=world.appointment.pk).update(status="booked")
            cache.clear()
            client.logout()
            if user is not None:
                client.force_login(user)
            url = row.url(world, visitor == "patient")
            response = visit(client, row, url)
            seen += 1
            if problem := problem_with(response, framed=name in FRAMED and response.status_code == 200):
                failures.append(f"{name} as {visitor}: {url} → {problem}")
    assert seen == len(MATRIX) * len(VISITORS)
    assert not failures, "\n".join(failures)


def test_the_admin_sign_in_lists_and_forms_carry_the_policy(client, world, visitors):
    pages = [reverse("admin:login"), reverse("admin:index")]
    for model in admin.site._registry:
        opts = model._meta
        pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    pages.append(reverse("admin:bookings_appointment_change", args=[world.appointment.pk]))
    failures = []
    for visitor in ("anonymous", "front desk", "manager"):
        client.logout()
        if visitors[visitor] is not None:
            client.force_login(visitors[visitor])
        for url in pages:
            cache.clear()
            if problem := problem_with(client.get(url)):
                failures.append(f"{url} as {visitor}: {problem}")
    assert not failures, "\n".join(failures)


def test_the_api_docs_and_refusals_carry_the_policy(client):
    docs = client.get(reverse("api-v1:openapi-view"))
    assert docs.status_code == 200 and problem_with(docs) is None
    # The Swagger UI page runs only ninja's static scripts: its one inline block is JSON data.
    html = docs.content.decode()
    assert '<script type="application/json" id="swagger-settings">' in html
    assert html.count("<script") == html.count("<script src=") + 1
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404 and problem_with(missing) is None


def test_no_page_sends_a_nonce_it_does_not_use(client):
    """django-csp adds a nonce only when a template reads request.csp_nonce; none does today."""
    response = client.get(reverse("treatments:home"))
    assert "nonce-" not in response["Content-Security-Policy"]
