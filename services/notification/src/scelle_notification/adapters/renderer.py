"""Jinja2 rendering of mails: one template per kind, written once, rendered as HTML and as text.

Each kind template (``templates/kinds/<kind>.j2``) extends the layout it is given — the HTML one
(autoescaped) or the text one — and fills the ``subject`` and ``content`` blocks with the macros of
``macros.j2``, which draw the same paragraph, fact list or action link in either format.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, Undefined

from scelle_notification.domain.model import role_label, status_label
from scelle_notification.domain.timefmt import euros, french_date, french_moment, french_time

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


def _invoice_rows(invoices: Iterable[Mapping[str, Any]] | None) -> list[tuple[str, str]]:
    return [(f"Facture {i.get('invoice_number')}",
             f"échue le {french_date(i.get('due_on'))}, reste dû {euros(i.get('remaining_cents'))}")
            for i in invoices or []]


def _tariff_rows(lines: Iterable[Mapping[str, Any]] | None) -> list[tuple[str, str]]:
    return [(str(line.get("label")), f"{euros(line.get('unit_price_cents'))} HT") for line in lines or []]


def _environment(autoescape: bool) -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=autoescape, trim_blocks=True,
                      lstrip_blocks=True, keep_trailing_newline=True, undefined=Undefined)
    env.filters.update(date=french_date, time=french_time, moment=french_moment, euros=euros, status_label=status_label,
                       role_label=role_label, invoice_rows=_invoice_rows, tariff_rows=_tariff_rows)
    return env


class JinjaRenderer:
    """Renders a kind's mail for one recipient; templates are compiled once and cached."""

    def __init__(self, public_url: str) -> None:
        self._public_url = public_url.rstrip("/")
        self._html = _environment(autoescape=True)
        self._text = _environment(autoescape=False)
        self._cache: dict[tuple[str, str], Template] = {}

    def kinds(self) -> list[str]:
        return sorted(path.stem for path in (TEMPLATES / "kinds").glob("*.j2"))

    def _template(self, fmt: str, kind: str) -> Template:
        key = (fmt, kind)
        if key not in self._cache:
            env = self._html if fmt == "html" else self._text
            self._cache[key] = env.get_template(f"kinds/{kind}.j2")
        return self._cache[key]

    def render(self, kind: str, name: str, context: Mapping[str, Any]) -> RenderedMail:
        """The mail of ``kind`` for a recipient called ``name`` (may be empty) with ``context``."""
        variables = dict(context) | {"name": name, "public_url": self._public_url,
                                     "preferences_link": kind == "digest"}
        html_template = self._template("html", kind)
        html = html_template.render(variables | {"fmt": "html", "layout": "layout.html.j2"})
        text = self._template("text", kind).render(variables | {"fmt": "text", "layout": "layout.txt.j2"})
        subject_block = html_template.blocks["subject"]
        subject = "".join(subject_block(html_template.new_context(variables | {"fmt": "text"}))).strip()
        return RenderedMail(subject=_unescape(subject), text=_tidy(text), html=html)


def _unescape(value: str) -> str:
    # The subject comes from the autoescaped environment: a header is plain text.
    return (value.replace("&#39;", "'").replace("&#34;", '"').replace("&quot;", '"').replace("&lt;", "<")
            .replace("&gt;", ">").replace("&amp;", "&"))


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.splitlines()]
    tidy: list[str] = []
    for line in lines:
        if line == "" and tidy and tidy[-1] == "":
            continue
        tidy.append(line)
    return "\n".join(tidy).strip() + "\n"


__all__ = ["JinjaRenderer", "RenderedMail", "StrictUndefined"]
