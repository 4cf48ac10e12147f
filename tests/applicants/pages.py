"""Reading rendered pages the way a person sees them: an element's text, what a form shows."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: dict[str, list[str]] = {}
        self.inputs: list[dict[str, str | None]] = []
        self.selected: dict[str, list[str]] = {}
        self.textareas: dict[str, list[str]] = {}
        self._open: list[tuple[str, str | None]] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "input":
            self.inputs.append(attributes)
        elif tag == "select":
            self._select = attributes.get("name")
            self.selected.setdefault(self._select, [])
        elif tag == "option" and self._select is not None and "selected" in attributes:
            self.selected[self._select].append(attributes.get("value") or "")
        elif tag == "textarea":
            self._textarea = attributes.get("name")
            self.textareas[self._textarea] = []
        if tag in _VOID:
            return
        element_id = attributes.get("id")
        if element_id:
            self.texts.setdefault(element_id, [])
        self._open.append((tag, element_id))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                del self._open[index:]
                break

    def handle_data(self, data):
        for _tag, element_id in self._open:
            if element_id:
                self.texts[element_id].append(data)
        if self._textarea is not None:
            self.textareas[self._textarea].append(data)


def _parse(content: bytes | str) -> _Page:
    page = _Page()
    page.feed(content.decode() if isinstance(content, bytes) else content)
    page.close()
    return page


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def text_of(content: bytes | str, element_id: str) -> str | None:
    """The visible text inside the element with this id, spaces squashed; None if there is none."""
    texts = _parse(content).texts.get(element_id)
    return None if texts is None else _squash("".join(texts))


def form_values(content: bytes | str) -> dict[str, str | list[str]]:
    """What the form shows as entered: text inputs' values, chosen options, ticked boxes, textareas."""
    page = _parse(content)
    values: dict[str, str | list[str]] = {}
    for attributes in page.inputs:
        name, kind = attributes.get("name"), attributes.get("type", "text")
        if not name or name == "csrfmiddlewaretoken" or kind in {"submit", "hidden"}:
            continue
        if kind in {"radio", "checkbox"}:
            if "checked" in attributes:
                values[name] = attributes.get("value") or "on"
            else:
                values.setdefault(name, "")
        elif kind != "password":
            values[name] = attributes.get("value") or ""
    for name, chosen in page.selected.items():
        values[name] = chosen[0] if len(chosen) == 1 else (chosen or "")
    for name, texts in page.textareas.items():
        values[name] = "".join(texts).lstrip("\n")
    return values
