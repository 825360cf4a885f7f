"""Every URL of the staff area, the patient pages and the API, walked with bad ids and dates: never a 500.

The URLs come from the URLconf: a new page is walked without being listed here (only the admin,
Django's own, is left out). A valid address for each comes from the access matrix's table, in its
world plus a draft chart, time off, an urgent follow-up and a waiting patient, so those forms show.

What a page reads is found three ways: the names its view (and the helpers of its module it calls)
reads from request.GET / request.POST or a `data` dict taken from them; what the pages the visitor
can open send to it, as a browser would (every form, its blank fields filled in with valid values,
once per named button; the pages a GET form asks for; links to other pages of walked routes); and,
for the API, its OpenAPI schema.

Each request is sent with every name made bad at once, for each odd value (letters, negative, zero,
fractional and huge numbers, 2026-02-30, the first and last days of the calendar, an empty value);
then, past the door, each name alone with each odd value on top of the valid rest (plain text
fields get two of them). Each path argument is replaced by bad values too. Staff walk the staff area
in each role; anonymous walks everything, holding the patient's own links. A 5xx, or an exception
escaping the view (the test client re-raises it), fails; the failures are printed and listed.

Each request runs in a savepoint that is rolled back, so what one does (a cancel, an erasure)
leaves the next with the same world, and a database error cannot poison the ones after it.
`WALK_ONLY=<regex of URL names>` walks only those, to look into one page.
"""

import html
import inspect
import json
import logging
import os
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone

from bookings.models import AppointmentStatus, Source, TimeOff, WaitlistEntry
from intake.models import FollowUp
from medspa.api import api
from tests.factories import AppointmentFactory, TreatmentRecordFactory
from tests.html_forms import PageForm, page_forms
from tests.test_access_matrix import MATRIX  # the world and visitors fixtures: tests/security/conftest.py

pytestmark = pytest.mark.django_db

BAD_DATES = ["2026-02-30", "9999-12-31", "0001-01-01", "9999-12-31T23:00", "abc", ""]
BAD_IDS = ["abc", "-1", "0", "99999999999999999999", "1.5"]
BAD = list(dict.fromkeys(BAD_DATES + BAD_IDS))
TEXT_BAD = ["9999-12-31", "99999999999999999999"]  # a text field is read as a date or a number only by mistake
BAD_PATH = ["abc", "-1", "0", "99999999999999999999", "1.5", "ZZZZ9999"]  # the last: a reference nobody has
BAD_JSON = [*BAD, -1, 0, 99999999999999999999, 1.5, None, [], {}]
STAFF_AREA = "staff/"
WALKERS = ("anonymous", "front desk", "injector", "manager")  # anonymous holds the patient's own links
OURS = ("treatments.", "bookings.", "intake.", "charting.", "reminders.", "audit.", "medspa.")
CONVERTER = re.compile(r"<(?:(?P<kind>[^>:]+):)?(?P<name>[^>]+)>|\{(?P<api>[^}]+)\}")
READS = re.compile(
    r"""(?:request\.(?:GET|POST)|\bdata)(?:\.get(?:list)?\(|\[)\s*["']([\w-]+)["']"""
    r"""|["']([\w-]+)["']\s+(?:not\s+)?in\s+request\.(?:GET|POST)"""
)


@dataclass
class Route:
    key: str  # the joined route, as ResolverMatch.route gives it: "staff/patients/<id:pk>/"
    name: str
    pattern: URLPattern
    valid: str = ""  # a URL that reaches it with real objects, query string included
    kwargs: dict[str, str] = field(default_factory=dict)

    def url(self, **replace: str) -> str:
        values = {**self.kwargs, **replace}
        path = CONVERTER.sub(lambda m: quote(values.get(m["name"], "x"), safe=""), self.key)
        query = urlsplit(self.valid).query
        return "/" + path.lstrip("^").rstrip("$") + (f"?{query}" if query else "")


def routes() -> list[Route]:
    """Every URL pattern of the project but the admin's."""
    found: list[Route] = []

    def walk(patterns, prefix: str, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                inner = pattern.namespace and (f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace)
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner or namespace)
            elif isinstance(pattern, URLPattern):
                key = prefix + str(pattern.pattern)
                name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name or key
                found.append(Route(key, name, pattern))

    walk(get_resolver().url_patterns, "", None)
    return found


def with_valid_urls(w) -> list[Route]:
    """The routes, each with a URL to real objects (from the access matrix's table when it has a row)."""
    known: dict[str, tuple[str, dict]] = {}
    for row in MATRIX.values():
        url = row.url(w, True)
        match = resolve(urlsplit(url).path)
        known[match.route] = (url, {k: str(v) for k, v in match.kwargs.items()})
    found = routes()
    for route in found:
        if route.key in known:
            route.valid, route.kwargs = known[route.key]
        else:  # a URL with no row (test_access_matrix fails on it): walk it with made-up arguments
            route.kwargs = {m["name"] or m["api"]: "1" if m["kind"] in ("int", "id") else "x"
                            for m in CONVERTER.finditer(route.key)}  # fmt: skip
            route.valid = route.url()
    return found


def read_names(route: Route) -> set[str]:
    """The names the view (and the module's functions it calls) reads from the query string or the post."""
    view = inspect.unwrap(getattr(route.pattern.callback, "view_class", route.pattern.callback))
    module = inspect.getmodule(view)
    if module is None or not module.__name__.startswith(OURS):
        return set()
    source = inspect.getsource(view)
    for called in set(re.findall(r"\b(\w+)\(", source)):
        helper = getattr(module, called, None)
        if inspect.isfunction(helper) and helper.__module__ == module.__name__ and helper is not view:
            source += inspect.getsource(inspect.unwrap(helper))
    return {a or b for a, b in READS.findall(source)}


def api_operations() -> dict[str, dict]:
    """The OpenAPI operations by route, `{name}` for each path argument."""
    schema = api.get_openapi_schema()
    return {path.lstrip("/"): operations for path, operations in schema["paths"].items()}


def api_key(route: Route) -> str:
    return CONVERTER.sub(lambda m: "{" + (m["name"] or m["api"]) + "}", route.key)


def body_fields(schema: dict) -> list[str]:
    """The JSON body's field names (dotted for a nested object) from the operation's schema."""
    components = api.get_openapi_schema()["components"]["schemas"]

    def resolve_ref(node: dict) -> dict:
        return components[node["$ref"].rsplit("/", 1)[-1]] if "$ref" in node else node

    def walk(node: dict, prefix: str) -> Iterator[str]:
        for name, prop in resolve_ref(node).get("properties", {}).items():
            prop = resolve_ref(prop)
            if "properties" in prop:
                yield from walk(prop, f"{prefix}{name}.")
            else:
                yield prefix + name

    content = schema.get("requestBody", {}).get("content", {}).get("application/json", {})
    return list(walk(content["schema"], "")) if content else []


def json_with(body: dict, dotted: str, value) -> dict:
    body = json.loads(json.dumps(body))
    *parents, last = dotted.split(".")
    node = body
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value
    return body


def filled(form: PageForm, data: dict[str, list[str]], day: str) -> dict[str, list[str]]:
    """What the form sends, its blank fields given plausible valid values, so a bad value in one
    field gets as far into the view as it can."""
    data = {name: list(values) for name, values in data.items()}
    for control in form.controls:
        name = control.attrs.get("name")
        if not name or name not in data or any(data[name]):
            continue
        kind = (control.attrs.get("type") or "").lower()
        value = None
        if control.tag == "select":
            value = next((o.get("value") for o in control.options if o.get("value")), None)
        elif kind == "date":
            value = day
        elif kind == "datetime-local":
            value = f"{day}T10:00"
        elif kind == "time":
            value = "10:00"
        elif kind == "email":
            value = "walk@example.com"
        elif kind == "tel":
            value = "(480) 555-0100"
        elif kind == "number":
            value = "1"
        elif kind in ("", "text", "search") or control.tag == "textarea":
            value = "Walk"
        if value is not None:
            data[name] = [value]
    return data


def one_of_each(names) -> list[str]:
    """The names with a formset's rows after the first left out: hours-3-start tells nothing hours-0-start did not."""
    seen, kept = set(), []
    for name in names:
        if name == "csrfmiddlewaretoken":  # the test client does not check it
            continue
        shape = re.sub(r"-\d+-", "-N-", name)
        if shape not in seen:
            seen.add(shape)
            kept.append(name)
    return kept


# Valid JSON bodies to start from, where an empty one would stop at "this field is required".
GOOD_JSON = {
    "api-v1:booking_create": lambda w: {
        "service": "treatment",
        "start": f"{w.day}T10:00:00-07:00",
        "provider": w.provider.pk,
        "location": "scottsdale",
        "areas": [],
        "accept_policy": True,
        "patient": {
            "first_name": "Walk",
            "last_name": "Er",
            "email": "walk@example.com",
            "phone": "(480) 555-0100",
            "date_of_birth": "1980-01-01",
        },
    },
}


class Walker:
    """One visitor's requests, each in a rolled-back savepoint; what went wrong, in `failures`."""

    def __init__(self, client, user) -> None:
        self.client, self.user = client, user
        self.failures: list[str] = []
        self.count = 0
        self.per_route: Counter = Counter()
        self.sent: dict[tuple, HttpResponse | None] = {}  # each distinct request is sent once
        self.session = None
        self.sign_in()

    def sign_in(self) -> None:
        self.client.logout()
        if self.user is not None:
            self.client.force_login(self.user)
        cookie = self.client.cookies.get(settings.SESSION_COOKIE_NAME)
        self.session = cookie.value if cookie else None

    def send(self, method: str, url: str, data=None, *, body=None, label: str = ""):
        key = (method, url, json.dumps(data, sort_keys=True), json.dumps(body, sort_keys=True))
        if key in self.sent:
            return self.sent[key]
        cache.clear()  # the rate limits count every request from the test's one address
        self.count += 1
        try:
            self.per_route[resolve(urlsplit(url).path).route] += 1
        except Resolver404:
            self.per_route["(no route)"] += 1
        response = None
        try:
            with transaction.atomic():
                if method == "get":
                    response = self.client.get(url)
                elif body is not None:
                    response = self.client.post(url, data=json.dumps(body), content_type="application/json")
                else:
                    response = self.client.post(url, data or {})
                if response.streaming:  # a CSV export fails, if at all, while it is written out
                    b"".join(response.streaming_content)
                transaction.set_rollback(True)
        except Exception as exc:  # the test client re-raises what the view raised
            self.failures.append(f"{method.upper()} {url} {label}: {type(exc).__name__}: {str(exc)[:160]}")
        else:
            if response.status_code >= 500:
                self.failures.append(f"{method.upper()} {url} {label}: {response.status_code}")
        cookie = self.client.cookies.get(settings.SESSION_COOKIE_NAME)
        if self.user is not None and (cookie.value if cookie else None) != self.session:
            self.sign_in()  # a sign-out or a sign-in's new session: back in as this visitor
        self.sent[key] = _without_body(response)
        return response


def _without_body(response) -> HttpResponse | None:
    """What the walk needs of an answer it has seen before: its status and where it redirects."""
    if response is None:
        return None
    kept = HttpResponse(status=response.status_code)
    for header in ("Location", "Content-Type"):
        if header in response:
            kept[header] = response[header]
    return kept


def with_query(url: str, params: dict[str, list[str]]) -> str:
    return urlsplit(url).path + ("?" + urlencode(params, doseq=True) if params else "")


def query_of(url: str) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for key, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        params.setdefault(key, []).append(value)
    return params


@dataclass
class Sent:
    """A request some page makes to a route (a form, or a link): how, where, and what it sends."""

    method: str
    target: str
    data: dict[str, list[str]]
    text: set[str] = field(default_factory=set)  # its plain text fields: they hold no id and no date

    def with_all(self, names, bad, *, keep: bool = False) -> tuple:
        """(URL, post data) with `names` and, unless `keep`, everything it sends made `bad`."""
        bad_ones = {name: [bad] for name in ([] if keep else [*self.data]) + [*names]}
        data = {**self.data, **bad_ones}
        if self.method == "get":
            return (with_query(self.target, data),)
        return self.target, data

    def as_sent(self) -> tuple:
        return self.with_all((), None, keep=True)

    def values(self, name: str) -> list[str]:
        """Every bad value for a field that may hold an id or a date; for plain text, two that look like one."""
        return TEXT_BAD if name in self.text else BAD


TEXT_KINDS = {"", "text", "textarea", "email", "tel", "password", "search", "url"}


def text_fields(form: PageForm) -> set[str]:
    names = set()
    for control in form.controls:
        kind = "textarea" if control.tag == "textarea" else (control.attrs.get("type") or "").lower()
        if control.tag in ("select", "button"):
            continue
        value = control.attrs.get("value") or ""
        if kind in TEXT_KINDS or (kind in ("checkbox", "radio") and not value.isdigit()):
            names.add(control.attrs.get("name"))
    return names - {None}


LINKS = re.compile(r"""<a\b[^>]*\bhref="([^"#]+)""")
LINKS_PER_ROUTE = 3  # other pages of a route reached by links (another appointment's chart, another day)


def harvest(walker: Walker, found: list[Route], day: str) -> dict[str, list[Sent]]:
    """What the pages this visitor can open send, by the route they send it to: every form, and the
    links to other pages of the routes walked (three levels deep: the day, an appointment, its chart)."""
    by_route: dict[str, list[Sent]] = {}
    walked = {route.key for route in found}
    seen: set = set()
    followed: set[str] = set()
    linked: Counter = Counter()

    def read(page_url: str, response, depth: int) -> None:
        if response is None or response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            return
        page = response.content.decode(errors="replace")
        for form in page_forms(page):
            target = urljoin(page_url, form.action) if form.action else page_url
            try:
                match = resolve(urlsplit(target).path)
            except Resolver404:
                continue
            for variant in form.variants:
                data = filled(form, variant, day)
                key = (match.route, form.method, urlsplit(target).path, tuple(sorted(data)))
                if key not in seen:
                    seen.add(key)
                    by_route.setdefault(match.route, []).append(Sent(form.method, target, data, text_fields(form)))
                url = with_query(target, {**query_of(target), **data})
                if form.method == "get" and depth < 2 and url not in followed:  # the page the form asks for
                    followed.add(url)
                    read(url, walker.send("get", url, label="(harvest)"), depth + 1)
        for href in LINKS.findall(page):
            url = urljoin(page_url, html.unescape(href))
            try:
                match = resolve(urlsplit(url).path)
            except Resolver404:
                continue
            if match.route not in walked or url in seen or linked[match.route] >= LINKS_PER_ROUTE or depth >= 3:
                continue
            seen.add(url)
            linked[match.route] += 1
            by_route.setdefault(match.route, []).append(Sent("get", url, query_of(url)))
            read(url, walker.send("get", url, label="(link)"), depth + 1)

    for route in found:
        read(route.valid, walker.send("get", route.valid, label="(valid)"), 1)
    return by_route


DOOR = (401, 403, 404, 405, 410)


def carriers(sents: list[Sent], names) -> list[tuple[str, Sent]]:
    """Where to make each name bad: one request of each shape (the set of names it sends) that sends
    it, so a button that changes what the view does (remove, or add) is tried either way; a name the
    view reads that no page sends goes in the fullest request. A formset's rows after the first are
    left out."""
    fullest = max(sents, key=lambda s: len(s.data))
    pairs = []
    for name in one_of_each(dict.fromkeys([*(n for s in sents for n in s.data), *names])):
        shapes = {frozenset(s.data): s for s in reversed(sents) if name in s.data} or {None: fullest}
        pairs += [(name, sent) for sent in shapes.values()]
    return pairs


def refused(response, *, door=DOOR) -> bool:
    """The visitor was turned away at the door (a view that raised is not: it got in)."""
    if response is None:
        return False
    to_sign_in = response.status_code in (302, 303) and "/login/" in response.get("Location", "")
    return to_sign_in or response.status_code in door


def walk(walker: Walker, w) -> None:
    found = [r for r in with_valid_urls(w) if re.search(os.environ.get("WALK_ONLY", ""), r.name)]  # to debug one page
    if walker.user is not None:  # staff walk the staff area; the patient pages and the API are anonymous's
        found = [route for route in found if route.key.startswith(STAFF_AREA)]
    day = w.day.isoformat()
    forms = harvest(walker, found, day)
    operations = api_operations()
    for route in found:
        names = read_names(route)
        # The path: each argument replaced by bad values, the others kept valid.
        for argument in route.kwargs:
            for bad in BAD_PATH:
                url = route.url(**{argument: bad})
                walker.send("get", url)
                walker.send("post", url)
        # The query string and the post. Every request a page makes here (the valid URL, each form, each
        # link) is sent with everything it sends and every name the view reads made bad at once, for each
        # bad value; then each name alone, with each bad value, in each shape of request that sends it,
        # when that request gets past the door. A view that reads the request before asking who is
        # there is caught by the first.
        gets = [Sent("get", route.valid, query_of(route.valid))] + [
            Sent(f.method, f.target, {**query_of(f.target), **f.data}, f.text)
            for f in forms.get(route.key, [])
            if f.method == "get"
        ]
        posts = [f for f in forms.get(route.key, []) if f.method == "post"] or [Sent("post", route.valid, {})]
        for method, sents in (("get", gets), ("post", posts)):
            for sent in sents:
                for bad in BAD:
                    walker.send(method, *sent.with_all(names, bad), label=f"[all={bad!r}]")
            door = (401, 403, 405) if method == "post" else DOOR  # a POST's 404 may be its missing id: walk on
            for name, sent in carriers(sents, names):
                if refused(walker.send(method, *sent.as_sent()), door=door):
                    continue
                for bad in sent.values(name):
                    walker.send(method, *sent.with_all((name,), bad, keep=True), label=f"[{name}={bad!r}]")
        # The API: its query parameters and JSON body fields, from the schema.
        operation = operations.get(api_key(route), {})
        for method, spec in operation.items():
            if method == "get":
                for parameter in spec.get("parameters", []):
                    if parameter["in"] == "query":
                        for bad in BAD:
                            url = with_query(route.valid, {**query_of(route.valid), parameter["name"]: [bad]})
                            walker.send("get", url, label=f"[{parameter['name']}={bad!r}]")
            elif method == "post":
                row = MATRIX.get(route.name)
                good = GOOD_JSON.get(route.name, lambda w: None)(w) or (row and row.json) or {}
                walker.send("post", route.valid, body=good, label="(good body)")
                for name in body_fields(spec):
                    for bad in BAD_JSON:
                        walker.send("post", route.valid, body=json_with(good, name, bad), label=f"[{name}={bad!r}]")


@pytest.fixture
def walk_world(world):
    """The access matrix's world, and what brings more forms onto the staff pages: a checked-in visit
    with a draft chart (the day before: what the forms add from their day on stays clear of it), time off, an
    urgent follow-up and a patient waiting on the waitlist."""
    booked = world.appointment
    visit = AppointmentFactory(patient=booked.patient, provider=world.provider, location=booked.location,
                               service=booked.service, start=booked.start - timedelta(days=1),
                               status=AppointmentStatus.CHECKED_IN)  # fmt: skip
    TreatmentRecordFactory(appointment=visit)
    away = booked.start + timedelta(days=7)
    TimeOff.objects.create(provider=world.provider, start=away, end=away + timedelta(hours=2), reason="Walk")
    FollowUp.objects.create(appointment=booked, answers={}, urgent=True, submitted_at=timezone.now())
    WaitlistEntry.objects.create(patient=booked.patient, service=booked.service, earliest=world.day,
                                 latest=world.day, source=Source.DESK)  # fmt: skip
    return world


@pytest.fixture(autouse=True)
def _quiet():
    """The walk's thousands of 404s and 405s are expected; its failures are listed by the test."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)


@pytest.mark.parametrize("visitor", WALKERS)
def test_no_url_answers_a_bad_id_or_date_with_a_server_error(client, walk_world, visitors, visitor):
    walker = Walker(client, visitors[visitor])
    started = time.monotonic()
    walk(walker, walk_world)
    print(f"\n{visitor}: {walker.count} requests in {time.monotonic() - started:.0f}s, {len(walker.failures)} failed")
    print("   busiest:", walker.per_route.most_common(15))
    for failure in walker.failures:
        print("  ", failure)
    assert not walker.failures, f"{len(walker.failures)} server errors:\n" + "\n".join(walker.failures[:60])
