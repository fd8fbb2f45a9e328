"""A module's text as the tagger reads it: the passage it is embedded by, cut into its informative parts.

The tagger looks at the module sentence by sentence so that a long marketing
text (the provider, the fees, testimonials) does not drown the few sentences
and learning outcomes that say what is taught. The parts are character spans
of the very passage the store embeds (:meth:`ModuleIn.passage_text`), so
their vectors can be pooled from that one encoding instead of encoding each
sentence again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from campus.catalogue.template import ModuleIn

# A sentence ends at . ! ? … or : before a capital letter, a quote or a list mark, or at a line break.
_BOUNDARY = re.compile(r"(?<=[.!?…:])\s+(?=[A-ZÄÖÜ„\"'(•\-–])|\s*\n\s*")
MIN_SENTENCE_CHARS = 12


@dataclass(frozen=True)
class Span:
    """One part of the passage: its kind (title, sentence, outcome) and where it is in the passage text."""

    kind: str
    start: int
    end: int


@dataclass(frozen=True)
class ModuleText:
    passage: str
    spans: tuple[Span, ...]
    title: str
    body: str  # description and outcomes, for the lexical pass
    keywords: tuple[str, ...]

    def part(self, span: Span) -> str:
        return self.passage[span.start:span.end]

    @property
    def lowered(self) -> str:
        """Everything the module says, for the level vocabulary."""
        return "\n".join([self.title, self.body, *self.keywords]).casefold()


def _sentences(text: str, offset: int) -> list[Span]:
    spans = []
    start = 0
    for boundary in [*_BOUNDARY.finditer(text), None]:
        end = boundary.start() if boundary else len(text)
        piece = text[start:end]
        if len(piece.strip()) >= MIN_SENTENCE_CHARS:
            lead = len(piece) - len(piece.lstrip())
            spans.append(Span("sentence", offset + start + lead, offset + start + len(piece.rstrip())))
        start = boundary.end() if boundary else len(text)
    return spans


def module_text(module: ModuleIn) -> ModuleText:
    """The passage of ``module`` with the spans of its title, description sentences and outcomes.

    The spans are found in the passage text itself (not rebuilt from the template's joiners), so they stay
    right if the template changes how it joins the parts.
    """
    passage = module.passage_text()
    spans: list[Span] = []
    cursor = 0
    title = module.title.strip()
    found = passage.find(title, cursor) if title else -1
    if found >= 0:
        spans.append(Span("title", found, found + len(title)))
        cursor = found + len(title)
    description = module.description.strip()
    found = passage.find(description, cursor) if description else -1
    if found >= 0:
        spans.extend(_sentences(description, found))
        cursor = found + len(description)
    for outcome in (o.strip() for o in module.learning_outcomes):
        found = passage.find(outcome, cursor) if outcome else -1
        if found >= 0:
            spans.append(Span("outcome", found, found + len(outcome)))
            cursor = found + len(outcome)
    body = "\n".join([module.description, *module.learning_outcomes])
    return ModuleText(passage, tuple(spans), module.title, body, tuple(module.keywords))
