"""Read a form out of a rendered page and submit what a browser would: posting what the page renders."""

from html.parser import HTMLParser


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action", ""), "fields": [], "inputs": []}
            self.forms.append(self._form)
        if self._form is None:
            return
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            name = a.get("name")
            self._form["inputs"].append(a)
            if not name or kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form["fields"].append((name, a.get("value", "on")))
            else:
                self._form["fields"].append((name, a.get("value") or ""))
        elif tag == "select":
            self._select, self._select_first, self._select_chosen = a.get("name"), None, False
            self._form["inputs"].append(a)
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a and not self._select_chosen:
                self._form["fields"].append((self._select, value))
                self._select_chosen = True
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), ""
            self._form["inputs"].append(a)

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select:
            if not self._select_chosen and self._select_first is not None and self._form is not None:
                self._form["fields"].append((self._select, self._select_first))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            if self._form is not None:
                self._form["fields"].append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None


def forms_in(html: str) -> list[dict]:
    """Every form of a page: its action, its submittable (name, value) pairs and its input tags."""
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def form_data(html: str, *, having: str) -> dict:
    """The values the first form with a field named `having` would submit, as a dict for the test client
    (a name given several times becomes a list)."""
    for form in forms_in(html):
        if any(name == having for name, _ in form["fields"]) or any(i.get("name") == having for i in form["inputs"]):
            data: dict = {}
            for name, value in form["fields"]:
                if name in data:
                    data[name] = [*data[name], value] if isinstance(data[name], list) else [data[name], value]
                else:
                    data[name] = value
            return data
    raise AssertionError(f"no form with a field named {having!r}")
