"""Pages of the adesioni: the body's area and request, the Ufficio di Piano's review. Who sees
what, the whole journey through the pages, input kept on errors, attachments, and queries that
stay constant as resources and requests grow."""

import datetime
import re
from dataclasses import dataclass, field

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from weasyprint import HTML

from accordi.firme.firma import firma_pdf
from accordi.models import (
    AccordoDiProgramma,
    AllegatoAdesione,
    Documento,
    Firmatario,
    PianoDiZona,
    RegistrazioneEnte,
    RichiestaAdesione,
    RisorsaAdesione,
    StatoAdesione,
)
from accordi.services_documenti import leggi, revisione_corrente
from ambiti.models import Ente, Incarico, Utente
from tavoli.models import AreaIntervento, PresenzaTavolo, SedutaTavolo, Tavolo

from ..factories import (
    AreaInterventoFactory,
    RichiestaAdesioneFactory,
    SedutaTavoloFactory,
    TavoloFactory,
    accordo_in_sottoscrizione,
    cf_persona,
    ente_terzo_settore,
)

R = Incarico.Ruolo
S = StatoAdesione


# --- the world -----------------------------------------------------------------------------------------

def ente_con_referente(denominazione: str, ambito=None) -> tuple[Ente, Utente]:
    """A Terzo Settore body registered through the portal, with its referent's account."""
    return ente_terzo_settore(ambito, denominazione=denominazione, forma_giuridica=Ente.FormaGiuridica.APS,
                              sezione_runts=Ente.SezioneRUNTS.B, numero_runts="12345",
                              legale_rappresentante="Mario Rossi", legale_rappresentante_cf=cf_persona(77))


def pdf(testo="Statuto dell'associazione") -> bytes:
    return HTML(string=f"<h1>{testo}</h1>").write_pdf()


@dataclass
class Scena:
    piano: PianoDiZona
    accordo: AccordoDiProgramma
    ente: Ente
    referente: Utente
    altro_ente: Ente
    altro_referente: Utente
    referente_con_incarico: Utente  # another body's referent holding a role in the same ambito
    udp: Utente
    udp_altro: Utente
    sindaco: Utente
    tavoli: list[Tavolo]
    aree: list[AreaIntervento]
    utenti: dict = field(default_factory=dict)

    def richiesta(self, stato=S.BOZZA, ente=None, n_risorse=1, dichiarazione="Partecipiamo da anni.",
                  allegato=False) -> RichiestaAdesione:
        ente = ente or self.ente
        richiesta = RichiestaAdesioneFactory(
            accordo=self.accordo, ente=ente, stato=stato, dichiarazione=dichiarazione,
            inviata_il=None if stato == S.BOZZA else timezone.now())
        richiesta.aree.add(self.aree[0])
        richiesta.tavoli.add(self.tavoli[0])
        for i in range(n_risorse):
            RisorsaAdesione.objects.create(richiesta=richiesta, tipo=RisorsaAdesione.Tipo.ORE_PERSONALE,
                                           descrizione=f"Educatore {i}", quantita=100, valore_centesimi=250000)
        if allegato:
            from django.core.files.base import ContentFile

            dati = pdf()
            AllegatoAdesione.objects.create(richiesta=richiesta, tipo=AllegatoAdesione.Tipo.STATUTO,
                                            file=ContentFile(dati, name="statuto.pdf"), nome_originale="statuto.pdf",
                                            sha256="0" * 64, dimensione=len(dati))
        return richiesta


@pytest.fixture
def scena(mondo) -> Scena:
    accordo = accordo_in_sottoscrizione(piano=mondo.piano)
    piano = accordo.piano
    ente, referente = ente_con_referente("Associazione Il Faro", mondo.ambito)
    altro_ente, altro_referente = ente_con_referente("Cooperativa La Rete", mondo.ambito)
    regione = mondo.ambito.asl.regione
    aree = [AreaInterventoFactory(regione=regione, nome=nome, codice=codice)
            for nome, codice in (("Anziani", "anziani"), ("Disabilità", "disabilita"))]
    tavoli = [TavoloFactory(piano=piano, area=area, nome=f"Tavolo {area.nome}") for area in aree]
    # attendance: the body came to 2 of the 3 held sessions of the first tavolo, and once to the second
    for tavolo, sedute, presenze in ((tavoli[0], 3, 2), (tavoli[1], 1, 1)):
        for n in range(sedute):
            seduta = SedutaTavoloFactory(tavolo=tavolo, stato=SedutaTavolo.Stato.SVOLTA,
                                         data=timezone.now() - datetime.timedelta(days=30 - n))
            if n < presenze:
                PresenzaTavolo.objects.create(seduta=seduta, nominativo="Chiara Referente", ente=ente)
    return Scena(
        piano=piano, accordo=accordo, ente=ente, referente=referente, altro_ente=altro_ente,
        altro_referente=altro_referente, referente_con_incarico=mondo[R.REFERENTE_TERZO_SETTORE],
        udp=mondo[R.RESPONSABILE_UDP], udp_altro=mondo.udp_altro, sindaco=mondo[R.SINDACO],
        tavoli=tavoli, aree=aree,
    )


def _testo(risposta) -> str:
    return risposta.content.decode()


def _messaggi(risposta) -> list[str]:
    return [str(m) for m in get_messages(risposta.wsgi_request)]


def _dati_modulo(richiesta, dichiarazione="Partecipiamo ai tavoli dal 2010.", aree=(), tavoli=(), righe=(),
                 versione=None) -> dict:
    """The edit form as the browser posts it: 3 empty resource rows besides ``righe``."""
    righe = list(righe) + [("", "", "", "")] * 3
    dati = {"dichiarazione": dichiarazione, "aree": [a.pk for a in aree], "tavoli": [t.pk for t in tavoli],
            "versione": str(versione or richiesta.versione),
            "risorse-TOTAL_FORMS": str(len(righe)), "risorse-INITIAL_FORMS": "0",
            "risorse-MIN_NUM_FORMS": "0", "risorse-MAX_NUM_FORMS": "1000"}
    for i, (tipo, descrizione, quantita, valore) in enumerate(righe):
        dati.update({f"risorse-{i}-tipo": tipo, f"risorse-{i}-descrizione": descrizione,
                     f"risorse-{i}-quantita": quantita, f"risorse-{i}-valore": valore})
    return dati


# --- who sees what -------------------------------------------------------------------------------------

PAGINE = ["area_ente", "adesione", "adesioni_accordo", "adesione_esame", "allegato"]
CHI = ["referente", "altro_referente", "referente_con_incarico", "udp", "udp_altro", "sindaco"]
# page -> who -> expected status (302 to another page of the request for the other side)
ATTESI = {
    "area_ente": {"referente": 200, "altro_referente": 200, "referente_con_incarico": 200, "udp": 404,
                  "udp_altro": 404, "sindaco": 404},
    "adesione": {"referente": 200, "altro_referente": 404, "referente_con_incarico": 404, "udp": 302,
                 "udp_altro": 404, "sindaco": 302},
    "adesioni_accordo": {"referente": 404, "altro_referente": 404, "referente_con_incarico": 404, "udp": 200,
                         "udp_altro": 404, "sindaco": 200},
    "adesione_esame": {"referente": 302, "altro_referente": 404, "referente_con_incarico": 404, "udp": 200,
                       "udp_altro": 404, "sindaco": 200},
    "allegato": {"referente": 200, "altro_referente": 404, "referente_con_incarico": 404, "udp": 200,
                 "udp_altro": 404, "sindaco": 200},
}


def _url(pagina, scena, richiesta) -> str:
    if pagina == "area_ente":
        return reverse("accordi:area_ente")
    if pagina == "adesioni_accordo":
        return reverse("accordi:adesioni_accordo", args=[scena.piano.pk])
    if pagina == "allegato":
        return reverse("accordi:adesione_allegato_scarica", args=[richiesta.allegati.get().pk])
    return reverse(f"accordi:{pagina}", args=[richiesta.pk])


@pytest.mark.parametrize("pagina", PAGINE)
@pytest.mark.parametrize("chi", CHI)
def test_chi_vede_le_pagine(client, scena: Scena, pagina, chi):
    richiesta = scena.richiesta(S.INVIATA, allegato=True)
    client.force_login(getattr(scena, chi))
    risposta = client.get(_url(pagina, scena, richiesta))
    assert risposta.status_code == ATTESI[pagina][chi]
    if risposta.status_code == 302:  # to the other side's page of the same request
        altra = "adesione" if pagina == "adesione_esame" else "adesione_esame"
        assert risposta.url == reverse(f"accordi:{altra}", args=[richiesta.pk])


@pytest.mark.parametrize("pagina", PAGINE)
def test_senza_accesso_si_va_al_login(client, scena: Scena, pagina):
    richiesta = scena.richiesta(S.INVIATA, allegato=True)
    risposta = client.get(_url(pagina, scena, richiesta))
    assert risposta.status_code == 302 and "/accedi/" in risposta.url


def test_l_area_mostra_solo_le_richieste_dei_propri_enti(client, scena: Scena):
    mia = scena.richiesta(S.INVIATA)
    altrui = scena.richiesta(S.INVIATA, ente=scena.altro_ente)
    client.force_login(scena.altro_referente)
    testo = _testo(client.get(reverse("accordi:area_ente")))
    assert reverse("accordi:adesione", args=[altrui.pk]) in testo
    assert reverse("accordi:adesione", args=[mia.pk]) not in testo and "Il Faro" not in testo


def test_il_sindaco_legge_senza_poter_agire(client, scena: Scena):
    richiesta = scena.richiesta(S.INVIATA)
    client.force_login(scena.sindaco)
    testo = _testo(client.get(reverse("accordi:adesione_esame", args=[richiesta.pk])))
    assert "Associazione Il Faro" in testo and "Prendi in carico" not in testo
    risposta = client.post(reverse("accordi:adesione_azione", args=[richiesta.pk, "prendi-in-carico"]),
                           {"stato_atteso": S.INVIATA})
    assert risposta.status_code == 403
    assert "sola lettura" in _testo(client.get(reverse("accordi:adesioni_accordo", args=[scena.piano.pk])))
    richiesta.refresh_from_db()
    assert richiesta.stato == S.INVIATA


def test_nessuno_fuori_dall_ente_vede_una_bozza(client, scena: Scena):
    richiesta = scena.richiesta(S.BOZZA)
    for chi in (scena.udp, scena.sindaco):
        client.force_login(chi)
        assert client.get(reverse("accordi:adesione_esame", args=[richiesta.pk])).status_code == 404
        assert client.get(reverse("accordi:adesione", args=[richiesta.pk])).status_code == 404
    testo = _testo(client.get(reverse("accordi:adesioni_accordo", args=[scena.piano.pk])))
    assert "Il Faro" not in testo


def test_azioni_vietate_a_chi_non_spettano(client, scena: Scena):
    richiesta = scena.richiesta(S.INVIATA)
    # the Ufficio di Piano cannot act for the body
    client.force_login(scena.udp)
    assert client.post(reverse("accordi:adesione_ritira", args=[richiesta.pk])).status_code == 403
    assert client.post(reverse("accordi:adesione", args=[richiesta.pk]), _dati_modulo(richiesta)).status_code == 403
    # the body cannot review its own request; another body does not even see it
    client.force_login(scena.referente)
    assert client.post(reverse("accordi:adesione_azione", args=[richiesta.pk, "prendi-in-carico"]),
                       {"stato_atteso": S.INVIATA}).status_code == 403
    client.force_login(scena.altro_referente)
    for nome in ("adesione_invia", "adesione_ritira", "adesione_allegato"):
        assert client.post(reverse(f"accordi:{nome}", args=[richiesta.pk])).status_code == 404
    client.force_login(scena.udp_altro)
    assert client.post(reverse("accordi:adesione_azione", args=[richiesta.pk, "prendi-in-carico"]),
                       {"stato_atteso": S.INVIATA}).status_code == 404
    richiesta.refresh_from_db()
    assert richiesta.stato == S.INVIATA


def test_l_esame_confronta_i_tavoli_con_le_presenze(client, scena: Scena):
    richiesta = scena.richiesta(S.INVIATA)  # declares the first tavolo only
    terzo = TavoloFactory(piano=scena.piano, area=AreaInterventoFactory(regione=scena.aree[0].regione),
                          nome="Tavolo Minori")
    richiesta.tavoli.add(terzo)
    client.force_login(scena.udp)
    testo = _testo(client.get(reverse("accordi:adesione_esame", args=[richiesta.pk])))
    dichiarati = testo.split('data-testid="verifica-presenze"', 1)[1].split('data-testid="tavoli-non-dichiarati"')[0]
    assert "Tavolo Anziani" in dichiarati and "presente a 2 sedute su 3" in dichiarati and "confermato" in dichiarati
    assert "Tavolo Minori" in dichiarati and "nessuna presenza registrata" in dichiarati
    assert "non confermato" in dichiarati  # said in words, not by colour only
    non_dichiarati = testo.split('data-testid="tavoli-non-dichiarati"', 1)[1].split("</ul>")[0]
    assert "Tavolo Disabilità: presente a 1 seduta su 1" in non_dichiarati


# --- the journey -----------------------------------------------------------------------------------------

def test_dalla_richiesta_all_accoglimento(client, scena: Scena, mailoutbox, pki_attiva,
                                           django_capture_on_commit_callbacks):
    client.force_login(scena.referente)
    area = _testo(client.get(reverse("accordi:area_ente")))
    assert "Chiedi l'adesione" in area and scena.piano.titolo in area
    risposta = client.post(reverse("accordi:adesione_nuova", args=[scena.accordo.pk]), {"ente": scena.ente.pk})
    richiesta = RichiestaAdesione.objects.get(ente=scena.ente)
    url = reverse("accordi:adesione", args=[richiesta.pk])
    assert risposta.status_code == 302 and risposta.url == url

    pagina = _testo(client.get(url))
    assert "Salva le modifiche" in pagina and "Invia la richiesta" in pagina
    assert "Tavolo Anziani – nei registri: presente a 2 sedute su 3" in pagina
    risposta = client.post(url, _dati_modulo(
        richiesta, aree=[scena.aree[0]], tavoli=scena.tavoli,
        righe=[("denaro", "Cofinanziamento del servizio di trasporto", "", "1.500,00"),
               ("ore_personale", "Educatore professionale", "120", "3.000,00"),
               ("volontari", "Volontari per l'accompagnamento", "8", "0,00")]))
    assert risposta.status_code == 302 and "Modifiche salvate." in _messaggi(risposta)
    richiesta.refresh_from_db()
    assert richiesta.dichiarazione == "Partecipiamo ai tavoli dal 2010."
    assert list(richiesta.risorse.order_by("pk").values_list("tipo", "valore_centesimi")) == [
        ("denaro", 150000), ("ore_personale", 300000), ("volontari", 0)]
    assert richiesta.risorse.get(tipo="denaro").quantita == 1500
    assert set(richiesta.tavoli.all()) == set(scena.tavoli)

    statuto = SimpleUploadedFile("statuto.pdf", pdf(), content_type="application/pdf")
    risposta = client.post(reverse("accordi:adesione_allegato", args=[richiesta.pk]),
                           {"tipo": "statuto", "file": statuto})
    assert risposta.status_code == 302 and "Allegato caricato." in _messaggi(risposta)
    assert richiesta.allegati.get().nome_originale == "statuto.pdf"

    with django_capture_on_commit_callbacks(execute=True):
        risposta = client.post(reverse("accordi:adesione_invia", args=[richiesta.pk]), follow=True)
    assert "Richiesta inviata all&#x27;Ufficio di Piano" in _testo(risposta)
    richiesta.refresh_from_db()
    assert richiesta.stato == S.INVIATA
    assert "Salva le modifiche" not in _testo(risposta)  # no longer editable
    assert mailoutbox

    # the Ufficio di Piano reviews
    client.force_login(scena.udp)
    elenco = _testo(client.get(reverse("accordi:adesioni_accordo", args=[scena.piano.pk])))
    assert "Associazione Il Faro" in elenco and "Inviata (1)" in elenco
    esame_url = reverse("accordi:adesione_esame", args=[richiesta.pk])
    esame = _testo(client.get(esame_url))
    assert "presente a 2 sedute su 3" in esame and "presente a 1 seduta su 1" in esame
    assert "Mario Rossi" in esame and "sezione b)" in esame
    assert "4.500,00" in esame  # the total value
    assert "Prendi in carico" in esame and "Accogli" not in esame

    def azione(nome, **dati):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("accordi:adesione_azione", args=[richiesta.pk, nome]),
                               {"stato_atteso": RichiestaAdesione.objects.get(pk=richiesta.pk).stato, **dati},
                               follow=True)

    assert "Richiesta presa in carico" in _testo(azione("prendi-in-carico"))
    risposta = azione("chiedi-integrazioni", nota="  ")
    assert "Scrivi che cosa l&#x27;ente deve integrare" in _testo(risposta)
    assert RichiestaAdesione.objects.get(pk=richiesta.pk).stato == S.IN_ISTRUTTORIA
    assert "Integrazioni richieste" in _testo(azione("chiedi-integrazioni", nota="Allegate il bilancio 2024."))

    # the body integrates
    client.force_login(scena.referente)
    pagina = _testo(client.get(url))
    assert "Allegate il bilancio 2024." in pagina and "Invia le integrazioni" in pagina
    bilancio = SimpleUploadedFile("bilancio.pdf", pdf("Bilancio 2024"), content_type="application/pdf")
    client.post(reverse("accordi:adesione_allegato", args=[richiesta.pk]), {"tipo": "bilancio", "file": bilancio})
    with django_capture_on_commit_callbacks(execute=True):
        risposta = client.post(reverse("accordi:adesione_integra", args=[richiesta.pk]), follow=True)
    assert "Integrazioni inviate" in _testo(risposta)
    assert RichiestaAdesione.objects.get(pk=richiesta.pk).stato == S.IN_ISTRUTTORIA

    # accepted: the act is prepared for the legal representative's signature
    client.force_login(scena.udp)
    assert "Richiesta accolta" in _testo(azione("accogli", nota="Benvenuti."))
    richiesta.refresh_from_db()
    assert richiesta.stato == S.ACCOLTA and richiesta.documento_id
    client.force_login(scena.referente)
    pagina = _testo(client.get(url))
    assert 'data-testid="atto-adesione"' in pagina and "Benvenuti." in pagina
    documento = Documento.objects.get(pk=richiesta.documento_id)
    assert documento.stato == Documento.Stato.PRONTO
    assert "Apri l'atto e firmalo" in pagina and reverse("accordi:documento", args=[documento.pk]) in pagina
    assert "firma digitale" in pagina
    assert client.get(reverse("accordi:documento", args=[documento.pk])).status_code == 200

    # the legal representative signs (PAdES) and the referent uploads the act: the body adheres
    firmatario = Firmatario.objects.get(richiesta__documento=documento)
    chiave, certificato = pki_attiva.certificato(cf_persona(77), nome="Mario", cognome="Rossi")
    firmato = firma_pdf(leggi(revisione_corrente(documento)), signer_key=chiave, signer_cert=certificato,
                        ca_cert=pki_attiva.ca_cert)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accordi:firma_carica", args=[firmatario.pk]),
                    {"file": SimpleUploadedFile("atto-firmato.pdf", firmato, content_type="application/pdf")})
    richiesta.refresh_from_db()
    assert richiesta.stato == S.SOTTOSCRITTA
    pagina = _testo(client.get(url))
    assert reverse("accordi:accordo_pubblico", args=[scena.accordo.pk]) in pagina
    assert "L'atto di adesione è stato firmato" in pagina


def test_il_ritiro_chiede_conferma(client, scena: Scena, django_capture_on_commit_callbacks):
    richiesta = scena.richiesta(S.INVIATA)
    client.force_login(scena.referente)
    url = reverse("accordi:adesione", args=[richiesta.pk])
    testo = _testo(client.get(url))
    assert "<details" in testo and "Conferma il ritiro" in testo
    with django_capture_on_commit_callbacks(execute=True):
        risposta = client.post(reverse("accordi:adesione_ritira", args=[richiesta.pk]), {"nota": "Non più utile"})
    assert risposta.url == url and "Richiesta ritirata." in _messaggi(risposta)
    richiesta.refresh_from_db()
    assert richiesta.stato == S.RITIRATA
    assert "Conferma il ritiro" not in _testo(client.get(url))


def test_respinta_mostra_le_motivazioni(client, scena: Scena, django_capture_on_commit_callbacks):
    richiesta = scena.richiesta(S.IN_ISTRUTTORIA)
    client.force_login(scena.udp)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accordi:adesione_azione", args=[richiesta.pk, "respingi"]),
                    {"stato_atteso": S.IN_ISTRUTTORIA, "nota": ""})
        assert RichiestaAdesione.objects.get(pk=richiesta.pk).stato == S.IN_ISTRUTTORIA
        client.post(reverse("accordi:adesione_azione", args=[richiesta.pk, "respingi"]),
                    {"stato_atteso": S.IN_ISTRUTTORIA, "nota": "L'ente non opera nell'ambito."})
    client.force_login(scena.referente)
    testo = _testo(client.get(reverse("accordi:adesione", args=[richiesta.pk])))
    assert "Motivi del rigetto" in testo and "L&#x27;ente non opera nell&#x27;ambito." in testo
    # a new request may follow
    area = _testo(client.get(reverse("accordi:area_ente")))
    assert "Chiedi l'adesione" in area


def test_un_azione_su_uno_stato_superato_non_passa(client, scena: Scena):
    richiesta = scena.richiesta(S.IN_ISTRUTTORIA)
    client.force_login(scena.udp)
    risposta = client.post(reverse("accordi:adesione_azione", args=[richiesta.pk, "accogli"]),
                           {"stato_atteso": S.INVIATA}, follow=True)
    assert "La richiesta è cambiata nel frattempo" in _testo(risposta)
    assert RichiestaAdesione.objects.get(pk=richiesta.pk).stato == S.IN_ISTRUTTORIA


# --- input kept on errors --------------------------------------------------------------------------------

def test_un_importo_sbagliato_mantiene_i_dati(client, scena: Scena):
    richiesta = scena.richiesta(S.BOZZA, n_risorse=0)
    client.force_login(scena.referente)
    risposta = client.post(reverse("accordi:adesione", args=[richiesta.pk]), _dati_modulo(
        richiesta, dichiarazione="Testo che non va perso", aree=[scena.aree[1]],
        righe=[("denaro", "Contributo", "", "1.500,5x"), ("ore_personale", "Ore", "", "100,00")]))
    assert risposta.status_code == 200
    testo = _testo(risposta)
    assert "non è un importo in euro" in testo and "Indica la quantità." in testo
    assert "Testo che non va perso" in testo and 'value="1.500,5x"' in testo
    assert re.search(rf'value="{scena.aree[1].pk}"[^>]*checked', testo)
    richiesta.refresh_from_db()
    assert richiesta.dichiarazione == "Partecipiamo da anni." and not richiesta.risorse.exists()


def test_per_il_denaro_la_quantita_e_l_importo(client, scena: Scena):
    richiesta = scena.richiesta(S.BOZZA, n_risorse=0)
    client.force_login(scena.referente)
    url = reverse("accordi:adesione", args=[richiesta.pk])
    risposta = client.post(url, _dati_modulo(richiesta, righe=[("denaro", "Contributo", "10", "1.500,00")]))
    assert risposta.status_code == 200 and "la quantità è l&#x27;importo stesso" in _testo(risposta)
    risposta = client.post(url, _dati_modulo(richiesta, righe=[("denaro", "Contributo", "1.500", "1.500,00")]))
    assert risposta.status_code == 302
    assert richiesta.risorse.get().valore_centesimi == 150000


def test_l_invio_senza_dichiarazione_e_rifiutato(client, scena: Scena):
    richiesta = scena.richiesta(S.BOZZA, dichiarazione="", allegato=True)
    client.force_login(scena.referente)
    url = reverse("accordi:adesione", args=[richiesta.pk])
    assert "la dichiarazione dell&#x27;ente" in _testo(client.get(url))  # the checklist before sending
    risposta = client.post(reverse("accordi:adesione_invia", args=[richiesta.pk]), follow=True)
    assert risposta.redirect_chain[-1][0] == url
    assert any("dichiarazione" in m for m in _messaggi(risposta))
    richiesta.refresh_from_db()
    assert richiesta.stato == S.BOZZA
    assert "Educatore 0" in _testo(risposta)  # what was saved is still there


def test_salvataggio_su_versione_superata(client, scena: Scena):
    richiesta = scena.richiesta(S.BOZZA)
    client.force_login(scena.referente)
    url = reverse("accordi:adesione", args=[richiesta.pk])
    vecchia = richiesta.versione
    client.post(url, _dati_modulo(richiesta, dichiarazione="Salvata da un collega",
                                  righe=[("volontari", "Volontari", "3", "0,00")]))
    richiesta.refresh_from_db()
    assert richiesta.versione > vecchia
    risposta = client.post(url, _dati_modulo(richiesta, dichiarazione="La mia versione", versione=vecchia,
                                             righe=[("locali", "Sala riunioni", "40", "500,00")]))
    assert risposta.status_code == 409
    testo = _testo(risposta)
    assert "Nel frattempo qualcuno ha salvato" in testo
    assert "La mia versione" in testo and "Sala riunioni" in testo
    assert f'name="versione" value="{richiesta.versione}"' in testo  # saving again is deliberate
    richiesta.refresh_from_db()
    assert richiesta.dichiarazione == "Salvata da un collega"


def test_allegato_non_pdf_rifiutato(client, scena: Scena):
    richiesta = scena.richiesta(S.BOZZA)
    client.force_login(scena.referente)
    finto = SimpleUploadedFile("statuto.pdf", b"MZ\x90\x00 non sono un PDF", content_type="application/pdf")
    risposta = client.post(reverse("accordi:adesione_allegato", args=[richiesta.pk]),
                           {"tipo": "statuto", "file": finto}, follow=True)
    assert not richiesta.allegati.exists()
    assert any("PDF" in m for m in _messaggi(risposta))
    risposta = client.post(reverse("accordi:adesione_allegato", args=[richiesta.pk]), {"tipo": "statuto"})
    assert risposta.status_code == 200 and "Scegli il file PDF da caricare." in _testo(risposta)


def test_eliminare_un_allegato(client, scena: Scena):
    richiesta = scena.richiesta(S.BOZZA, allegato=True)
    allegato = richiesta.allegati.get()
    client.force_login(scena.altro_referente)
    assert client.post(reverse("accordi:adesione_allegato_elimina", args=[allegato.pk])).status_code == 404
    client.force_login(scena.referente)
    risposta = client.post(reverse("accordi:adesione_allegato_elimina", args=[allegato.pk]))
    assert risposta.status_code == 302 and not richiesta.allegati.exists()


def test_scaricare_un_allegato(client, scena: Scena):
    richiesta = scena.richiesta(S.INVIATA, allegato=True)
    allegato = richiesta.allegati.get()
    client.force_login(scena.udp)
    risposta = client.get(reverse("accordi:adesione_allegato_scarica", args=[allegato.pk]))
    assert risposta.status_code == 200
    assert risposta["Content-Type"] == "application/pdf"
    assert risposta["X-Content-Type-Options"] == "nosniff"
    assert risposta["Content-Disposition"].startswith("attachment;")
    assert "statuto.pdf" in risposta["Content-Disposition"]
    assert b"".join(risposta.streaming_content).startswith(b"%PDF")


# --- desk and plan page ------------------------------------------------------------------------------------

def test_scrivania_del_referente_e_dell_ufficio(client, scena: Scena):
    richiesta = scena.richiesta(S.INVIATA)
    client.force_login(scena.referente)
    testo = _testo(client.get(reverse("accordi:home")))
    assert 'data-testid="scrivania-adesioni"' in testo and reverse("accordi:adesione", args=[richiesta.pk]) in testo
    assert reverse("accordi:area_ente") in testo
    client.force_login(scena.udp)
    testo = _testo(client.get(reverse("accordi:home")))
    assert "Richieste di adesione da esaminare" in testo and "1 da prendere in carico" in testo
    client.force_login(scena.udp_altro)
    assert "Richieste di adesione da esaminare" not in _testo(client.get(reverse("accordi:home")))


def test_scheda_nella_pagina_del_piano(client, scena: Scena):
    scena.richiesta(S.INVIATA)
    client.force_login(scena.udp)
    testo = _testo(client.get(reverse("accordi:piano", args=[scena.piano.pk])))
    assert 'data-testid="adesioni-piano"' in testo
    assert reverse("accordi:adesioni_accordo", args=[scena.piano.pk]) in testo
    assert "1 da esaminare" in testo
    client.force_login(scena.referente_con_incarico)  # reads the plan page, not the requests
    risposta = client.get(reverse("accordi:piano", args=[scena.piano.pk]))
    assert risposta.status_code == 200 and 'data-testid="adesioni-piano"' not in _testo(risposta)


def test_filtro_per_stato(client, scena: Scena):
    scena.richiesta(S.INVIATA)
    scena.richiesta(S.IN_ISTRUTTORIA, ente=scena.altro_ente)
    scena.richiesta(S.BOZZA, ente=ente_con_referente("Bozza Srl")[0])
    client.force_login(scena.udp)
    url = reverse("accordi:adesioni_accordo", args=[scena.piano.pk])
    testo = _testo(client.get(url))
    assert "2 richieste ricevute" in testo and "Bozza Srl" not in testo
    testo = _testo(client.get(url, {"stato": "in_istruttoria"}))
    assert "Cooperativa La Rete" in testo and "Associazione Il Faro" not in testo


# --- queries -------------------------------------------------------------------------------------------------

def _conta(client, url, django_assert_max_num_queries, massimo=60) -> int:
    with django_assert_max_num_queries(massimo) as contate:
        assert client.get(url).status_code == 200
    return len(contate.captured_queries)


def test_query_costanti_sulla_pagina_della_richiesta(client, scena: Scena, django_assert_max_num_queries):
    poche = scena.richiesta(S.BOZZA, n_risorse=1, allegato=True)
    molte = scena.richiesta(S.BOZZA, ente=scena.altro_ente, n_risorse=10, allegato=True)
    client.force_login(scena.referente)
    base = _conta(client, reverse("accordi:adesione", args=[poche.pk]), django_assert_max_num_queries)
    client.force_login(scena.altro_referente)
    with django_assert_max_num_queries(base):
        assert client.get(reverse("accordi:adesione", args=[molte.pk])).status_code == 200


def test_query_costanti_sull_esame(client, scena: Scena, django_assert_max_num_queries):
    poche = scena.richiesta(S.IN_ISTRUTTORIA, n_risorse=1, allegato=True)
    molte = scena.richiesta(S.IN_ISTRUTTORIA, ente=scena.altro_ente, n_risorse=10, allegato=True)
    client.force_login(scena.udp)
    base = _conta(client, reverse("accordi:adesione_esame", args=[poche.pk]), django_assert_max_num_queries)
    with django_assert_max_num_queries(base):
        assert client.get(reverse("accordi:adesione_esame", args=[molte.pk])).status_code == 200


def test_query_costanti_nell_elenco(client, scena: Scena, django_assert_max_num_queries):
    scena.richiesta(S.INVIATA)
    client.force_login(scena.udp)
    url = reverse("accordi:adesioni_accordo", args=[scena.piano.pk])
    base = _conta(client, url, django_assert_max_num_queries)
    for i in range(9):
        scena.richiesta(S.IN_ISTRUTTORIA if i % 2 else S.INVIATA, ente=ente_con_referente(f"Ente {i}")[0],
                        n_risorse=2)
    with django_assert_max_num_queries(base):
        assert client.get(url).status_code == 200


def test_query_costanti_nell_area_dell_ente(client, scena: Scena, django_assert_max_num_queries):
    scena.richiesta(S.INVIATA)
    client.force_login(scena.referente)
    url = reverse("accordi:area_ente")
    base = _conta(client, url, django_assert_max_num_queries)
    # more requests (refused ones may be followed by new ones) and more bodies represented
    RichiestaAdesione.objects.filter(ente=scena.ente).update(stato=S.RESPINTA)
    for _ in range(8):
        scena.richiesta(S.RITIRATA)
    scena.richiesta(S.BOZZA)
    altri = [ente_con_referente(f"Ente rappresentato {i}")[0] for i in range(3)]
    RegistrazioneEnte.objects.filter(ente__in=altri).update(referente=scena.referente)
    with django_assert_max_num_queries(base):
        assert client.get(url).status_code == 200
