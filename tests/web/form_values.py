"""A page's form as a browser would send it: the values of its inputs, checked boxes and
radios, selected options and textareas (html.parser; pages are our own, well formed)."""

from __future__ import annotations

from html.parser import HTMLParser


class _Form(HTMLParser):
    def __init__(self, action: str) -> None:
        super().__init__(convert_charrefs=True)
        self.action, self.inside, self.values = action, False, list[tuple[str, str]]()
        self.select: str | None = None
        self.first_option: tuple[str, str] | None = None
        self.chosen = False
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("action") == self.action
        if not self.inside:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.values.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self.select, self.first_option, self.chosen = a.get("name"), None, False
        elif tag == "option" and self.select is not None:
            if self.first_option is None:
                self.first_option = (self.select, a.get("value", ""))
            if "selected" in a:
                self.values.append((self.select, a.get("value", "")))
                self.chosen = True
        elif tag == "textarea":
            self.textarea, self.text = a.get("name"), ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select is not None:
            if not self.chosen and self.first_option is not None:
                self.values.append(self.first_option)
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.values.append((self.textarea, self.text))
            self.textarea = None

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.text += data


def form_values(html: str, action: str) -> dict[str, str]:
    """The form posting to ``action``: name -> value (the last one of a repeated name)."""
    parser = _Form(action)
    parser.feed(html)
    return dict(parser.values)
