"""Message templates: subject, plain text and HTML for each kind of message, from Jinja2 templates.

The shipped templates live beside this module (shared/mail/templates/). EMAIL_TEMPLATES_DIR names a
folder whose files replace shipped ones of the same name; a file it lacks falls back to the shipped
one. Per kind, three files: `{stem}.subject.txt`, `{stem}.txt` and `{stem}.html`, where the stem is
the kind's name in lower case with hyphens ("7-Day Reminder" → 7-day-reminder). A kind without its
own file uses its family's: every "{d}-Day Reminder" stage falls back to `reminder.*`, so a new
stage (or a later kind such as an access-ended notice) is a template, not code.

HTML is autoescaped; the plain text and the subject are not (they are not markup). Undefined names
fail the render instead of printing nothing, so a broken override shows in the preview.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, Template, select_autoescape

SHIPPED_TEMPLATES = Path(__file__).parent / "templates"
STAGE_REMINDER = re.compile(r"\d+-Day Reminder")
PARTS = ("subject.txt", "txt", "html")


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    text: str
    html: str


def template_stems(kind: str) -> list[str]:
    """The template stems tried for `kind`, its own first."""
    own = "-".join(kind.lower().split())
    return [own, "reminder"] if STAGE_REMINDER.fullmatch(kind) else [own]


class MessageTemplates:
    def __init__(self, override_dir: str = "") -> None:
        folders = [override_dir] if override_dir else []
        self.environment = Environment(
            loader=ChoiceLoader([FileSystemLoader(folder) for folder in [*folders, str(SHIPPED_TEMPLATES)]]),
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
            undefined=StrictUndefined,
            keep_trailing_newline=True,
            auto_reload=False,  # deployed files do not change under a running host; saves a stat per render
        )
        # Which file serves each (kind, part), found once: Jinja2 caches the templates it loads but
        # not the names it failed to find, so every stage falling back to `reminder.*` would look
        # for its own file on disk again at every render (half the render's time, bench notify).
        self._chosen: dict[tuple[str, str], Template] = {}

    def _template(self, kind: str, part: str) -> Template:
        chosen = self._chosen.get((kind, part))
        if chosen is None:
            chosen = self.environment.select_template([f"{stem}.{part}" for stem in template_stems(kind)])
            self._chosen[(kind, part)] = chosen
        return chosen

    def render(self, kind: str, context: Mapping[str, object]) -> RenderedMessage:
        """Raises jinja2.TemplateNotFound for a kind without templates (and no family to fall back to)."""
        subject, text, html = (self._template(kind, part).render(context) for part in PARTS)
        return RenderedMessage(subject=" ".join(subject.split()), text=text, html=html)


@lru_cache(maxsize=4)
def message_templates(override_dir: str) -> MessageTemplates:
    """One environment per folder, so each template is compiled once per process."""
    return MessageTemplates(override_dir)
