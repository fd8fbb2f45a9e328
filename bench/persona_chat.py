"""A persona answering the real interview over Rasa's REST channel, as a person types.

The driver recognises each bot question by the interview guide's own wording
(``data/interview_guide.yml``), so it follows whatever order and conditions
the guide and the bot choose, and answers in the persona's free text. A
self-assessment question is recognised by the competency label it names.
Anything it does not recognise (a question asked back, a confirmation) it
answers like a cooperative person would: yes, or the first button.
"""

from __future__ import annotations

import json
import re
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
MAX_TURNS = 45
SUMMARY_QUESTION = "Stimmt das so?"


@dataclass
class Transcript:
    turns: list[tuple[str, str]] = field(default_factory=list)  # (what the persona said, what the bot answered)
    asked: list[str] = field(default_factory=list)  # question ids in the order the bot asked them
    asked_levels: list[str] = field(default_factory=list)  # competency ids of the self-assessment questions
    unrecognised: int = 0


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip().lower()


def _guide_questions() -> list[tuple[str, str]]:
    """(question id, a stretch of its wording that identifies it) for every question of the guide."""
    guide = yaml.safe_load((ROOT / "data/interview_guide.yml").read_text(encoding="utf-8"))
    out = []
    for section in guide["sections"]:
        for question in section["questions"]:
            wording = question["text"].split("{")[0] if "{" in question["text"] else question["text"]
            out.append((question["id"], _normal(wording)[:48]))
    return out


def _competency_labels() -> dict[str, str]:
    framework = yaml.safe_load((ROOT / "data/seed/competencies.yml").read_text(encoding="utf-8"))
    items = framework["competencies"] if isinstance(framework, dict) else framework
    return {_normal(c["label"]): c["id"] for c in items}


class PersonaChat:
    def __init__(self, base_url: str, sender: str, persona: dict[str, Any]) -> None:
        self.url = f"{base_url}/webhooks/rest/webhook"
        self.sender = sender
        self.persona = persona
        self.questions = _guide_questions()
        self.labels = _competency_labels()
        self.transcript = Transcript()

    def say(self, text: str) -> list[dict[str, Any]]:
        body = json.dumps({"sender": self.sender, "message": text}).encode()
        request = urllib.request.Request(self.url, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=300) as response:
            messages: list[dict[str, Any]] = json.loads(response.read())
        self.transcript.turns.append((text, "\n".join(m.get("text", "") for m in messages)))
        return messages

    def recognise(self, text: str) -> tuple[str | None, str | None]:
        """The question the bot's last message asks (the last one named wins) and, for a scale, its competency."""
        # a summary line ("• Dürfen wir Ihr Profil speichern …: Ja") quotes a question, it does not ask it
        asking = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("•"))
        if SUMMARY_QUESTION in asking:
            return "summary", None
        normal = _normal(asking)
        found: tuple[int, str] | None = None
        for qid, wording in self.questions:
            at = normal.rfind(wording)
            if at >= 0 and (found is None or at > found[0]):
                found = (at, qid)
        if found is None:
            return None, None
        qid = found[1]
        if qid != "levels":
            return qid, None
        named = re.findall(r"„([^“]+)“", text)
        for label in reversed(named):
            if (competency := self.labels.get(_normal(label))) is not None:
                return qid, competency
        return qid, None

    def answer(self, qid: str | None, competency: str | None, messages: list[dict[str, Any]]) -> str:
        answers: dict[str, str] = self.persona.get("answers", {})
        if qid == "levels" or (qid is None and competency):
            levels: dict[str, str] = self.persona.get("levels", {})
            return str(levels.get(competency or "", self.persona.get("default_level", "Weiß ich nicht")))
        if qid == "summary":
            return str(answers.get("summary", "ja, passt so"))
        if qid is not None and qid in answers:
            return str(answers[qid])
        if qid is not None:
            return "überspringen"
        self.transcript.unrecognised += 1
        buttons = [b for m in messages for b in m.get("buttons", [])]
        titles = [str(b.get("title", "")) for b in buttons]
        for title in titles:  # a confirmation asked back: a cooperative person agrees
            if _normal(title).startswith(("ja", "stimmt", "passt", "richtig")):
                return title
        return titles[0] if titles else "ja"

    def run(self, finished: Any) -> Transcript:
        """Talk until ``finished()`` says the plan exists (or MAX_TURNS)."""
        messages = self.say(self.persona.get("greeting", "Hallo"))
        for _ in range(MAX_TURNS):
            if finished():
                break
            text = "\n".join(m.get("text", "") for m in messages)
            qid, competency = self.recognise(text)
            if qid:
                self.transcript.asked.append(qid)
                if competency:
                    self.transcript.asked_levels.append(competency)
            repeated = qid is not None and self.transcript.asked[-2:-1] == [qid] and qid != "levels"
            buttons = [str(b.get("title", "")) for m in messages for b in m.get("buttons", [])]
            if repeated and buttons:
                # asked again with options to pick ("Meinen Sie eine dieser Rollen?"): a person clicks one
                reply = str(self.persona.get("fallbacks", {}).get(qid, buttons[0]))
            else:
                reply = self.answer(qid, competency, messages)
            messages = self.say(reply)
        return self.transcript
