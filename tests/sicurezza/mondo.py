"""The world of the permission matrix: three ambiti (A and B of one region, C of another), each
with a plan in sottoscrizione and one object of every kind a URL names (assembly session, agenda
item, vote, deliberation, tavolo, member, focus group, tavolo session, contribution, document,
signer, consultation, opinion, observation, version, Accordo part and cost item, adesione and its
attachment, indicator and measurement, cycle, area of intervention, calendar feed), and the
people: every role of ambito A, the regional officer of the region of A and B, the regional
officer of C's region, a signed-in user without roles.

Names are distinctive so that a page can be searched for another ambito's draft plan or
objective."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.utils import timezone

from accordi.models import (
    AllegatoAdesione,
    Consultazione,
    Documento,
    Firmatario,
    OsservazioneParere,
    Parere,
    ParteAccordo,
    RegistrazioneEnte,
    RevisioneDocumento,
    RichiestaFirma,
    VersionePiano,
    VoceOnere,
)
from ambiti.models import Ente, Incarico, Utente
from tavoli.calendario import feed_garantisci
from tavoli.models import (
    Bisogno,
    Deliberazione,
    MembroTavolo,
    PuntoOrdineDelGiorno,
    Seduta,
    SedutaTavolo,
    Votazione,
)
from tavoli.services_assemblea import assemblea_garantisci

from ..factories import (
    AmbitoFactory,
    AreaInterventoFactory,
    ASLFactory,
    AzioneFactory,
    CicloFactory,
    ComuneFactory,
    FocusGroupFactory,
    IndicatoreFactory,
    MisurazioneFactory,
    ObiettivoFactory,
    ProvinciaFactory,
    RegioneFactory,
    RichiestaAdesioneFactory,
    SedutaTavoloFactory,
    SpesaSocialeComuneFactory,
    TavoloFactory,
    UtenteFactory,
    VoceRisorsaFactory,
    accordo_in_sottoscrizione,
    crea_piano,
    crea_sezione,
    ente_terzo_settore,
    utente_con_ruolo,
)

R = Incarico.Ruolo
RUOLI_DI_AMBITO = [r for r in R.values if r != R.OPERATORE_REGIONALE]
# The people who ask for pages: every role of ambito A, the two regional officers, a user
# without roles, the anonymous visitor.
SOGGETTI = ["anonimo", "senza_ruolo", *RUOLI_DI_AMBITO, "regionale", "regionale_altra_regione"]
# Whose objects a URL names: A (the ambito of the roles), B (another ambito of the same region),
# C (an ambito of another region).
VARIANTI = ["A", "B", "C"]

PDF_FINTO = b"%PDF-1.4\n% documento di prova della matrice dei permessi\n%%EOF\n"


@dataclass
class Oggetti:
    """One ambito with its people and one object of every kind."""

    sigla: str
    ambito: object
    regione: object
    utenti: dict[str, Utente]
    nomi_riservati: list[str] = field(default_factory=list)
    pk: dict[str, object] = field(default_factory=dict)


@dataclass
class MondoMatrice:
    oggetti: dict[str, Oggetti]
    soggetti: dict[str, Utente | None]


def _documento(ambito, piano, numero, creato_da, tipo=Documento.Tipo.PIANO_BOZZA) -> Documento:
    documento = Documento.objects.create(
        tipo=tipo, titolo=f"Documento riservato {ambito.nome}", ambito=ambito, anno=2025, numero=numero,
        piano=piano, ente_emittente="Ufficio di Piano", chiave=f"matrice-{ambito.pk}-{numero}",
        stato=Documento.Stato.PRONTO, sigillato=True, creato_da=creato_da, pronto_il=timezone.now())
    RevisioneDocumento.objects.create(
        documento=documento, numero=0, file=ContentFile(PDF_FINTO, name=f"matrice-{ambito.pk}-{numero}.pdf"),
        sha256=hashlib.sha256(PDF_FINTO).hexdigest(), dimensione=len(PDF_FINTO))
    return documento


def _popola(sigla: str, ambito, regione, utenti: dict[str, Utente]) -> Oggetti:
    udp = utenti[R.RESPONSABILE_UDP]
    nome_piano = f"Piano riservato {sigla}"
    ciclo = CicloFactory(regione=regione)
    piano = crea_piano(ambito, stato="sottoscrizione", ciclo=ciclo, titolo=nome_piano)
    accordo = accordo_in_sottoscrizione(piano=piano)
    piano.refresh_from_db()
    # A plan of the next cycle still in draft: not public anywhere (the plan in sottoscrizione is, through
    # the Terzo Settore portal, and ambiti are public data).
    ciclo_dopo = CicloFactory(regione=regione, anno_inizio=2028, anno_fine=2030)
    crea_piano(ambito, stato="bozza", ciclo=ciclo_dopo, titolo=f"Bozza riservata {sigla}")
    o = Oggetti(sigla=sigla, ambito=ambito, regione=regione, utenti=utenti,
                nomi_riservati=[f"Bozza riservata {sigla}", f"Obiettivo riservato {sigla}"])
    p = o.pk
    p.update(ambito=ambito.pk, regione=regione.pk, piano=piano.pk, ciclo=ciclo.pk, accordo=accordo.pk)

    # plan content, monitoring, resources
    p["sezione"] = crea_sezione(piano).pk
    obiettivo = ObiettivoFactory(piano=piano, titolo=f"Obiettivo riservato {sigla}")
    azione = AzioneFactory(obiettivo=obiettivo)
    indicatore = IndicatoreFactory(azione=azione)
    p.update(obiettivo=obiettivo.pk, azione=azione.pk, indicatore=indicatore.pk)
    p["misurazione"] = MisurazioneFactory(indicatore=indicatore, inserita_da=udp,
                                          data_rilevazione=datetime.date(2025, 6, 1)).pk
    VoceRisorsaFactory(piano=piano)
    SpesaSocialeComuneFactory(comune=ambito.comuni.first(), ambito=ambito)

    # versions, consultation of the unions, their opinion and observation
    versione = VersionePiano.objects.create(piano=piano, numero=1, motivo=VersionePiano.Motivo.SINDACATI,
                                            contenuto={}, impronta="0" * 64, creata_da=udp)
    consultazione = Consultazione.objects.create(piano=piano, versione=versione, inviata_da=udp,
                                                 scadenza=timezone.now() + datetime.timedelta(days=20))
    sindacato = Incarico.objects.get(utente=utenti[R.REFERENTE_SINDACATO]).ente
    sindacato.ambiti.add(ambito)
    parere = Parere.objects.create(consultazione=consultazione, sindacato=sindacato)
    p["osservazione"] = OsservazioneParere.objects.create(parere=parere, testo="Più assistenza domiciliare").pk
    p.update(versione=versione.pk, consultazione=consultazione.pk, parere=parere.pk)

    # Assemblea: a session, an agenda item, a vote and its deliberation
    assemblea = assemblea_garantisci(ambito)
    seduta = Seduta.objects.create(assemblea=assemblea, numero=1, anno=2025, creata_da=udp,
                                   data=timezone.now() + datetime.timedelta(days=7), luogo="Sala consiliare")
    punto = PuntoOrdineDelGiorno.objects.create(seduta=seduta, numero=1, oggetto="Comunicazioni", tipo="altro")
    punto_votato = PuntoOrdineDelGiorno.objects.create(seduta=seduta, numero=2, oggetto="Atto di indirizzo",
                                                       tipo="altro")
    votazione = Votazione.objects.create(punto=punto_votato, regola=assemblea.regola, testo_regola="Un voto per Comune",
                                         aperta_da=utenti[R.PRESIDENTE_ASSEMBLEA])
    deliberazione = Deliberazione.objects.create(
        assemblea=assemblea, anno=2025, numero=1, tipo="altro", punto=punto_votato, votazione=votazione,
        oggetto="Atto di indirizzo", adottata_il=datetime.date(2025, 3, 1))
    p.update(seduta=seduta.pk, punto=punto.pk, votazione=votazione.pk, deliberazione=deliberazione.pk)

    # tavoli tematici
    area = AreaInterventoFactory(regione=regione)
    tavolo = TavoloFactory(piano=piano, area=area, coordinatore=udp)
    membro = MembroTavolo.objects.create(tavolo=tavolo, utente=utenti[R.COMPONENTE_TAVOLO], stato="attivo",
                                         proposto_da=udp)
    focus = FocusGroupFactory(tavolo=tavolo)
    # held yesterday: its members may record contributions
    seduta_tavolo = SedutaTavoloFactory(tavolo=tavolo, stato=SedutaTavolo.Stato.SVOLTA,
                                        data=timezone.now() - datetime.timedelta(days=1))
    bisogno = Bisogno.objects.create(seduta=seduta_tavolo, area=area, registrato_da=utenti[R.COMPONENTE_TAVOLO],
                                     destinatari="Anziani soli", descrizione="Solitudine")
    p.update(area=area.pk, tavolo=tavolo.pk, membro=membro.pk, focus_group=focus.pk,
             seduta_tavolo=seduta_tavolo.pk, bisogno=bisogno.pk)

    # a sealed document (no PDF rendering: a small file) and its signing request
    documento = _documento(ambito, piano, 1, udp)
    richiesta = RichiestaFirma.objects.create(documento=documento, scadenza=datetime.date(2099, 1, 1), creata_da=udp)
    sindaco = utenti[R.SINDACO]
    firmatario = Firmatario.objects.create(richiesta=richiesta, utente=sindaco, codice_fiscale=sindaco.codice_fiscale,
                                           busta_p7m=ContentFile(b"busta", name="firma.p7m"))
    p.update(documento=documento.pk, firmatario=firmatario.pk, codice=documento.codice_verifica)

    # the Accordo: a party and a cost item
    comune = Ente.objects.filter(comune__in=ambito.comuni.all()).first()
    p["parte"] = ParteAccordo.objects.get_or_create(
        accordo=accordo, ente=comune,
        defaults={"ruolo": ParteAccordo.Ruolo.COMUNE, "firmatario": sindaco, "impegni": "Sportello sociale"})[0].pk
    p["voce"] = VoceOnere.objects.create(accordo=accordo, denominazione="Segretariato sociale").pk

    # Terzo Settore: the referent's body registered, its adesione request with an attachment
    referente = utenti[R.REFERENTE_TERZO_SETTORE]
    ente_ts = Incarico.objects.get(utente=referente).ente
    ente_ts.ambiti.add(ambito)
    RegistrazioneEnte.objects.create(ente=ente_ts, referente=referente, legale_rappresentante="Maria Bianchi",
                                     legale_rappresentante_cf=referente.codice_fiscale,
                                     email_confermata_il=timezone.now())
    adesione = RichiestaAdesioneFactory(accordo=accordo, ente=ente_ts, creata_da=referente)
    allegato = AllegatoAdesione.objects.create(
        richiesta=adesione, tipo=AllegatoAdesione.Tipo.STATUTO, nome_originale="statuto.pdf",
        file=ContentFile(PDF_FINTO, name="statuto.pdf"), sha256=hashlib.sha256(PDF_FINTO).hexdigest(),
        dimensione=len(PDF_FINTO))
    # another body's request, sent: the Ufficio di Piano examines it
    altro_ente, altro_referente = ente_terzo_settore(ambito)
    inviata = RichiestaAdesioneFactory(accordo=accordo, ente=altro_ente, creata_da=altro_referente,
                                       stato="inviata", inviata_il=timezone.now())
    p.update(adesione=adesione.pk, allegato=allegato.pk, adesione_inviata=inviata.pk)

    # the UdP's private calendar feed
    p["feed"] = feed_garantisci(udp).token
    return o


def _persone(ambito, sigla: str) -> dict[str, Utente]:
    return {ruolo: utente_con_ruolo(ruolo, ambito, username=f"{sigla}-{ruolo}") for ruolo in RUOLI_DI_AMBITO}


def costruisci() -> MondoMatrice:
    lombardia = RegioneFactory()
    piemonte = RegioneFactory(codice_istat="01", nome="Piemonte")
    torino = ProvinciaFactory(codice_istat="001", sigla="TO", nome="Torino", regione=piemonte)
    ambito_a = AmbitoFactory(nome="Ambito Alfa di Pavia", asl=ASLFactory(regione=lombardia))
    ambito_b = AmbitoFactory(nome="Ambito Beta di Vigevano", asl=ambito_a.asl)
    ambito_c = AmbitoFactory(nome="Ambito Gamma di Torino",
                             asl=ASLFactory(nome="ASL Città di Torino", regione=piemonte),
                             comuni=ComuneFactory.create_batch(3, provincia=torino))
    oggetti = {}
    for sigla, ambito in (("A", ambito_a), ("B", ambito_b), ("C", ambito_c)):
        oggetti[sigla] = _popola(sigla, ambito, ambito.asl.regione, _persone(ambito, sigla))
    soggetti: dict[str, Utente | None] = {"anonimo": None, "senza_ruolo": UtenteFactory(username="senza-ruolo")}
    soggetti.update(oggetti["A"].utenti)
    soggetti["regionale"] = utente_con_ruolo(R.OPERATORE_REGIONALE, regione=lombardia, username="regionale")
    soggetti["regionale_altra_regione"] = utente_con_ruolo(R.OPERATORE_REGIONALE, regione=piemonte,
                                                          username="regionale-piemonte")
    return MondoMatrice(oggetti=oggetti, soggetti=soggetti)
