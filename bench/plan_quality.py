"""Plan quality as an expert adviser would judge it: personas through the real interview.

Each persona of ``bench/plan_personas.yml`` (roles, answers in their own
words, an expert's expectation) talks to the real Rasa server and action
server over REST (``bench/persona_chat.py``) against a freshly seeded store,
until the bot has made the plan. Then the plan as stored is checked against
the expectation:

* cover: for each named topic, at least one item teaches one of its competencies;
* must_not_first / must_not_modules: what an expert would never put first, or at all;
* format: the stated format is honoured (an item in it) or the bot says why not;
* explain_constraint: where the constraints exclude everything, the bot says so;
* levels: no reason cites a level ("Stufe 0 → 2") for a competency the learner was never asked about;
* empty: no empty plan while the catalogue has modules for the persona's topics.

Prints each persona's plan and checks, then the totals.

    .venv/bin/python bench/plan_quality.py
    .venv/bin/python bench/plan_quality.py --only buergerbuero_einsteigerin --transcript
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from persona_chat import PersonaChat, Transcript  # noqa: E402  (bench scripts run from the repository root)

CITED_LEVEL = re.compile(r"Stufe \d →")  # a learner's current level, as a gap reason states it
FORMAT_WORDS = {"online": ("online",), "presence": ("präsenz", "vor ort"), "blended": ("gemischt", "blended")}


@dataclass
class Item:
    title: str
    external_id: str
    format: str
    match: int
    competencies: list[str]
    reasons: list[str]


@dataclass
class Verdict:
    persona: str
    items: list[Item]
    turns: int
    checks: dict[str, bool] = field(default_factory=dict)
    unasked_citations: list[str] = field(default_factory=list)

    @property
    def met(self) -> bool:
        return all(self.checks.values()) and not self.unasked_citations


def plan_of(sender: str) -> tuple[list[Item], set[str], bool] | None:
    """The stored current plan of the REST sender, the competencies with a known level, whether a plan exists."""
    from sqlmodel import Session, col, select

    from campus.catalogue.models import Module
    from campus.learners.identity import find_learner
    from campus.learners.models import CompetencyLevel, PlanItem
    from campus.learners.plans import current_plan
    from campus.store.db import get_engine

    with Session(get_engine()) as session:
        learner = find_learner(session, "rest", sender)
        if learner is None:
            return None
        plan = current_plan(session, learner.id)
        if plan is None:
            return None
        rows = session.exec(select(PlanItem, Module).join(Module, col(Module.id) == col(PlanItem.module_id))
                            .where(PlanItem.plan_id == plan.id).order_by(col(PlanItem.position))).all()
        known = {c.competency_id for c in session.exec(
            select(CompetencyLevel).where(CompetencyLevel.learner_id == learner.id)).all()}
        items = [Item(m.title, m.external_id, m.format, i.match_percent, [c["id"] for c in m.competencies],
                      list(i.reasons)) for i, m in rows]
        return items, known, True


def labels() -> dict[str, str]:
    framework = yaml.safe_load((ROOT / "data/seed/competencies.yml").read_text(encoding="utf-8"))
    return {c["id"]: c["label"] for c in framework["competencies"]}


def judge(persona: dict[str, Any], items: list[Item], known: set[str], transcript: Transcript,
          label_of: dict[str, str]) -> Verdict:
    expect = persona.get("expect", {})
    verdict = Verdict(persona["id"], items, len(transcript.turns))
    taught = [set(item.competencies) for item in items]
    for topic in expect.get("cover", []):
        verdict.checks[f"deckt {'/'.join(topic)}"] = any(set(topic) & t for t in taught)
    if expect.get("must_not_first") and items:
        verdict.checks["erstes Modul passend"] = items[0].competencies[:1] != [] and \
            items[0].competencies[0] not in expect["must_not_first"]
    if expect.get("must_not_modules"):
        planned = {i.external_id for i in items}
        verdict.checks["keine unpassenden Module"] = not planned & set(expect["must_not_modules"])
    if expect.get("min_items"):
        verdict.checks[f"mindestens {expect['min_items']} Module"] = len(items) >= expect["min_items"]
    after_plan = _normal(transcript.turns[-1][1]) if transcript.turns else ""  # the plan message
    if wanted := expect.get("format"):
        # Präsenz or gemischt: at least one item with days on site; online: nothing but online
        honoured = any(i.format in ("presence", "blended") for i in items) if wanted != "online" else \
            bool(items) and all(i.format == "online" for i in items)
        verdict.checks[f"Format {wanted} erfüllt oder erklärt"] = honoured or any(
            w in after_plan for w in FORMAT_WORDS.get(wanted, ()))
    if constraint := expect.get("explain_constraint"):
        words = {"format": ("präsenz", "format", "gemischt"), "region": ("region",),
                 "budget": ("budget", "euro", "€")}[constraint]
        verdict.checks[f"erklärt {constraint}"] = any(w in after_plan for w in words)
    if expect.get("cover") and not expect.get("explain_constraint"):
        verdict.checks["kein leerer Plan"] = bool(items)
    earlier: set[str] = set()  # competencies an earlier item teaches: "Stufe 2 → 3" after it is the plan's level
    for item in items:
        for reason in item.reasons:
            if not CITED_LEVEL.search(reason):
                continue
            for cid, label in label_of.items():
                if label in reason and cid not in known and cid not in earlier:
                    verdict.unasked_citations.append(f"{item.title}: {reason}")
        earlier.update(item.competencies)
    return verdict


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).lower()


def run_persona(base_url: str, persona: dict[str, Any], label_of: dict[str, str], show: bool) -> Verdict:
    sender = f"persona-{persona['id']}-{uuid.uuid4().hex[:8]}"
    chat = PersonaChat(base_url, sender, persona)
    transcript = chat.run(lambda: plan_of(sender) is not None)
    found = plan_of(sender)
    items, known = (found[0], found[1]) if found else ([], set())
    verdict = judge(persona, items, known, transcript, label_of)
    if not found:
        verdict.checks["Interview abgeschlossen"] = False
    print(f"\n■ {persona['id']} — {persona.get('who', '')} ({verdict.turns} Turns, "
          f"{transcript.unrecognised} nicht erkannte Fragen; gefragt: {', '.join(transcript.asked_levels) or '–'})")
    for n, item in enumerate(items, 1):
        print(f"   {n}. {item.title} [{item.format}, {item.match} %] {'; '.join(item.reasons[:2])}")
    if not items:
        print("   (leerer Plan)")
    for check, ok in verdict.checks.items():
        print(f"   {'✓' if ok else '✗'} {check}")
    for citation in verdict.unasked_citations:
        print(f"   ✗ nennt nie erfragte Stufe: {citation}")
    if show:
        for said, answered in transcript.turns:
            print(f"      > {said}\n      < " + answered.replace("\n", "\n        "))
    return verdict


def totals(verdicts: list[Verdict], personas: list[dict[str, Any]]) -> None:
    formats = [(v, k) for v in verdicts for k in v.checks if k.startswith("Format")]
    empty = [v for v in verdicts if v.checks.get("kein leerer Plan") is False]
    print("\nSumme")
    print(f"  Personas, deren Erwartung erfüllt ist: {sum(v.met for v in verdicts)}/{len(verdicts)}")
    print(f"  Begründungen mit nie erfragter Stufe: {sum(len(v.unasked_citations) for v in verdicts)} (Ziel 0)")
    print(f"  leere Pläne, obwohl passende Module existieren: {len(empty)} (Ziel 0)")
    print(f"  Formatwunsch erfüllt oder erklärt: {sum(v.checks[k] for v, k in formats)}/{len(formats)} (Ziel alle)")
    topics = [ok for v in verdicts for k, ok in v.checks.items() if k.startswith("deckt")]
    print(f"  genannte Themen im Plan: {sum(topics)}/{len(topics)}")
    print(f"  Module je Plan: {', '.join(str(len(v.items)) for v in verdicts)}; "
          f"Turns je Interview: {', '.join(str(v.turns) for v in verdicts)}")


def start_platform(var_dir: Path) -> list[Any]:
    os.environ["KC_VAR_DIR"] = str(var_dir)
    os.environ["KC_DATABASE_URL"] = f"sqlite:///{var_dir / 'campus.db'}"
    os.environ.setdefault("KC_EMBEDDING_MODEL", str(ROOT / "var/models/multilingual-e5-small"))
    subprocess.run([sys.executable, "-m", "campus.cli.prepare"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    from campus.cli.processes import platform_services, start_all
    from campus.store.settings import get_settings

    settings = get_settings().model_copy(update={"rasa_port": 15205, "action_port": 15255})
    services = platform_services(settings, var_dir / "logs", with_api=False)
    print("Starte Rasa-Server und Action-Server …", flush=True)
    start_all(services, timeout=600)
    return services


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", help="persona ids")
    parser.add_argument("--transcript", action="store_true", help="print each conversation")
    parser.add_argument("--url", help="Rasa base URL of a running system (default: start one on a fresh store)")
    parser.add_argument("--var-dir", type=Path, help="with --url: the running system's var directory")
    args = parser.parse_args()
    personas = yaml.safe_load((ROOT / "bench/plan_personas.yml").read_text(encoding="utf-8"))["personas"]
    if args.only:
        personas = [p for p in personas if p["id"] in args.only]
    services = []
    if args.url:
        var_dir = args.var_dir or ROOT / "var"
        os.environ["KC_VAR_DIR"] = str(var_dir)
        os.environ["KC_DATABASE_URL"] = f"sqlite:///{var_dir / 'campus.db'}"
    else:
        services = start_platform(Path(tempfile.mkdtemp(prefix="kc-bench-plans-")))
    try:
        label_of = labels()
        url = args.url or "http://127.0.0.1:15205"
        verdicts = [run_persona(url, p, label_of, args.transcript) for p in personas]
    finally:
        from campus.cli.processes import stop_all

        stop_all(services)
    totals(verdicts, personas)
    return 0


if __name__ == "__main__":
    sys.exit(main())
