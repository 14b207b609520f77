"""The demo data load is idempotent, gives every role of ITER.md a user, and walks the Certosa
plan through the whole iter with the real services, up to its Accordo di Programma open for
signature."""

import pytest
from django.core.management import call_command

from accordi.firme import pki
from accordi.models import (
    AccordoDiProgramma,
    Documento,
    EventoFirma,
    Firmatario,
    ParteAccordo,
    PianoDiZona,
    RichiestaFirma,
    TransizionePiano,
    VoceOnere,
)
from accordi.selectors_accordo import mancanze, ripartizione
from accordi.selectors_adesioni import presenze_dell_ente
from accordi.selectors_portale import accordi_aperti_adesioni
from accordi.services_adesioni import richiesta_crea
from accordi.services_firme import percorso_certificato_demo
from ambiti.models import Ente, Incarico, Utente
from risorse.models import ImportazioneRisorse, SpesaSocialeComune, VoceRisorsa
from tavoli.models import (
    Bisogno,
    Deliberazione,
    EventoAssemblea,
    EventoTavolo,
    SedutaTavolo,
    Tavolo,
    VerbaleTavolo,
)

ITER_FINO_ALLA_FIRMA = [
    ("crea", "", "avvio"),
    ("approva_atto_indirizzo", "avvio", "indirizzo"),
    ("avvia_istruttoria", "indirizzo", "istruttoria"),
    ("avvia_stesura", "istruttoria", "bozza"),
    ("invia_ai_sindacati", "bozza", "parere_sindacati"),
    ("chiudi_consultazione", "parere_sindacati", "approvazione"),
    ("licenzia", "approvazione", "intesa_asl"),
    ("registra_intesa", "intesa_asl", "accordo"),
    ("apri_sottoscrizione", "accordo", "sottoscrizione"),
]


@pytest.fixture
def pki_demo(pki_attiva, settings, tmp_path):
    """The test PKI laid out as ``crea_pki_sviluppo`` leaves it (``make demo`` runs it first):
    the demo issues its people's in-browser signing certificates from this CA."""
    cartella = tmp_path / "pki"
    cartella.mkdir()
    pki.salva_pkcs12(pki_attiva.ca_key, pki_attiva.ca_cert, None, cartella / "ca.p12",
                     settings.PIANOZONA_SIGILLO_PASSPHRASE)
    settings.PIANOZONA_PKI_DIR = cartella
    return pki_attiva


def _conteggi():
    modelli = (Utente, Incarico, Ente, PianoDiZona, TransizionePiano, Tavolo, EventoTavolo, EventoAssemblea,
               Deliberazione, Documento, RichiestaFirma, Firmatario, EventoFirma, AccordoDiProgramma, ParteAccordo,
               VoceOnere, VoceRisorsa, SpesaSocialeComune, ImportazioneRisorse)
    return {m.__name__: m.objects.count() for m in modelli}


@pytest.mark.django_db
def test_demo_idempotente_con_tutti_i_ruoli_e_l_accordo_di_certosa_alla_firma(
        capsys, pki_demo, django_capture_on_commit_callbacks):
    """One load (the walk signs sixteen times: one load for every check), then a second one that
    changes nothing. ``make demo`` creates the development PKI first: every act of the demo
    becomes a sealed PDF."""
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo")
    conteggi = _conteggi()
    call_command("demo")
    assert _conteggi() == conteggi
    assert set(Documento.objects.values_list("stato", flat=True)) == {Documento.Stato.PRONTO}
    assert not Documento.objects.filter(sigillato=False).exists()

    _ruoli_e_accessi(capsys.readouterr().out)
    _tavoli_di_pavia()
    _certosa_alla_firma_dell_accordo()
    _risorse_dei_due_ambiti()


def _ruoli_e_accessi(uscita):
    assert set(Incarico.objects.values_list("ruolo", flat=True)) == set(Incarico.Ruolo.values)
    assert set(PianoDiZona.objects.values_list("ambiti__codice", "stato")) == {
        ("PV-PAVIA", "avvio"), ("PV-CERTOSA", "sottoscrizione")}
    assert "PianoZona-demo-2026" in uscita and "udp.pavia" in uscita
    # The Certosa people who act next are listed; of the sixteen mayors, only two.
    for username in ("udp.certosa", "presidente.certosa", "asl.certosa", "sindaco.certosa-di-pavia"):
        assert f"  {username} " in uscita
    assert "sindaco.vistarino" not in uscita
    assert Utente.objects.filter(username__startswith="sindaco.").count() == 3 + 16
    for username in ("udp.pavia", "sindaco.vistarino"):
        assert Utente.objects.get(username=username).check_password("PianoZona-demo-2026")


def _risorse_dei_due_ambiti():
    """The demo plans have their quadro delle risorse for every year of the cycle, and every
    Comune of both ambiti its social spending, written by their Ufficio di Piano."""
    for codice, username in (("PV-PAVIA", "udp.pavia"), ("PV-CERTOSA", "udp.certosa")):
        piano = PianoDiZona.objects.get(ambiti__codice=codice)
        voci = VoceRisorsa.objects.filter(piano=piano)
        assert set(voci.values_list("anno", flat=True)) == {2012, 2013, 2014}
        assert set(voci.values_list("aggiornata_da__username", flat=True)) == {username}
        spese = SpesaSocialeComune.objects.filter(ambito__codice=codice)
        assert spese.values("comune").distinct().count() == piano.ambiti.get().comuni.count()


def _tavoli_di_pavia():
    """One focus-group met and approved its minutes; a session is convened."""
    pavia = PianoDiZona.objects.get(ambiti__codice="PV-PAVIA")
    assert sorted(Tavolo.objects.filter(piano=pavia).values_list("area__codice", flat=True)) == [
        "anziani", "minori-famiglia"]
    verbale = VerbaleTavolo.objects.get(seduta__tavolo__piano=pavia)
    assert verbale.stato == VerbaleTavolo.Stato.APPROVATO and verbale.documento.stato == "pronto"
    assert verbale.seduta.focus_group.nome == "Domiciliarità"
    assert Bisogno.objects.filter(seduta=verbale.seduta).count() == 2
    assert SedutaTavolo.objects.filter(stato=SedutaTavolo.Stato.CONVOCATA).count() == 1


def _certosa_alla_firma_dell_accordo():
    piano = PianoDiZona.objects.get(ambiti__codice="PV-CERTOSA")
    assert piano.stato == "sottoscrizione"

    # Every step went through the state machine and left its log entry, made by a person.
    log = list(piano.transizioni.order_by("quando", "pk"))
    assert [(t.nome, t.da_stato, t.a_stato) for t in log] == ITER_FINO_ALLA_FIRMA
    assert all(t.utente is not None and t.ruolo for t in log)
    assert {t.nome: t.utente.username for t in log}["licenzia"] == "presidente.certosa"
    assert {t.nome: t.utente.username for t in log}["registra_intesa"] == "asl.certosa"

    # The Assemblea passed the atto di indirizzo, the final text and the capofila's designation.
    assert sorted(Deliberazione.objects.filter(piano=piano).values_list("tipo", flat=True)) == [
        "approvazione_piano", "atto_indirizzo", "designazione_capofila"]
    # Every mayor signed the final text the Assemblea approved, with the demo certificate.
    definitivo = Deliberazione.objects.get(piano=piano, tipo="approvazione_piano").documento_piano
    firme = Firmatario.objects.filter(richiesta__documento=definitivo)
    assert firme.count() == 16 and set(firme.values_list("stato", "metodo")) == {("firmato", "demo")}

    # The Accordo is complete: capofila, parties with impegni and signers, two cost items.
    accordo = AccordoDiProgramma.objects.select_related("ente_capofila").get(piano=piano)
    assert mancanze(accordo) == []
    assert accordo.ente_capofila.denominazione == "Comune di Certosa di Pavia"
    parti = list(accordo.parti.select_related("firmatario"))
    assert len(parti) == 17 and all(p.impegni and p.firmatario and p.firma_obbligatoria for p in parti)
    voci = {v.denominazione: v for v in accordo.voci_onere.all()}
    assert set(voci) == {"Ufficio di Piano", "Servizio tutela minori"}
    udp, minori = voci["Ufficio di Piano"], voci["Servizio tutela minori"]
    assert (udp.criterio, udp.quota_popolazione, udp.quota_utenti, udp.quota_parti_uguali) == (
        "per_abitante", 10000, 0, 0)
    assert (minori.criterio, minori.quota_popolazione, minori.quota_utenti, minori.quota_parti_uguali) == (
        "misto", 5000, 4000, 1000)
    tabella = ripartizione(accordo)
    assert tabella.anni == [2012, 2013, 2014] and len(tabella.comuni) == 16
    righe = {r.voce.denominazione: r for r in tabella.voci}
    assert righe["Ufficio di Piano"].totali == {2012: 4_500_000, 2013: 6_000_000, 2014: 6_000_000}
    assert righe["Servizio tutela minori"].totali == {2012: 18_000_000, 2013: 24_000_000, 2014: 24_500_000}
    for riga in righe.values():
        assert riga.errore is None
        for anno, totale in riga.totali.items():
            assert sum(quote[anno] for quote in riga.quote.values()) == totale

    # Its sealed act waits for the signatures of every mayor and of the ASL, in the browser.
    documento = accordo.documento
    assert documento.stato == Documento.Stato.PRONTO and documento.sigillato
    richiesta = RichiestaFirma.objects.get(documento=documento)
    assert richiesta.stato == RichiestaFirma.Stato.APERTA
    firmatari = list(richiesta.firmatari.select_related("utente", "ente"))
    assert {f.ente_id for f in firmatari} == {p.ente_id for p in parti}
    assert all(f.obbligatorio and f.stato == "in_attesa" for f in firmatari)
    sindaco = Utente.objects.get(username="sindaco.certosa-di-pavia")
    assert sindaco in [f.utente for f in firmatari] and percorso_certificato_demo(sindaco) is not None

    # The cooperative that sat at the tavolo Anziani may ask to adhere, and its attendance shows.
    assert accordi_aperti_adesioni().filter(pk=accordo.pk).exists()
    coop = Ente.objects.get(denominazione="Cooperativa sociale Il Ponte")
    adesione = richiesta_crea(accordo=accordo, ente=coop, utente=Utente.objects.get(username="terzosettore"))
    assert [p["tavolo"].area.codice for p in presenze_dell_ente(adesione).values() if p["confermato"]] == ["anziani"]
