"""Every page carries the Content-Security-Policy: scripts only from our static files (no
'unsafe-inline', no 'unsafe-eval'), nothing may frame the site; and the templates served as
pages hold no inline script, event-handler attribute or style the policy would refuse."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from risorse.grafici import barre_semplici

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# The acts (templates/atti/) are rendered to PDF by WeasyPrint, never served as pages.
PAGINE = [p for p in TEMPLATES.rglob("*.html") if "atti" not in p.relative_to(TEMPLATES).parts]


def _direttive(risposta) -> dict[str, list[str]]:
    intestazione = risposta["Content-Security-Policy"]
    return {parti[0]: parti[1:] for parti in (d.split() for d in intestazione.split(";") if d.strip())}


def _pagine(mondo):
    return [
        (None, reverse("accordi:home")),
        (None, reverse("login")),
        (None, reverse("accordi:portale")),
        (None, reverse("accordi:verifica")),
        (mondo["responsabile_udp"], reverse("accordi:piano", args=[mondo.piano.pk])),
        (mondo["responsabile_udp"], reverse("accordi:contenuto", args=[mondo.piano.pk])),
        (mondo.regionale, reverse("risorse:cruscotto_regionale")),
        (None, "/pagina-che-non-esiste/"),
    ]


def test_ogni_pagina_ha_la_csp_senza_script_inline(client, mondo):
    for utente, indirizzo in _pagine(mondo):
        client.logout()
        if utente:
            client.force_login(utente)
        risposta = client.get(indirizzo)
        assert risposta.status_code in (200, 404), indirizzo
        d = _direttive(risposta)
        assert d["script-src"] == ["'self'"], indirizzo
        assert d["default-src"] == ["'self'"]
        assert d["object-src"] == ["'none'"]
        assert d["frame-ancestors"] == ["'none'"]
        assert d["base-uri"] == ["'self'"]
        assert d["form-action"] == ["'self'"]
        assert set(d["img-src"]) == {"'self'", "data:"}
        assert "'unsafe-inline'" not in d["style-src"] and "'unsafe-eval'" not in d["style-src"]


def test_le_risposte_json_hanno_la_csp(client, db):
    risposta = client.get("/api/v1/ambiti/")
    assert _direttive(risposta)["script-src"] == ["'self'"]


def test_il_nonce_degli_stili_compare_solo_nelle_pagine_che_lo_usano(client, mondo):
    client.force_login(mondo["responsabile_udp"])
    from ..factories import crea_sezione

    sezione = crea_sezione(mondo.piano)
    editor = client.get(reverse("accordi:sezione", args=[sezione.pk]))
    assert editor.status_code == 200
    nonce = re.search(r'name="trix-csp-nonce" content="([^"]+)"', editor.content.decode())
    if nonce is None:
        pytest.skip("il piano non è modificabile in questo stato: nessun editor")
    assert f"'nonce-{nonce.group(1)}'" in _direttive(editor)["style-src"]
    semplice = client.get(reverse("accordi:home"))
    assert not any(v.startswith("'nonce-") for v in _direttive(semplice)["style-src"])


@pytest.mark.parametrize("pagina", PAGINE, ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_i_template_non_hanno_codice_o_stili_inline(pagina):
    testo = pagina.read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", testo), "script inline"
    assert not re.search(r"\son[a-z]+\s*=", testo), "gestore di evento inline (onclick=…)"
    assert not re.search(r"\sstyle\s*=", testo), "attributo style"
    assert "<style" not in testo, "elemento <style>"
    assert "javascript:" not in testo


def test_i_grafici_non_hanno_attributi_style():
    svg = str(barre_semplici(ident="prova", titolo="Titolo", descrizione="Descrizione",
                             voci=[("A", 10), ("B", 60)]))
    assert svg.startswith("<svg") and 'class="grafico"' in svg
    assert "style=" not in svg
