"""Read a rendered page's forms and post them back as a browser would, untouched.

`browser_post_data(html, button="Save hours")` finds the form holding that submit button and
returns what a browser sends when it is clicked: every enabled input with its value, checkboxes
and radios only when checked, each single select's selected option (the first when none is
marked), and the clicked button's own name and value; no other button.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class _Control:
    tag: str
    attrs: dict[str, str | None]
    options: list[dict[str, str | None]] = field(default_factory=list)
    text: str = ""


@dataclass
class _Form:
    attrs: dict[str, str | None]
    controls: list[_Control] = field(default_factory=list)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[_Form] = []
        self._form: _Form | None = None
        self._select: _Control | None = None
        self._option: dict[str, str | None] | None = None
        self._text_of: _Control | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = _Form(attrs)
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag in ("input", "button", "textarea"):
            control = _Control(tag, attrs)
            self._form.controls.append(control)
            if tag != "input":
                self._text_of = control
        elif tag == "select":
            self._select = _Control(tag, attrs)
            self._form.controls.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = {**attrs, "_text": ""}
            self._select.options.append(self._option)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "option":
            self._option = None
        elif tag in ("button", "textarea"):
            self._text_of = None

    def handle_data(self, data):
        if self._option is not None:
            self._option["_text"] += data
        if self._text_of is not None:
            self._text_of.text += data


def _is_submit(control: _Control) -> bool:
    kind = (control.attrs.get("type") or ("submit" if control.tag == "button" else "text")).lower()
    return kind in ("submit", "image") or (control.tag == "button" and kind not in ("button", "reset"))


def _submitted(form: _Form, clicked: _Control | None) -> dict[str, list[str]]:
    """The (name, values) a browser submits for `form`, with only the `clicked` submit button."""
    data: dict[str, list[str]] = {}
    for control in form.controls:
        name = control.attrs.get("name")
        if not name or "disabled" in control.attrs:
            continue
        if _is_submit(control):
            if control is clicked:
                data.setdefault(name, []).append(control.attrs.get("value") or "")
            continue
        if control.tag == "select":
            chosen = [o for o in control.options if "selected" in o]
            if not chosen and control.options and "multiple" not in control.attrs:
                chosen = control.options[:1]
            for option in chosen:
                value = option.get("value")
                data.setdefault(name, []).append(option["_text"].strip() if value is None else value)
        elif control.tag == "textarea":
            data.setdefault(name, []).append(control.text.removeprefix("\n"))
        else:
            kind = (control.attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in control.attrs:
                continue
            if kind in ("reset", "button", "file"):
                continue
            default = "on" if kind in ("checkbox", "radio") else ""
            value = control.attrs.get("value")
            data.setdefault(name, []).append(default if value is None else value)
    return data


def browser_post_data(html: str, *, button: str) -> dict[str, list[str]]:
    """What a browser posts when the submit button whose text is `button` is clicked."""
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        clicked = next(
            (
                c
                for c in form.controls
                if _is_submit(c) and (c.text.strip() == button or c.attrs.get("value") == button)
            ),
            None,
        )
        if clicked is not None:
            break
    else:
        raise LookupError(f"No form with a {button!r} button")
    return _submitted(form, clicked)


def selected_option(html: str, *, name: str) -> str | None:
    """The value of the option a browser shows as chosen in the select called `name`."""
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        for control in form.controls:
            if control.tag == "select" and control.attrs.get("name") == name:
                chosen = [o for o in control.options if "selected" in o] or control.options[:1]
                return chosen[0].get("value") if chosen else None
    raise LookupError(f"No select named {name!r}")


def form_data(html: str, *, having: str) -> dict[str, str | list[str]]:
    """What the first form with a field named `having` submits (no button), as the test client takes it."""
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        if any(control.attrs.get("name") == having for control in form.controls):
            values = _submitted(form, None)
            return {name: items[0] if len(items) == 1 else items for name, items in values.items()}
    raise LookupError(f"No form with a field named {having!r}")


def rendered_form(html: str, form_id: str | None = None) -> tuple[dict[str, str], set[str]]:
    """The fields a browser would submit from the form with id `form_id` (every form when None),
    name → value, and the names of all checkboxes and radios shown (ticked or not)."""
    parser = _FormParser()
    parser.feed(html)
    fields: dict[str, str] = {}
    checkboxes: set[str] = set()
    for form in parser.forms:
        if form_id is not None and form.attrs.get("id") != form_id:
            continue
        fields.update({name: values[-1] for name, values in _submitted(form, None).items()})
        checkboxes |= {
            c.attrs["name"]
            for c in form.controls
            if c.tag == "input" and c.attrs.get("name") and (c.attrs.get("type") or "").lower() in ("checkbox", "radio")
        }
    return fields, checkboxes


@dataclass
class PageForm:
    """One form of a page: where and how it is sent, and what a browser sends with each button."""

    action: str | None
    method: str
    controls: list[_Control]
    variants: list[dict[str, list[str]]]  # no button clicked, then each named submit button clicked


def page_forms(html: str) -> list[PageForm]:
    """Every form of a page, each with what a browser submits from it as rendered."""
    parser = _FormParser()
    parser.feed(html)
    found = []
    for form in parser.forms:
        buttons = [c for c in form.controls if _is_submit(c) and c.attrs.get("name")]
        found.append(
            PageForm(
                action=form.attrs.get("action"),
                method=(form.attrs.get("method") or "get").lower(),
                controls=form.controls,
                variants=[_submitted(form, None), *(_submitted(form, button) for button in buttons)],
            )
        )
    return found
