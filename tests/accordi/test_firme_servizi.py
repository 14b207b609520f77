"""Signing requests and the acceptance of each signature (services)."""

import datetime
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone
from weasyprint import HTML

from accordi.exceptions import DatiNonValidi, PermessoNegato
from accordi.firme import pki
from accordi.firme.firma import firma_cades, firma_pdf
from accordi.models import EventoFirma, RevisioneDocumento, RichiestaFirma
from accordi.services_documenti import documento_richiedi, leggi, revisione_corrente
from accordi.services_firme import (
    _AL_COMPLETAMENTO,
    FirmaRifiutata,
    firma_carica,
    firma_demo,
    firmatari_di_turno,
    firmatari_proposti,
    promemoria_firme,
    richiesta_firma_crea,
)
from ambiti.models import Ente, Incarico
from ambiti.services import incarico_assegna

from ..factories import UtenteFactory

R = Incarico.Ruolo
DOMANI = timezone.localdate() + datetime.timedelta(days=10)


@pytest.fixture
def accordo(mondo, pki_attiva, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return documento_richiedi(tipo="accordo", piano=mondo.piano, utente=mondo[R.RESPONSABILE_UDP])


@pytest.fixture
def sindaci(mondo):
    """The mayors of the three Comuni of the ambito, in the order of their Comuni."""
    persone = []
    for i, comune in enumerate(mondo.ambito.comuni.order_by("denominazione")):
        ente, _ = Ente.objects.get_or_create(
            comune=comune, defaults={"tipo": Ente.Tipo.COMUNE, "denominazione": f"Comune di {comune.denominazione}"})
        sindaco = mondo[R.SINDACO] if i == 0 and mondo[R.SINDACO].incarichi.filter(ente=ente).exists() else None
        if sindaco is None:
            sindaco = UtenteFactory(username=f"sindaco{i}", first_name=f"Sindaco{i}")
            incarico_assegna(utente=sindaco, ruolo=R.SINDACO, ambito=mondo.ambito, ente=ente)
        persone.append((sindaco, ente))
    return persone


def _richiesta(accordo, mondo, sindaci, modalita="parallela", capture=None):
    return richiesta_firma_crea(
        documento=accordo, utente=mondo[R.RESPONSABILE_UDP], modalita=modalita, scadenza=DOMANI,
        firmatari=[(u, e, True) for u, e in sindaci],
    )


def _firmato(pki_prova, utente, dati, **kw):
    key, cert = pki_prova.certificato(utente.codice_fiscale, **kw)
    return firma_pdf(dati, signer_key=key, signer_cert=cert, ca_cert=pki_prova.ca_cert)


def _firmatario(richiesta, utente):
    return richiesta.firmatari.get(utente=utente)


def test_firmatari_proposti_sindaci_e_asl(accordo, mondo, sindaci):
    proposti = firmatari_proposti(accordo)
    assert [p[0] for p in proposti] == [u for u, _ in sindaci] + [mondo[R.REFERENTE_ASL]]


def test_richiesta_con_inviti_per_email(accordo, mondo, sindaci, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        richiesta = _richiesta(accordo, mondo, sindaci)
    assert {m.to[0] for m in mail.outbox} == {u.email for u, _ in sindaci}
    assert "Richiesta di firma" in mail.outbox[0].subject
    assert richiesta.eventi.filter(tipo="invito").count() == 3
    assert richiesta.eventi.get(tipo="richiesta").messaggio.startswith("3 firmatari, scadenza ")
    # the same register as every other message of PianoZona: "tu", never the formal "Lei"
    testo = mail.outbox[0].body
    assert "è richiesta la tua firma digitale" in testo and "Apri il documento" in testo
    assert "la sua firma" not in testo and "Apra " not in testo


def test_un_solo_firmatario_al_singolare(accordo, mondo, sindaci):
    richiesta = richiesta_firma_crea(documento=accordo, utente=mondo[R.RESPONSABILE_UDP], modalita="parallela",
                                     scadenza=DOMANI, firmatari=[(sindaci[0][0], sindaci[0][1], True)])
    assert richiesta.eventi.get(tipo="richiesta").messaggio.startswith("1 firmatario, scadenza ")


@pytest.mark.parametrize("problema", ["nessuno", "passato", "senza_cf", "doppione"])
def test_richiesta_non_valida(accordo, mondo, sindaci, problema):
    firmatari = [(u, e, True) for u, e in sindaci]
    scadenza = DOMANI
    if problema == "nessuno":
        firmatari = []
    elif problema == "passato":
        scadenza = timezone.localdate() - datetime.timedelta(days=1)
    elif problema == "senza_cf":
        firmatari.append((UtenteFactory(codice_fiscale=""), None, True))
    else:
        firmatari.append(firmatari[0])
    with pytest.raises(DatiNonValidi):
        richiesta_firma_crea(documento=accordo, utente=mondo[R.RESPONSABILE_UDP], firmatari=firmatari,
                             modalita="parallela", scadenza=scadenza)
    assert not RichiestaFirma.objects.exists()


def test_richiesta_solo_dall_ufficio_di_piano(accordo, mondo, sindaci):
    with pytest.raises(PermessoNegato):
        richiesta_firma_crea(documento=accordo, utente=mondo[R.SINDACO], firmatari=[(sindaci[0][0], None, True)],
                             modalita="parallela", scadenza=DOMANI)


def test_firme_pades_si_accumulano_e_completano_la_richiesta(accordo, mondo, sindaci, pki_attiva,
                                                             django_capture_on_commit_callbacks):
    richiesta = _richiesta(accordo, mondo, sindaci)
    completate = []
    _AL_COMPLETAMENTO.append(completate.append)
    try:
        for utente, _ente in sindaci:
            dati = _firmato(pki_attiva, utente, leggi(revisione_corrente(accordo)))
            with django_capture_on_commit_callbacks(execute=True):
                firma_carica(firmatario=_firmatario(richiesta, utente), utente=utente, nome_file="accordo.pdf",
                             dati=dati)
    finally:
        _AL_COMPLETAMENTO.remove(completate.append)
    richiesta.refresh_from_db()
    assert richiesta.stato == "completata" and completate == [richiesta]
    assert accordo.revisioni.count() == 4  # the seal, then one revision per signature
    finale = leggi(revisione_corrente(accordo))
    from accordi.firme.verifica import verifica_pdf
    from accordi.services_firme import radici_fiducia
    esito = verifica_pdf(finale, radici=radici_fiducia())
    assert esito.ok and len(esito.firme) == 4
    firmatario = _firmatario(richiesta, sindaci[0][0])
    assert firmatario.metodo == "pades" and firmatario.esito["ok"]
    assert firmatario.esito["codice_fiscale"] == firmatario.codice_fiscale


def test_firma_cades_p7m(accordo, mondo, sindaci, pki_attiva):
    richiesta = _richiesta(accordo, mondo, sindaci)
    utente = sindaci[0][0]
    key, cert = pki_attiva.certificato(utente.codice_fiscale)
    busta = firma_cades(leggi(revisione_corrente(accordo)), signer_key=key, signer_cert=cert,
                        ca_cert=pki_attiva.ca_cert)
    firmatario = firma_carica(firmatario=_firmatario(richiesta, utente), utente=utente, nome_file="accordo.pdf.p7m",
                              dati=busta)
    assert firmatario.metodo == "cades" and firmatario.busta_p7m
    assert accordo.revisioni.count() == 1  # a .p7m is kept beside the PDF


def _atteso_rifiuto(richiesta, utente, dati, messaggio, nome_file="firmato.pdf"):
    prima = RevisioneDocumento.objects.count()
    with pytest.raises(FirmaRifiutata) as exc:
        firma_carica(firmatario=_firmatario(richiesta, utente), utente=utente, nome_file=nome_file, dati=dati)
    assert any(messaggio in m for m in exc.value.messaggi), exc.value.messaggi
    assert RevisioneDocumento.objects.count() == prima
    assert _firmatario(richiesta, utente).stato == "in_attesa"
    evento = richiesta.eventi.filter(tipo=EventoFirma.Tipo.FIRMA_RIFIUTATA).latest("pk")
    assert messaggio in evento.messaggio and len(evento.sha256_file) == 64


def test_rifiuti_con_motivo_in_italiano(accordo, mondo, sindaci, pki_attiva, tmp_path):
    richiesta = _richiesta(accordo, mondo, sindaci)
    utente = sindaci[0][0]
    originale = leggi(revisione_corrente(accordo))
    _atteso_rifiuto(richiesta, utente, b"questo non e' un pdf", "Il file non è un PDF valido.")
    altro_pdf = HTML(string="<h1>Altro documento</h1>").write_pdf()
    _atteso_rifiuto(richiesta, utente, _firmato(pki_attiva, utente, altro_pdf), "non è conforme all'originale")
    _atteso_rifiuto(richiesta, utente, _firmato(pki_attiva, sindaci[1][0], originale),
                    "Firmatario diverso da quello atteso")
    scaduto = _firmato(pki_attiva, utente, originale,
                       valido_dal=timezone.now() - datetime.timedelta(days=400),
                       valido_al=timezone.now() - datetime.timedelta(days=30))
    _atteso_rifiuto(richiesta, utente, scaduto, "Certificato scaduto")
    ca_estranea_key, ca_estranea = pki.crea_ca("CA sconosciuta")
    key, cert = pki.crea_certificato_persona(ca_estranea_key, ca_estranea, nome="Mario", cognome="Rossi",
                                             codice_fiscale=utente.codice_fiscale)
    non_attendibile = firma_pdf(originale, signer_key=key, signer_cert=cert, ca_cert=ca_estranea)
    _atteso_rifiuto(richiesta, utente, non_attendibile, "non attendibile")
    manomesso = bytearray(_firmato(pki_attiva, utente, originale))
    posizione = len(originale) + 200  # inside the new revision's signed bytes
    manomesso[posizione] = manomesso[posizione] ^ 0x01
    with pytest.raises(FirmaRifiutata):
        firma_carica(firmatario=_firmatario(richiesta, utente), utente=utente, nome_file="x.pdf", dati=bytes(manomesso))
    key, cert = pki_attiva.certificato(utente.codice_fiscale)
    busta_altrui = firma_cades(altro_pdf, signer_key=key, signer_cert=cert, ca_cert=pki_attiva.ca_cert)
    _atteso_rifiuto(richiesta, utente, busta_altrui, "contiene un documento diverso", nome_file="x.p7m")


def test_file_troppo_grande(accordo, mondo, sindaci, settings):
    settings.PIANOZONA_MAX_UPLOAD_BYTES = 1024
    richiesta = _richiesta(accordo, mondo, sindaci)
    _atteso_rifiuto(richiesta, sindaci[0][0], b"%PDF-" + b"0" * 2000, "dimensione massima")


def test_firma_altrui_rifiutata(accordo, mondo, sindaci, pki_attiva):
    richiesta = _richiesta(accordo, mondo, sindaci)
    with pytest.raises(PermessoNegato):
        firma_carica(firmatario=_firmatario(richiesta, sindaci[0][0]), utente=sindaci[1][0], nome_file="x.pdf",
                     dati=b"%PDF-")


def test_in_sequenza_si_firma_a_turno(accordo, mondo, sindaci, pki_attiva, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        richiesta = _richiesta(accordo, mondo, sindaci, modalita="sequenziale")
    assert [f.utente for f in firmatari_di_turno(richiesta)] == [sindaci[0][0]]
    assert len(mail.outbox) == 1
    secondo = sindaci[1][0]
    with pytest.raises(FirmaRifiutata, match="turno"):
        firma_carica(firmatario=_firmatario(richiesta, secondo), utente=secondo, nome_file="x.pdf",
                     dati=_firmato(pki_attiva, secondo, leggi(revisione_corrente(accordo))))
    primo = sindaci[0][0]
    with django_capture_on_commit_callbacks(execute=True):
        firma_carica(firmatario=_firmatario(richiesta, primo), utente=primo, nome_file="x.pdf",
                     dati=_firmato(pki_attiva, primo, leggi(revisione_corrente(accordo))))
    assert [f.utente for f in firmatari_di_turno(richiesta)] == [secondo]
    assert mail.outbox[-1].to == [secondo.email]


def test_firma_su_versione_superata(accordo, mondo, sindaci, pki_attiva):
    richiesta = _richiesta(accordo, mondo, sindaci)
    originale = leggi(revisione_corrente(accordo))
    (a, _), (b, _) = sindaci[:2]
    file_a, file_b = _firmato(pki_attiva, a, originale), _firmato(pki_attiva, b, originale)
    firma_carica(firmatario=_firmatario(richiesta, a), utente=a, nome_file="a.pdf", dati=file_a)
    _atteso_rifiuto(richiesta, b, file_b, "non è conforme all'originale")


def test_firma_nel_browser_con_certificato_dimostrativo(accordo, mondo, sindaci, pki_attiva, settings):
    richiesta = _richiesta(accordo, mondo, sindaci)
    utente = sindaci[0][0]
    with pytest.raises(FirmaRifiutata, match="non è disponibile"):
        firma_demo(firmatario=_firmatario(richiesta, utente), utente=utente)
    pki_attiva.p12_demo(utente)
    firmatario = firma_demo(firmatario=_firmatario(richiesta, utente), utente=utente)
    assert firmatario.metodo == "demo" and firmatario.stato == "firmato"
    settings.PIANOZONA_FIRMA_DEMO = False
    altro = sindaci[1][0]
    pki_attiva.p12_demo(altro)
    with pytest.raises(FirmaRifiutata, match="non è disponibile"):
        firma_demo(firmatario=_firmatario(richiesta, altro), utente=altro)


def test_promemoria_e_scadenza(accordo, mondo, sindaci, pki_attiva, django_capture_on_commit_callbacks):
    richiesta = _richiesta(accordo, mondo, sindaci)
    utente = sindaci[0][0]
    firma_carica(firmatario=_firmatario(richiesta, utente), utente=utente, nome_file="a.pdf",
                 dati=_firmato(pki_attiva, utente, leggi(revisione_corrente(accordo))))
    mail.outbox.clear()
    assert promemoria_firme() == {"scadute": 0, "promemoria": 1}
    assert {m.to[0] for m in mail.outbox} == {u.email for u, _ in sindaci[1:]}
    assert "Promemoria" in mail.outbox[0].subject
    assert promemoria_firme() == {"scadute": 0, "promemoria": 0}  # once a day
    assert promemoria_firme(oggi=DOMANI + datetime.timedelta(days=1)) == {"scadute": 1, "promemoria": 0}
    richiesta.refresh_from_db()
    assert richiesta.stato == "scaduta"
    with pytest.raises(FirmaRifiutata):
        firma_carica(firmatario=_firmatario(richiesta, sindaci[1][0]), utente=sindaci[1][0], nome_file="b.pdf",
                     dati=b"%PDF-")


def test_comando_verifica_firme(accordo, mondo, sindaci, pki_attiva, tmp_path):
    richiesta = _richiesta(accordo, mondo, sindaci)
    utente = sindaci[0][0]
    firma_carica(firmatario=_firmatario(richiesta, utente), utente=utente, nome_file="a.pdf",
                 dati=_firmato(pki_attiva, utente, leggi(revisione_corrente(accordo))))
    firmato = tmp_path / "accordo.pdf"
    firmato.write_bytes(leggi(revisione_corrente(accordo)))
    radici = pki_attiva.cartella / "fiducia"

    def esegui(percorso):
        return subprocess.run([sys.executable, "manage.py", "verifica_firme", str(percorso), "--trust", str(radici)],
                              cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True, timeout=120)

    esito = esegui(firmato)
    assert esito.returncode == 0, esito.stderr
    rapporto = json.loads(esito.stdout)
    assert rapporto["ok"] is True and len(rapporto["firme"]) == 2
    for chiave in ("signer", "codice_fiscale", "signing_time", "intact", "valid", "trusted", "modification_level"):
        assert chiave in rapporto["firme"][1]
    assert rapporto["firme"][1]["codice_fiscale"] == utente.codice_fiscale
    manomesso = bytearray(firmato.read_bytes())
    manomesso[len(manomesso) // 3] ^= 0x01
    (tmp_path / "manomesso.pdf").write_bytes(bytes(manomesso))
    esito = esegui(tmp_path / "manomesso.pdf")
    assert esito.returncode == 1 and json.loads(esito.stdout)["ok"] is False
