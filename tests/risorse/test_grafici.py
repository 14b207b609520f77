"""The SVG charts: well-formed XML, named for assistive technology, labelled, escaped, and
sensible with nothing to draw."""

import xml.etree.ElementTree as ET

import pytest

from risorse import grafici

NS = {"s": "http://www.w3.org/2000/svg"}


def _albero(svg):
    radice = ET.fromstring(str(svg))
    assert radice.get("role") == "img"
    ident = radice.get("id")
    assert radice.get("aria-labelledby") == f"{ident}-titolo {ident}-desc"
    assert radice.find("s:title", NS).get("id") == f"{ident}-titolo"
    assert radice.find("s:desc", NS).get("id") == f"{ident}-desc"
    return radice


def _testi(radice):
    return [t.text for t in radice.iter("{http://www.w3.org/2000/svg}text")]


def test_barre_impilate():
    svg = grafici.barre_impilate(
        ident="g1", titolo="Fonti", descrizione="Per categoria", categorie=["Stato", "Regione"],
        serie=[("Sociale", [100, 30]), ("Sociosanitario", [0, 70])], formato=lambda v: f"{v:.0f} €")
    radice = _albero(svg)
    testi = _testi(radice)
    assert {"Stato", "Regione", "Sociale", "Sociosanitario", "100 €"} <= set(testi)
    # Each series has its own pattern (colour is not the only cue).
    assert len(radice.findall(".//s:pattern", NS)) == 2
    rettangoli = [r for r in radice.iter("{http://www.w3.org/2000/svg}rect") if r.get("height") == "28"]
    assert len(rettangoli) == 3  # the zero segment is not drawn
    # Both bars have the same total (100): the same full width.
    larghezze = sorted(float(r.get("width")) for r in rettangoli)
    assert larghezze[-1] == pytest.approx(larghezze[0] + larghezze[1])


def test_escaping_dei_nomi():
    svg = grafici.barre_semplici(ident="g2", titolo="A & <B>", descrizione="x < y",
                                 voci=[("Alfa & <Oltrepò>", 3), ("Beta", 1)])
    assert "<Oltrepò>" not in str(svg) and "&amp; &lt;Oltrepò&gt;" in str(svg)
    radice = _albero(svg)
    assert radice.find("s:title", NS).text == "A & <B>"
    assert "Alfa & <Oltrepò>" in _testi(radice) and "3" in _testi(radice)


def test_istogramma_con_soglie():
    svg = grafici.istogramma(ident="g3", titolo="Quote", descrizione="d", bordi=list(range(0, 101, 10)),
                             conteggi=[0, 2, 0, 0, 1, 0, 0, 0, 0, 5], soglie=[(16, "16%"), (50, "50%")])
    radice = _albero(svg)
    testi = _testi(radice)
    assert "16%" in testi and "50%" in testi and "100%" in testi and "5" in testi
    linee = [ln for ln in radice.iter("{http://www.w3.org/2000/svg}line") if ln.get("stroke-dasharray")]
    assert len(linee) == 2
    # The 50% line is in the middle of the axis, the 16% one left of it.
    assert float(linee[0].get("x1")) < float(linee[1].get("x1"))
    with pytest.raises(ValueError):
        grafici.istogramma(ident="g4", titolo="t", descrizione="d", bordi=[0, 10], conteggi=[1, 2])


@pytest.mark.parametrize("svg", [
    grafici.barre_impilate(ident="v1", titolo="t", descrizione="d", categorie=[], serie=[], vuoto="Nessun dato"),
    grafici.barre_impilate(ident="v2", titolo="t", descrizione="d", categorie=["A"], serie=[("S", [0])],
                           vuoto="Nessun dato"),
    grafici.barre_semplici(ident="v3", titolo="t", descrizione="d", voci=[], vuoto="Nessun dato"),
    grafici.istogramma(ident="v4", titolo="t", descrizione="d", bordi=[0, 50, 100], conteggi=[0, 0],
                       vuoto="Nessun dato"),
])
def test_senza_dati(svg):
    assert _testi(_albero(svg)) == ["Nessun dato"]
