"""A radio group's error is announced on the page the patient sees: every radio of the unanswered
question is aria-invalid, and the group's fieldset is described by the element holding the error."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from intake.screening import RULES
from tests.intake.conftest import all_no

pytestmark = pytest.mark.django_db


class Page(HTMLParser):
    """Each radio with the attributes of the fieldsets around it, and the text of every element with an id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.radios: list[tuple[dict, list[dict]]] = []
        self.text_by_id: dict[str, str] = {}
        self._fieldsets: list[dict] = []
        self._open: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input":
            if attrs.get("type") == "radio":
                self.radios.append((attrs, list(self._fieldsets)))
            return
        if tag == "fieldset":
            self._fieldsets.append(attrs)
        self._open.append((tag, attrs.get("id")))
        if attrs.get("id"):
            self.text_by_id[attrs["id"]] = ""

    def handle_endtag(self, tag):
        if tag == "fieldset" and self._fieldsets:
            self._fieldsets.pop()
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data):
        for _tag, element_id in self._open:
            if element_id:
                self.text_by_id[element_id] += data


def test_an_unanswered_questions_error_is_on_its_radios_and_in_its_groups_description(client, booked):
    _appointment, token = booked()
    step = reverse("intake:step", args=[token, "history"])
    client.post(reverse("intake:step", args=[token, "contact"]), {"email": "ada@example.com", "phone": "9415550199"})
    unanswered = RULES[0].code
    answers = {code: answer for code, answer in all_no().items() if code != unanswered}
    response = client.post(step, answers)
    assert response.status_code == 400

    page = Page()
    page.feed(response.content.decode())
    radios = [(attrs, fieldsets) for attrs, fieldsets in page.radios if attrs["name"] == unanswered]
    assert len(radios) == 2 and all(attrs.get("aria-invalid") == "true" for attrs, _ in radios)
    described_by = radios[0][1][-1].get("aria-describedby", "").split()
    assert f"id_{unanswered}-error" in described_by
    assert page.text_by_id[f"id_{unanswered}-error"].strip() == "Please answer yes or no."
    # The answered questions are not marked.
    others = [attrs for attrs, _ in page.radios if attrs["name"] != unanswered and "." not in attrs["name"]]
    assert others and not any("aria-invalid" in attrs for attrs in others)
