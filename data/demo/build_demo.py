"""Writes the bundled demo corpus (en.conll, es.conll, de.conll) from the bracketed
sentences below: ``[LABEL words ]`` marks an entity. The sentences are original text
written for LabelBridge; Spanish and German are translations of the English.

Run: python data/demo/build_demo.py
"""

from pathlib import Path

TRIPLES = [
    (
        "[PER Maria Lindqvist ] opened the new library in [LOC Tampere ] on Monday .",
        "[PER Maria Lindqvist ] inauguró la nueva biblioteca de [LOC Tampere ] el lunes .",
        "[PER Maria Lindqvist ] eröffnete am Montag die neue Bibliothek in [LOC Tampere ] .",
    ),
    (
        "The [ORG World Health Organization ] published a report on malaria in [LOC Kenya ] .",
        "La [ORG Organización Mundial de la Salud ] publicó un informe sobre la malaria en [LOC Kenia ] .",
        "Die [ORG Weltgesundheitsorganisation ] veröffentlichte einen Bericht über Malaria in [LOC Kenia ] .",
    ),
    (
        "[PER Tomás Herrera ] signed a contract with [ORG Real Betis ] last summer .",
        "[PER Tomás Herrera ] firmó un contrato con el [ORG Real Betis ] el verano pasado .",
        "[PER Tomás Herrera ] unterschrieb letzten Sommer einen Vertrag bei [ORG Real Betis ] .",
    ),
    (
        "Thousands of visitors came to the [MISC Venice Biennale ] this year .",
        "Miles de visitantes acudieron este año a la [MISC Bienal de Venecia ] .",
        "Tausende Besucher kamen dieses Jahr zur [MISC Biennale von Venedig ] .",
    ),
    (
        "The river [LOC Danube ] flows through [LOC Vienna ] and [LOC Budapest ] .",
        "El río [LOC Danubio ] atraviesa [LOC Viena ] y [LOC Budapest ] .",
        "Die [LOC Donau ] fließt durch [LOC Wien ] und [LOC Budapest ] .",
    ),
    (
        "[PER Elena Petrova ] teaches physics at the [ORG University of Porto ] .",
        "[PER Elena Petrova ] enseña física en la [ORG Universidad de Oporto ] .",
        "[PER Elena Petrova ] unterrichtet Physik an der [ORG Universität Porto ] .",
    ),
    (
        "The [ORG European Commission ] proposed new rules for plastic packaging .",
        "La [ORG Comisión Europea ] propuso nuevas normas para los envases de plástico .",
        "Die [ORG Europäische Kommission ] schlug neue Regeln für Plastikverpackungen vor .",
    ),
    (
        "Our train from [LOC Lyon ] to [LOC Geneva ] was two hours late .",
        "Nuestro tren de [LOC Lyon ] a [LOC Ginebra ] llegó con dos horas de retraso .",
        "Unser Zug von [LOC Lyon ] nach [LOC Genf ] hatte zwei Stunden Verspätung .",
    ),
    (
        "[PER Jonas Weber ] wrote his first novel in a small flat in [LOC Leipzig ] .",
        "[PER Jonas Weber ] escribió su primera novela en un pequeño piso de [LOC Leipzig ] .",
        "[PER Jonas Weber ] schrieb seinen ersten Roman in einer kleinen Wohnung in [LOC Leipzig ] .",
    ),
    (
        "Many [MISC Portuguese ] fishermen now work in [LOC Norway ] .",
        "Muchos pescadores [MISC portugueses ] trabajan ahora en [LOC Noruega ] .",
        "Viele [MISC portugiesische ] Fischer arbeiten heute in [LOC Norwegen ] .",
    ),
    (
        "The museum bought a painting by [PER Sofonisba Anguissola ] for a record price .",
        "El museo compró un cuadro de [PER Sofonisba Anguissola ] por un precio récord .",
        "Das Museum kaufte ein Gemälde von [PER Sofonisba Anguissola ] zu einem Rekordpreis .",
    ),
    (
        "[ORG Greenpeace ] activists climbed the chimney of a power plant near [LOC Rotterdam ] .",
        "Activistas de [ORG Greenpeace ] escalaron la chimenea de una central cerca de [LOC Róterdam ] .",
        "Aktivisten von [ORG Greenpeace ] kletterten auf den Schornstein eines Kraftwerks bei [LOC Rotterdam ] .",
    ),
    (
        "The [MISC Tour de France ] will start in [LOC Bilbao ] next year .",
        "El [MISC Tour de Francia ] saldrá de [LOC Bilbao ] el año que viene .",
        "Die [MISC Tour de France ] startet nächstes Jahr in [LOC Bilbao ] .",
    ),
    (
        "[PER Amira Haddad ] chairs the budget committee of the [ORG European Parliament ] .",
        "[PER Amira Haddad ] preside la comisión de presupuestos del [ORG Parlamento Europeo ] .",
        "[PER Amira Haddad ] leitet den Haushaltsausschuss des [ORG Europäischen Parlaments ] .",
    ),
    (
        "Farmers in [LOC Andalusia ] are worried about the long drought .",
        "Los agricultores de [LOC Andalucía ] están preocupados por la larga sequía .",
        "Die Landwirte in [LOC Andalusien ] sind wegen der langen Dürre besorgt .",
    ),
    (
        "The [ORG Red Cross ] sent doctors and tents to the flooded villages .",
        "La [ORG Cruz Roja ] envió médicos y tiendas de campaña a los pueblos inundados .",
        "Das [ORG Rote Kreuz ] schickte Ärzte und Zelte in die überfluteten Dörfer .",
    ),
    (
        "[PER Luca Bianchi ] and [PER Nina Sorensen ] won the mixed doubles final .",
        "[PER Luca Bianchi ] y [PER Nina Sorensen ] ganaron la final de dobles mixtos .",
        "[PER Luca Bianchi ] und [PER Nina Sorensen ] gewannen das Finale im gemischten Doppel .",
    ),
    (
        "Scientists at [ORG CERN ] measured the mass of the particle again .",
        "Los científicos del [ORG CERN ] volvieron a medir la masa de la partícula .",
        "Wissenschaftler am [ORG CERN ] haben die Masse des Teilchens erneut gemessen .",
    ),
    (
        "The ferry between [LOC Helsinki ] and [LOC Tallinn ] takes two hours .",
        "El ferri entre [LOC Helsinki ] y [LOC Tallin ] tarda dos horas .",
        "Die Fähre zwischen [LOC Helsinki ] und [LOC Tallinn ] braucht zwei Stunden .",
    ),
    (
        "[PER Grace Okafor ] joined [ORG Siemens ] as head of research .",
        "[PER Grace Okafor ] se incorporó a [ORG Siemens ] como directora de investigación .",
        "[PER Grace Okafor ] kam als Forschungsleiterin zu [ORG Siemens ] .",
    ),
    (
        "The [MISC Nobel Prize in Chemistry ] went to two researchers from [LOC Japan ] .",
        "El [MISC Premio Nobel de Química ] fue para dos investigadores de [LOC Japón ] .",
        "Der [MISC Chemie-Nobelpreis ] ging an zwei Forscher aus [LOC Japan ] .",
    ),
    (
        "Prices in [LOC Dublin ] rose faster than anywhere else in [LOC Ireland ] .",
        "Los precios en [LOC Dublín ] subieron más rápido que en ningún otro lugar de [LOC Irlanda ] .",
        "Die Preise in [LOC Dublin ] stiegen schneller als irgendwo sonst in [LOC Irland ] .",
    ),
    (
        "The mayor of [LOC Kraków ] met representatives of [ORG UNESCO ] on Friday .",
        "El alcalde de [LOC Cracovia ] se reunió el viernes con representantes de la [ORG UNESCO ] .",
        "Der Bürgermeister von [LOC Krakau ] traf sich am Freitag mit Vertretern der [ORG UNESCO ] .",
    ),
    (
        "[PER Hugo Martens ] is the new coach of the [MISC Belgian ] national team .",
        "[PER Hugo Martens ] es el nuevo seleccionador [MISC belga ] .",
        "[PER Hugo Martens ] ist der neue Trainer der [MISC belgischen ] Nationalmannschaft .",
    ),
    (
        "Many young people leave [LOC Sicily ] to study in [LOC Milan ] or [LOC Turin ] .",
        "Muchos jóvenes dejan [LOC Sicilia ] para estudiar en [LOC Milán ] o [LOC Turín ] .",
        "Viele junge Menschen verlassen [LOC Sizilien ] , um in [LOC Mailand ] oder [LOC Turin ] zu studieren .",
    ),
    (
        "The [ORG International Monetary Fund ] lowered its growth forecast for [LOC Greece ] .",
        "El [ORG Fondo Monetario Internacional ] rebajó su previsión de crecimiento para [LOC Grecia ] .",
        "Der [ORG Internationale Währungsfonds ] senkte seine Wachstumsprognose für [LOC Griechenland ] .",
    ),
    (
        "[PER Olga Nowak ] translated the poems of [PER Wisława Szymborska ] into [MISC Catalan ] .",
        "[PER Olga Nowak ] tradujo al [MISC catalán ] los poemas de [PER Wisława Szymborska ] .",
        "[PER Olga Nowak ] übersetzte die Gedichte von [PER Wisława Szymborska ] ins [MISC Katalanische ] .",
    ),
    (
        "A storm closed the airport of [LOC Palma ] for six hours .",
        "Una tormenta cerró el aeropuerto de [LOC Palma ] durante seis horas .",
        "Ein Sturm legte den Flughafen von [LOC Palma ] für sechs Stunden lahm .",
    ),
    (
        "The [ORG United Nations ] called for a ceasefire in [LOC Sudan ] .",
        "Las [ORG Naciones Unidas ] pidieron un alto el fuego en [LOC Sudán ] .",
        "Die [ORG Vereinten Nationen ] forderten eine Waffenruhe im [LOC Sudan ] .",
    ),
    (
        "[PER Daniel Costa ] runs a bakery in the old town of [LOC Coimbra ] .",
        "[PER Daniel Costa ] tiene una panadería en el casco antiguo de [LOC Coímbra ] .",
        "[PER Daniel Costa ] betreibt eine Bäckerei in der Altstadt von [LOC Coimbra ] .",
    ),
    (
        "The [MISC Olympic Games ] of 2032 will take place in [LOC Brisbane ] .",
        "Los [MISC Juegos Olímpicos ] de 2032 se celebrarán en [LOC Brisbane ] .",
        "Die [MISC Olympischen Spiele ] 2032 finden in [LOC Brisbane ] statt .",
    ),
    (
        "Workers at [ORG Volkswagen ] in [LOC Wolfsburg ] voted for a strike .",
        "Los trabajadores de [ORG Volkswagen ] en [LOC Wolfsburgo ] votaron a favor de una huelga .",
        "Die Beschäftigten von [ORG Volkswagen ] in [LOC Wolfsburg ] stimmten für einen Streik .",
    ),
    (
        "[PER Sara Lindgren ] presented her film at the [MISC Berlinale ] in February .",
        "[PER Sara Lindgren ] presentó su película en la [MISC Berlinale ] en febrero .",
        "[PER Sara Lindgren ] stellte ihren Film im Februar auf der [MISC Berlinale ] vor .",
    ),
    (
        "The [ORG Bank of Spain ] expects inflation to fall in the autumn .",
        "El [ORG Banco de España ] prevé que la inflación baje en otoño .",
        "Die [ORG Bank von Spanien ] erwartet , dass die Inflation im Herbst sinkt .",
    ),
    (
        "Volunteers cleaned the beaches of [LOC Galicia ] after the oil spill .",
        "Los voluntarios limpiaron las playas de [LOC Galicia ] tras el vertido de petróleo .",
        "Freiwillige reinigten nach der Ölpest die Strände [LOC Galiciens ] .",
    ),
    (
        "[PER Kofi Mensah ] told the [ORG BBC ] that the talks had failed .",
        "[PER Kofi Mensah ] dijo a la [ORG BBC ] que las negociaciones habían fracasado .",
        "[PER Kofi Mensah ] sagte der [ORG BBC ] , dass die Gespräche gescheitert seien .",
    ),
]


def to_conll(bracketed: str) -> str:
    lines, label, first = [], None, False
    for word in bracketed.split():
        if word.startswith("[") and len(word) > 1:
            label, first = word[1:], True
        elif word == "]":
            label = None
        else:
            tag = "O" if label is None else ("B-" if first else "I-") + label
            first = False
            lines.append(f"{word}\t{tag}")
    assert label is None, bracketed
    return "\n".join(lines) + "\n"


def main() -> None:
    here = Path(__file__).resolve().parent
    for k, lang in enumerate(("en", "es", "de")):
        text = "\n".join(to_conll(triple[k]) for triple in TRIPLES)
        (here / f"{lang}.conll").write_text(text, encoding="utf-8")
    print(f"wrote {len(TRIPLES)} sentences in en, es, de to {here}")


if __name__ == "__main__":
    main()
