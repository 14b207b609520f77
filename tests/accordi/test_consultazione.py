"""The unions' parere and the ASL's intesa: sending the frozen draft, pareri once and before the
deadline, silence at the deadline, answers to observations, closing, the intesa, the guards."""

import datetime
from dataclasses import dataclass

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accordi import services_consultazione as sc
from accordi.exceptions import (
    DatiNonValidi,
    GuardieNonSoddisfatte,
    PermessoNegato,
    TransizioneNonAmmessa,
)
from accordi.guardie import BOZZA_CONGELATA, INTESA_POSITIVA, PARERI_O_SCADENZA, SINDACATI_INDICATI
from accordi.models import (
    Consultazione,
    Intesa,
    OsservazioneParere,
    Parere,
    PianoDiZona,
    Stato,
    TransizionePiano,
    VersionePiano,
)
from accordi.services import esegui_transizione
from ambiti.models import Ambito, Ente, Incarico, Utente

from ..factories import (
    AmbitoFactory,
    crea_piano,
    crea_sezione,
    referente_di,
    sindacato_di,
    utente_con_ruolo,
)

R = Incarico.Ruolo
E = Parere.Esito


@dataclass
class Scena:
    ambito: Ambito
    piano: PianoDiZona
    udp: Utente
    asl: Utente
    provinciale: Ente
    pensionati: Ente
    ref_provinciale: Utente
    ref_pensionati: Utente

    def invia(self, **kwargs) -> Consultazione:
        valori = {"piano": self.piano, "utente": self.udp, "sindacati": [self.provinciale, self.pensionati],
                  "scadenza": timezone.now() + datetime.timedelta(days=20), "nota": "Bozza per il parere"}
        valori.update(kwargs)
        return sc.invia_ai_sindacati(**valori)

    def ricarica(self) -> PianoDiZona:
        self.piano = PianoDiZona.objects.get(pk=self.piano.pk)
        return self.piano


def crea_scena() -> Scena:
    """An ambito with its Ufficio di Piano and ASL, a plan in draft with two sections, a
    provincial and a pensioners' union operating there, each with its referent."""
    ambito = AmbitoFactory(nome="Ambito di Pavia")
    piano = crea_piano(ambito, stato=Stato.BOZZA, titolo="Piano di Zona di Pavia")
    crea_sezione(piano, "contesto", "Contesto")
    crea_sezione(piano, "anziani", "Anziani", ordine=2)
    provinciale = sindacato_di(ambito, Ente.Livello.PROVINCIALE, denominazione="CGIL Pavia")
    pensionati = sindacato_di(ambito, Ente.Livello.PENSIONATI, denominazione="SPI CGIL Pavia")
    return Scena(
        ambito=ambito, piano=piano,
        udp=utente_con_ruolo(R.RESPONSABILE_UDP, ambito, username="udp"),
        asl=utente_con_ruolo(R.REFERENTE_ASL, ambito, username="asl"),
        provinciale=provinciale, pensionati=pensionati,
        ref_provinciale=referente_di(provinciale, ambito, username="ref-cgil"),
        ref_pensionati=referente_di(pensionati, ambito, username="ref-spi"),
    )


@pytest.fixture
def scena(db, pki_attiva) -> Scena:
    return crea_scena()


def _scaduta(consultazione):
    Consultazione.objects.filter(pk=consultazione.pk).update(scadenza=timezone.now() - datetime.timedelta(hours=1))
    consultazione.refresh_from_db()


def _pdf(nome="parere.pdf", contenuto=b"%PDF-1.7\n%%EOF\n", tipo="application/pdf"):
    return SimpleUploadedFile(nome, contenuto, content_type=tipo)


# --- sending ---------------------------------------------------------------------------------------

def test_invio_congela_la_versione_crea_i_pareri_e_porta_il_piano_al_parere(scena,
                                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        consultazione = scena.invia()
    assert scena.ricarica().stato == Stato.PARERE_SINDACATI
    assert consultazione.versione.motivo == VersionePiano.Motivo.SINDACATI
    assert consultazione.versione.piano_id == scena.piano.pk
    assert {(p.sindacato_id, p.esito) for p in consultazione.pareri.all()} == {
        (scena.provinciale.pk, E.ATTESO), (scena.pensionati.pk, E.ATTESO)}
    voce = TransizionePiano.objects.get(piano=scena.piano, nome="invia_ai_sindacati")
    assert voce.utente == scena.udp and voce.nota == "Bozza per il parere"
    lettere = [m for m in mail.outbox if m.subject.startswith("Parere richiesto")]
    assert sorted(m.to[0] for m in lettere) == ["ref-cgil@example.it", "ref-spi@example.it"]
    corpo = lettere[0].body
    assert "/pareri/" in corpo
    assert timezone.localtime(consultazione.scadenza).strftime("%d/%m/%Y") in corpo


def test_le_email_partono_solo_dopo_il_commit(scena, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as richiami:
        scena.invia()
    assert not [m for m in mail.outbox if m.subject.startswith("Parere richiesto")]
    assert richiami


@pytest.mark.parametrize("modifica, messaggio", [
    ({"sindacati": []}, "almeno un'organizzazione sindacale"),
    ({"scadenza": timezone.now() - datetime.timedelta(days=1)}, "nel futuro"),
])
def test_invio_rifiutato_non_lascia_nulla(scena, modifica, messaggio):
    with pytest.raises(DatiNonValidi) as errore:
        scena.invia(**modifica)
    assert messaggio in str(errore.value)
    assert scena.ricarica().stato == Stato.BOZZA
    assert not Consultazione.objects.exists() and not VersionePiano.objects.exists()


def test_invio_solo_dall_ufficio_di_piano(scena):
    with pytest.raises(PermessoNegato):
        scena.invia(utente=scena.asl)
    with pytest.raises(PermessoNegato):
        scena.invia(utente=scena.ref_provinciale)
    assert not Consultazione.objects.exists() and scena.ricarica().stato == Stato.BOZZA


def test_invio_rifiuta_un_sindacato_di_altri_ambiti(scena):
    estraneo = sindacato_di(AmbitoFactory(asl=scena.ambito.asl), denominazione="UIL Lontana")
    with pytest.raises(DatiNonValidi) as errore:
        scena.invia(sindacati=[scena.provinciale, estraneo])
    assert "UIL Lontana" in str(errore.value)
    assert not Parere.objects.exists()


def test_invio_solo_dalla_bozza(scena):
    PianoDiZona.objects.filter(pk=scena.piano.pk).update(stato=Stato.ISTRUTTORIA)
    scena.ricarica()
    with pytest.raises(TransizioneNonAmmessa):
        scena.invia()
    assert not Consultazione.objects.exists()


def test_se_la_transizione_e_rifiutata_non_resta_nulla(scena, monkeypatch):
    from accordi import guardie

    monkeypatch.setitem(guardie._REGISTRO, "sindacati_indicati", lambda piano: ["Manca qualcosa."])
    with pytest.raises(GuardieNonSoddisfatte):
        scena.invia()
    assert not Consultazione.objects.exists() and not Parere.objects.exists()
    assert not VersionePiano.objects.exists()
    assert scena.ricarica().stato == Stato.BOZZA


def test_livelli_mancanti_avvisano_senza_bloccare(scena):
    assert sc.livelli_mancanti([scena.provinciale, scena.pensionati]) == []
    avvisi = sc.livelli_mancanti([scena.provinciale])
    assert len(avvisi) == 1 and "pensionati" in avvisi[0]
    scena.invia(sindacati=[scena.provinciale])
    assert scena.ricarica().stato == Stato.PARERE_SINDACATI


# --- guards ----------------------------------------------------------------------------------------

def test_guardie_dell_invio_senza_versione_e_senza_sindacati(scena):
    assert "congelata" in BOZZA_CONGELATA(scena.piano)[0]
    assert "organizzazioni sindacali" in SINDACATI_INDICATI(scena.piano)[0]


def test_guardia_bozza_congelata_vede_la_bozza_cambiata(scena):
    scena.invia()
    assert BOZZA_CONGELATA(scena.piano) == [] and SINDACATI_INDICATI(scena.piano) == []
    scena.piano.sezioni.filter(codice="contesto").update(testo="<p>Testo cambiato.</p>")
    assert "cambiata dopo la versione" in BOZZA_CONGELATA(scena.piano)[0]


def test_guardia_pareri_o_scadenza_elenca_i_sindacati_attesi(scena):
    consultazione = scena.invia()
    sc.parere_esprimi(parere=consultazione.pareri.get(sindacato=scena.provinciale), utente=scena.ref_provinciale,
                      esito=E.FAVOREVOLE, testo="", osservazioni=[])
    mancanze = PARERI_O_SCADENZA(scena.ricarica())
    assert len(mancanze) == 1
    assert "SPI CGIL Pavia" in mancanze[0] and "CGIL Pavia," not in mancanze[0]
    assert timezone.localtime(consultazione.scadenza).strftime("%d/%m/%Y") in mancanze[0]


def test_guardia_pareri_o_scadenza_vale_alla_scadenza_anche_prima_del_beat(scena):
    consultazione = scena.invia()
    _scaduta(consultazione)
    assert PARERI_O_SCADENZA(scena.ricarica()) == []
    assert consultazione.pareri.filter(esito=E.ATTESO).count() == 2


# --- parere ----------------------------------------------------------------------------------------

def test_parere_con_osservazioni_per_sezione_e_avviso_all_ufficio(scena, django_capture_on_commit_callbacks):
    consultazione = scena.invia()
    parere = consultazione.pareri.get(sindacato=scena.pensionati)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sc.parere_esprimi(parere=parere, utente=scena.ref_pensionati, esito=E.CON_OSSERVAZIONI, testo="",
                          osservazioni=[("anziani", "Più assistenza domiciliare"), "Tempi più brevi", "  "],
                          allegato=_pdf())
    parere.refresh_from_db()
    assert parere.esito == E.CON_OSSERVAZIONI and parere.espresso_da == scena.ref_pensionati
    assert parere.allegato.name.endswith(".pdf")
    assert [(o.sezione, o.testo) for o in parere.osservazioni.all()] == [
        ("anziani", "Più assistenza domiciliare"), ("", "Tempi più brevi")]
    assert [m.to for m in mail.outbox] == [["udp@example.it"]]
    assert "SPI CGIL Pavia" in mail.outbox[0].subject


def test_parere_una_volta_sola(scena):
    parere = scena.invia().pareri.get(sindacato=scena.provinciale)
    sc.parere_esprimi(parere=parere, utente=scena.ref_provinciale, esito=E.FAVOREVOLE)
    with pytest.raises(TransizioneNonAmmessa) as errore:
        sc.parere_esprimi(parere=parere, utente=scena.ref_provinciale, esito=E.CONTRARIO, testo="Ci ripensiamo")
    assert "già registrato" in str(errore.value)
    parere.refresh_from_db()
    assert parere.esito == E.FAVOREVOLE


def test_parere_solo_dal_proprio_sindacato(scena):
    parere = scena.invia().pareri.get(sindacato=scena.provinciale)
    for estraneo in (scena.ref_pensionati, scena.udp):
        with pytest.raises(PermessoNegato):
            sc.parere_esprimi(parere=parere, utente=estraneo, esito=E.FAVOREVOLE)
    Incarico.objects.filter(utente=scena.ref_provinciale).update(attivo=False)
    with pytest.raises(PermessoNegato):
        sc.parere_esprimi(parere=parere, utente=scena.ref_provinciale, esito=E.FAVOREVOLE)
    parere.refresh_from_db()
    assert parere.esito == E.ATTESO


def test_parere_non_oltre_il_termine(scena):
    consultazione = scena.invia()
    _scaduta(consultazione)
    with pytest.raises(TransizioneNonAmmessa) as errore:
        sc.parere_esprimi(parere=consultazione.pareri.get(sindacato=scena.provinciale),
                          utente=scena.ref_provinciale, esito=E.FAVOREVOLE)
    assert "scaduto" in str(errore.value)


@pytest.mark.parametrize("valori, messaggio", [
    ({"esito": E.CONTRARIO}, "almeno un'osservazione"),
    ({"esito": E.SILENZIO}, "Scegli l'esito"),
    ({"esito": E.CON_OSSERVAZIONI, "osservazioni": [("inesistente", "Nota")]}, "non esiste"),
    ({"esito": E.FAVOREVOLE, "allegato": _pdf("parere.docx", b"PK..", "application/msword")}, ".p7m"),
    ({"esito": E.FAVOREVOLE, "allegato": _pdf(contenuto=b"non un pdf")}, "non è un PDF valido"),
    ({"esito": E.FAVOREVOLE, "allegato": _pdf(contenuto=b"%PDF-" + b"0" * (10 * 1024 * 1024))}, "10 MB"),
])
def test_parere_non_valido_non_salva_nulla(scena, valori, messaggio):
    parere = scena.invia().pareri.get(sindacato=scena.provinciale)
    with pytest.raises(DatiNonValidi) as errore:
        sc.parere_esprimi(parere=parere, utente=scena.ref_provinciale, **valori)
    assert messaggio in str(errore.value)
    parere.refresh_from_db()
    assert parere.esito == E.ATTESO and not parere.osservazioni.exists()


# --- silence ---------------------------------------------------------------------------------------

def test_silenzio_alla_scadenza_idempotente(scena):
    consultazione = scena.invia()
    sc.parere_esprimi(parere=consultazione.pareri.get(sindacato=scena.provinciale), utente=scena.ref_provinciale,
                      esito=E.FAVOREVOLE)
    assert sc.pareri_scaduti() == 0
    _scaduta(consultazione)
    assert sc.pareri_scaduti() == 1
    assert sc.pareri_scaduti() == 0
    silente = consultazione.pareri.get(sindacato=scena.pensionati)
    assert silente.esito == E.SILENZIO and silente.espresso_da is None
    assert silente.espresso_il == consultazione.scadenza
    assert consultazione.pareri.get(sindacato=scena.provinciale).esito == E.FAVOREVOLE


def test_il_task_del_beat_segna_i_silenzi(scena):
    from accordi.tasks_consultazione import segna_silenzi

    consultazione = scena.invia()
    _scaduta(consultazione)
    assert segna_silenzi.delay().get() == 2


def test_il_beat_esegue_segna_silenzi_ogni_quarto_d_ora(settings):
    voce = next(v for v in settings.CELERY_BEAT_SCHEDULE.values()
                if v["task"] == "accordi.tasks_consultazione.segna_silenzi")
    assert voce["schedule"].minute == {0, 15, 30, 45}


# --- answers, closing, reopening -----------------------------------------------------------------

def _con_osservazioni(scena) -> Consultazione:
    consultazione = scena.invia()
    sc.parere_esprimi(parere=consultazione.pareri.get(sindacato=scena.pensionati), utente=scena.ref_pensionati,
                      esito=E.CON_OSSERVAZIONI, osservazioni=[("anziani", "Più assistenza domiciliare")])
    return consultazione


def test_risposta_alle_osservazioni(scena):
    _con_osservazioni(scena)
    osservazione = OsservazioneParere.objects.get()
    with pytest.raises(DatiNonValidi) as errore:
        sc.osservazione_rispondi(osservazione=osservazione, utente=scena.udp, risposta="non_accolta", motivazione="")
    assert "Motiva" in str(errore.value)
    with pytest.raises(PermessoNegato):
        sc.osservazione_rispondi(osservazione=osservazione, utente=scena.ref_pensionati, risposta="accolta")
    sc.osservazione_rispondi(osservazione=osservazione, utente=scena.udp, risposta="parzialmente",
                             motivazione="Nei limiti del fondo")
    sc.osservazione_rispondi(osservazione=osservazione, utente=scena.udp, risposta="accolta")
    osservazione.refresh_from_db()
    assert osservazione.risposta == "accolta" and osservazione.risposto_da == scena.udp


def test_chiudi_consultazione_prima_del_termine_elenca_chi_manca(scena):
    _con_osservazioni(scena)
    with pytest.raises(GuardieNonSoddisfatte) as errore:
        sc.chiudi_consultazione(piano=scena.piano, utente=scena.udp, stato_atteso=Stato.PARERE_SINDACATI)
    assert "CGIL Pavia" in str(errore.value)
    assert scena.ricarica().stato == Stato.PARERE_SINDACATI
    assert Consultazione.objects.get().chiusa_il is None


def test_chiudi_consultazione_alla_scadenza_registra_i_silenzi(scena):
    consultazione = _con_osservazioni(scena)
    _scaduta(consultazione)
    sc.chiudi_consultazione(piano=scena.piano, utente=scena.udp, stato_atteso=Stato.PARERE_SINDACATI)
    consultazione.refresh_from_db()
    assert scena.ricarica().stato == Stato.APPROVAZIONE
    assert consultazione.chiusa_il is not None
    assert consultazione.pareri.get(sindacato=scena.provinciale).esito == E.SILENZIO
    with pytest.raises(TransizioneNonAmmessa):
        sc.osservazione_rispondi(osservazione=OsservazioneParere.objects.get(), utente=scena.udp,
                                 risposta="accolta")


def test_chiudi_consultazione_dal_pulsante_generico_chiude_anch_essa(scena):
    consultazione = scena.invia()
    for parere, ref in ((scena.provinciale, scena.ref_provinciale), (scena.pensionati, scena.ref_pensionati)):
        sc.parere_esprimi(parere=consultazione.pareri.get(sindacato=parere), utente=ref, esito=E.FAVOREVOLE)
    esegui_transizione(piano=scena.piano, nome="chiudi_consultazione", utente=scena.udp)
    consultazione.refresh_from_db()
    assert consultazione.chiusa_il is not None


def test_rinvio_alla_stesura_chiude_la_consultazione(scena):
    consultazione = _con_osservazioni(scena)
    nota = sc.nota_di_rinvio(sc.consultazione_con_pareri(consultazione.pk))
    assert "SPI CGIL Pavia [Anziani]: Più assistenza domiciliare" in nota  # the title, not the code
    sc.rinvia_alla_stesura(piano=scena.piano, utente=scena.udp, nota=nota, stato_atteso=Stato.PARERE_SINDACATI)
    consultazione.refresh_from_db()
    assert scena.ricarica().stato == Stato.BOZZA and consultazione.chiusa_il is not None
    assert TransizionePiano.objects.filter(nome="rinvia_alla_stesura", nota=nota).exists()
    with pytest.raises(TransizioneNonAmmessa):
        sc.parere_esprimi(parere=consultazione.pareri.get(sindacato=scena.provinciale),
                          utente=scena.ref_provinciale, esito=E.FAVOREVOLE)
    # a new consultation can start on a new version
    scena.piano.sezioni.filter(codice="contesto").update(testo="<p>Accolte le osservazioni.</p>")
    nuova = scena.invia()
    assert nuova.versione.numero == consultazione.versione.numero + 1
    assert scena.ricarica().stato == Stato.PARERE_SINDACATI


# --- intesa ----------------------------------------------------------------------------------------

def _in_intesa(scena):
    scena.invia()
    PianoDiZona.objects.filter(pk=scena.piano.pk).update(stato=Stato.INTESA_ASL)
    return scena.ricarica()


def test_intesa_positiva_porta_all_accordo(scena):
    piano = _in_intesa(scena)
    assert "non ha ancora espresso l'intesa" in INTESA_POSITIVA(piano)[0]
    intesa = sc.intesa_registra(piano=piano, utente=scena.asl, esito=Intesa.Esito.POSITIVA,
                                allegato=_pdf("intesa.pdf"), stato_atteso=Stato.INTESA_ASL)
    assert scena.ricarica().stato == Stato.ACCORDO
    assert intesa.versione == VersionePiano.objects.get()
    assert TransizionePiano.objects.filter(nome="registra_intesa", utente=scena.asl).exists()


def test_intesa_negativa_torna_alla_bozza_con_le_ragioni(scena):
    piano = _in_intesa(scena)
    with pytest.raises(DatiNonValidi) as errore:
        sc.intesa_registra(piano=piano, utente=scena.asl, esito=Intesa.Esito.NEGATIVA, motivazione=" ")
    assert "motivata" in str(errore.value)
    assert not Intesa.objects.exists()
    sc.intesa_registra(piano=piano, utente=scena.asl, esito=Intesa.Esito.NEGATIVA,
                       motivazione="Manca l'integrazione sociosanitaria")
    assert scena.ricarica().stato == Stato.BOZZA
    voce = TransizionePiano.objects.get(nome="rinvia_alla_stesura")
    assert "Manca l'integrazione sociosanitaria" in voce.nota and voce.utente == scena.asl
    assert "negativa" in INTESA_POSITIVA(scena.piano)[0]


def test_intesa_rifiutata_se_la_bozza_e_cambiata_dopo_l_ultima_versione(scena):
    piano = _in_intesa(scena)
    piano.sezioni.filter(codice="contesto").update(testo="<p>Ritocco finale.</p>")
    with pytest.raises(DatiNonValidi) as errore:
        sc.intesa_registra(piano=piano, utente=scena.asl, esito=Intesa.Esito.POSITIVA)
    assert "nuova versione" in str(errore.value)
    assert not Intesa.objects.exists() and scena.ricarica().stato == Stato.INTESA_ASL


def test_intesa_solo_dall_asl_del_piano_e_nello_stato_giusto(scena):
    altro = AmbitoFactory(asl=scena.ambito.asl)
    asl_altra = utente_con_ruolo(R.REFERENTE_ASL, altro, username="asl-altra")
    piano = _in_intesa(scena)
    for estraneo in (asl_altra, scena.udp):
        with pytest.raises(PermessoNegato):
            sc.intesa_registra(piano=piano, utente=estraneo, esito=Intesa.Esito.POSITIVA)
    PianoDiZona.objects.filter(pk=piano.pk).update(stato=Stato.APPROVAZIONE)
    with pytest.raises(TransizioneNonAmmessa):
        sc.intesa_registra(piano=scena.ricarica(), utente=scena.asl, esito=Intesa.Esito.POSITIVA)
    assert not Intesa.objects.exists()


# --- desk ------------------------------------------------------------------------------------------

def test_scrivania_per_ruolo(scena):
    _con_osservazioni(scena)
    assert [p.sindacato for p in sc.scrivania(scena.ref_provinciale)["pareri"]] == [scena.provinciale]
    assert sc.scrivania(scena.ref_pensionati)["pareri"] == []
    assert [c.n_osservazioni for c in sc.scrivania(scena.udp)["osservazioni"]] == [1]
    assert sc.scrivania(scena.asl)["intese"] == []
    PianoDiZona.objects.filter(pk=scena.piano.pk).update(stato=Stato.INTESA_ASL)
    assert sc.scrivania(scena.asl)["intese"] == [scena.piano]
