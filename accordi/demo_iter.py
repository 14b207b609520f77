"""Demo: the Certosa plan walked through its whole iter, up to the Accordo di Programma open for
signature, with the real services only: every state change goes through its state machine and
leaves its log, as if the people of the ambito had clicked through it.

The steps (ITER.md): the Assemblea passes the atto di indirizzo; the Ufficio di Piano is
constituted; the tavolo Anziani meets and approves its minutes; the draft is written (two
sections, one objective with one funded action), frozen and sent to two unions, who give their
parere; the accepted observation goes into the final text, which the Assemblea approves while
designating the ente capofila; every mayor signs it with the development CA's certificate and
the Presidente licenses the plan; the ASL gives its intesa; the Ufficio di Piano fills in the
Accordo (parties' commitments, two cost items), opens the signature and sends the Accordo's act
to its signatories, who sign it in the browser.

Called by ``accordi.demo.carica_demo``; the walk runs once (it is skipped when the plan is past
``avvio``). The acts people sign are rendered and sealed in-process, inside the demo's
transaction (``genera_documento``, what the Celery task runs); the others follow after commit."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from django.utils.text import slugify
from stdnum import luhn
from stdnum.it import codicefiscale

from ambiti.models import Ambito, Ente, Incarico, Utente
from ambiti.services import incarico_assegna
from tavoli import services as assemblea
from tavoli import services_contributi as sc
from tavoli import services_membri_tavolo as sm
from tavoli import services_sedute_tavolo as sst
from tavoli import services_tavoli as st
from tavoli import services_verbali as sv
from tavoli.services_assemblea import assemblea_garantisci, ufficio_costituisci

from . import services_accordo as accordi
from . import services_consultazione as consultazione
from . import services_contenuto as contenuto
from .models import Documento, ParteAccordo, PianoDiZona, Stato, VoceOnere
from .selectors_accordo import comuni_del_piano
from .services import esegui_transizione
from .services_documenti import documento_richiedi, genera_documento
from .services_firme import firma_demo, firmatari_proposti, richiesta_firma_crea

R = Incarico.Ruolo

# The mayors of the sixteen Comuni of the Certosa district (fictional people; the codice fiscale
# carries the Comune's cadastral code as place of birth).
SINDACI_CERTOSA = [
    ("Certosa di Pavia", "Marcello", "Zanetti", "ZNTMCL62C14C541"),
    ("Giussago", "Laura", "Bossi", "BSSLRA70H62E062"),
    ("Bornasco", "Giorgio", "Sacchi", "SCCGRG58S03B051"),
    ("Ceranova", "Elisa", "Fumagalli", "FMGLSE75A49C484"),
    ("Lardirago", "Angelo", "Rizzi", "RZZNGL60E17E454"),
    ("Marzano", "Silvia", "Corti", "CRTSLV68P65E999"),
    ("Roncaro", "Pietro", "Maggi", "MGGPTR55T01H527"),
    ("Vidigulfo", "Daniela", "Ferri", "FRRDNL72D70L854"),
    ("Zeccone", "Franco", "Pozzi", "PZZFNC63L11M152"),
    ("Landriano", "Carla", "Vitali", "VTLCRL69B58E437"),
    ("Siziano", "Massimo", "Re", "REXMSM66R05E265"),
    ("Sant'Alessio con Vialone", "Giovanna", "Negri", "NGRGNN73M52I213"),
    ("Cura Carpignano", "Alberto", "Mazza", "MZZLRT61H08B824"),
    ("Albuzzano", "Rosa", "Cattaneo", "CTTRSO64C67A175"),
    ("Torre d'Arese", "Enrico", "Sala", "SLANRC59P19L256"),
    ("Vistarino", "Monica", "Bruni", "BRNMNC71T44M079"),
]
CAPOFILA = "Certosa di Pavia"
# Mayors shown in the printed logins (all sixteen exist and sign).
SINDACI_STAMPATI = ("Certosa di Pavia", "Giussago")

# Users served per Comune by the tutela minori service in 2011 (the users' share of its cost).
MINORI_SEGUITI = {
    "Certosa di Pavia": 21, "Giussago": 18, "Bornasco": 9, "Ceranova": 6, "Lardirago": 3, "Marzano": 4,
    "Roncaro": 3, "Vidigulfo": 24, "Zeccone": 5, "Landriano": 27, "Siziano": 19,
    "Sant'Alessio con Vialone": 2, "Cura Carpignano": 14, "Albuzzano": 11, "Torre d'Arese": 2, "Vistarino": 5,
}


# The parties' commitments.
IMPEGNI_CAPOFILA = (
    "Quale ente capofila gestisce il fondo dei servizi associati: riceve le quote dei Comuni, stipula i "
    "contratti dei servizi distrettuali (Ufficio di Piano, tutela minori, assistenza domiciliare) e rende "
    "conto ogni anno all'Assemblea dei Sindaci. Versa la propria quota degli oneri secondo l'allegato A.")
IMPEGNI_COMUNE = (
    "Versa all'ente capofila la propria quota degli oneri secondo l'allegato A, entro il 30 giugno di ogni "
    "anno; assicura con il proprio servizio sociale l'accesso dei cittadini ai servizi distrettuali.")
IMPEGNI_ASL = (
    "Garantisce l'integrazione socio-sanitaria: partecipa all'Ufficio di Piano con un proprio referente, "
    "assicura la valutazione multidimensionale per l'assistenza domiciliare e l'apporto dei consultori alla "
    "tutela minori, mette a disposizione i dati epidemiologici del distretto.")


@dataclass
class PersonaDemo:
    username: str
    nome: str
    cognome: str
    cf: str  # the first 15 characters: the check character is computed
    ruolo: str
    ente: str | None = None


PERSONE = [
    PersonaDemo("presidente.certosa", "Giovanni", "Brambilla", "BRMGNN57E02G388", R.PRESIDENTE_ASSEMBLEA),
    PersonaDemo("asl.certosa", "Federica", "Longhi", "LNGFRC76S55G388", R.REFERENTE_ASL, "asl"),
    PersonaDemo("uil.certosa", "Sergio", "Bassi", "BSSSRG65D07G388", R.REFERENTE_SINDACATO, "uil"),
    PersonaDemo("fnp.certosa", "Teresa", "Gatti", "GTTTRS52B61G388", R.REFERENTE_SINDACATO, "fnp"),
]
STAMPATI = ("presidente.certosa", "asl.certosa")

SINDACATI = [
    ("uil", "UIL Camera sindacale provinciale di Pavia", Ente.Livello.PROVINCIALE, "8000789018"),
    ("fnp", "FNP CISL Pavia (pensionati)", Ente.Livello.PENSIONATI, "8000987018"),
]


def username_sindaco(comune: str) -> str:
    return f"sindaco.{slugify(comune)}"


def _cf_ente(prefisso10: str) -> str:
    return prefisso10 + luhn.calc_check_digit(prefisso10)


def _utente(username, nome, cognome, cf, password: str) -> Utente:
    return Utente.objects.get_or_create(
        username=username,
        defaults={"first_name": nome, "last_name": cognome, "email": f"{username}@demo.pianozona.it",
                  "codice_fiscale": cf + codicefiscale.calc_check_digit(cf), "password": password},
    )[0]


def persone_certosa(*, ambito: Ambito, enti: dict, password: str, dal: datetime.date
                    ) -> tuple[dict[str, Utente], list[tuple[str, str]]]:
    """The people of the Certosa district the iter needs (the Presidente, the ASL's referent, two
    unions' referents, the sixteen mayors) and the two unions; idempotent. ``password`` is the
    demo password, already hashed. Returns the users by username and the login lines to print
    (only a few: every mayor signs, but two are enough to try)."""
    for chiave, nome, livello, cf in SINDACATI:
        enti[chiave], _creato = Ente.objects.get_or_create(
            codice_fiscale=_cf_ente(cf),
            defaults={"tipo": Ente.Tipo.SINDACATO, "denominazione": nome, "livello_sindacale": livello})
        enti[chiave].ambiti.add(ambito)
    utenti: dict[str, Utente] = {}
    accessi: list[tuple[str, str]] = []
    righe = [(p.username, p.nome, p.cognome, p.cf, p.ruolo, enti.get(p.ente) if p.ente else None) for p in PERSONE]
    righe += [(username_sindaco(comune), nome, cognome, cf, R.SINDACO, enti[comune])
              for comune, nome, cognome, cf in SINDACI_CERTOSA]
    for username, nome, cognome, cf, ruolo, ente in righe:
        utente = _utente(username, nome, cognome, cf, password)
        incarico_assegna(utente=utente, ruolo=ruolo, ambito=ambito, ente=ente, dal=dal)
        utenti[username] = utente
        stampato = username in STAMPATI or username in {username_sindaco(c) for c in SINDACI_STAMPATI}
        if stampato:
            per = f" ({ente})" if ente else ""
            accessi.append((username, f"{R(ruolo).label}{per} – {ambito.nome}"))
    # The cooperative also works in Certosa: it joins the tavolo Anziani and may adhere to the Accordo.
    enti["coop"].ambiti.add(ambito)
    return utenti, accessi


# --- the walk ------------------------------------------------------------------------------------------


def _pronto(documento: Documento) -> Documento:
    """Render and seal the act now (the Celery task does the same after commit; it then finds
    it ready): the people sign it within the demo's transaction."""
    return genera_documento(documento.pk)


def certificati_demo() -> None:
    """The development CA issues the in-browser signing certificate of every demo person who
    lacks one (``make demo`` creates the PKI before the demo's users exist)."""
    if not settings.PIANOZONA_FIRMA_DEMO:
        raise RuntimeError("La demo firma con i certificati di sviluppo: esegui con DEBUG=true "
                           "(o PIANOZONA_FIRMA_DEMO=true).")
    call_command("crea_pki_sviluppo", stdout=io.StringIO())


class Percorso:
    """One plan's walk; each step is what one person does on one page."""

    def __init__(self, *, piano: PianoDiZona, ambito: Ambito, utenti: dict[str, Utente], enti: dict):
        self.piano, self.ambito, self.enti = piano, ambito, enti
        self.udp = utenti["udp.certosa"]
        self.presidente = utenti["presidente.certosa"]
        self.asl = utenti["asl.certosa"]
        self.terzo = utenti["terzosettore"]
        self.sindacalisti = {"uil": utenti["uil.certosa"], "fnp": utenti["fnp.certosa"]}
        # (Comune, mayor, the Comune's Ente), in the registry's order
        self.sindaci = [(c, utenti[username_sindaco(c)], enti[c]) for c, *_resto in SINDACI_CERTOSA]
        self.assemblea = assemblea_garantisci(ambito)
        self.adesso = timezone.localtime()
        self.aree = {a.codice: a for a in st.aree_della_regione(ambito.asl.regione)}

    def transita(self, nome: str, utente, nota: str = "") -> None:
        esegui_transizione(piano=self.piano, nome=nome, utente=utente, nota=nota)
        self.piano.refresh_from_db()

    # --- the Assemblea ---------------------------------------------------------------------------

    def seduta(self, giorni: int, punti: list[dict], astenuti: tuple[str, ...] = ()):
        """A session of the Assemblea: convened, every Comune present, each item voted by the
        mayors and proclaimed, then closed. The service fixes sessions in the future only, so
        the demo's sessions are dated in the coming days and held at once."""
        data = (self.adesso + datetime.timedelta(days=giorni)).replace(hour=18, minute=0, second=0, microsecond=0)
        seduta = assemblea.seduta_crea(assemblea=self.assemblea, utente=self.udp, data=data,
                                       luogo="Sala consiliare del Comune di Certosa di Pavia")
        voci = [assemblea.punto_aggiungi(seduta=seduta, utente=self.udp, piano=self.piano, **p) for p in punti]
        assemblea.seduta_convoca(seduta=seduta, utente=self.presidente)
        for _comune, sindaco, _ente in self.sindaci:
            assemblea.presenza_dichiara(seduta=seduta, utente=sindaco)
        assemblea.seduta_apri(seduta=seduta, utente=self.presidente)
        deliberazioni = []
        for punto in voci:
            votazione = assemblea.votazione_apri(punto=punto, utente=self.presidente)
            for comune, sindaco, _ente in self.sindaci:
                espressione = "astenuto" if comune in astenuti else "favorevole"
                assemblea.voto_esprimi(votazione=votazione, utente=sindaco, espressione=espressione)
            assemblea.votazione_chiudi(votazione=votazione, utente=self.presidente)
            assemblea.votazione_proclama(votazione=votazione, utente=self.presidente)
            deliberazioni.append(punto.deliberazione)
        assemblea.seduta_chiudi(seduta=seduta, utente=self.presidente)
        return deliberazioni

    def indirizzo(self) -> None:
        (deliberazione,) = self.seduta(1, [{
            "oggetto": "Atto di indirizzo per il Piano di Zona 2012-2014", "tipo": "atto_indirizzo",
            "proposta": "L'Assemblea indica all'Ufficio di Piano le priorità del triennio.",
            "priorita": [
                ("Domiciliarità degli anziani", "Estendere il SAD a tutti i Comuni e accompagnare le dimissioni "
                 "ospedaliere."),
                ("Tutela minori", "Gestire in forma associata il servizio tutela minori, con un'équipe distrettuale."),
            ]}])
        self.transita("approva_atto_indirizzo", self.udp, f"Deliberazione n. {deliberazione.numero}/"
                      f"{deliberazione.anno} dell'Assemblea dei Sindaci.")

    # --- Ufficio di Piano and tavoli -------------------------------------------------------------

    def istruttoria(self) -> None:
        ufficio_costituisci(
            ambito=self.ambito, utente=self.udp, responsabile=self.udp,
            atto_costitutivo="Convenzione per la gestione associata dei servizi sociali, art. 4",
            costituito_il=datetime.date(2011, 12, 1), sede=self.enti[CAPOFILA],
            componenti=[{"utente": self.udp, "funzione": "Responsabile"},
                        {"nominativo": "Anna Colombo", "funzione": "Assistente sociale",
                         "ente": self.enti["Giussago"]},
                        {"nominativo": "Luigi Arrigoni", "funzione": "Amministrativo", "ente": self.enti[CAPOFILA]}])
        self.tavolo = st.tavolo_crea(
            piano=self.piano, area=self.aree["anziani"], coordinatore=self.udp, utente=self.udp,
            mandato="Rilevare i bisogni degli anziani soli nei sedici Comuni e l'offerta di domiciliarità.")
        invito = sm.membro_invita(tavolo=self.tavolo, invitato=self.terzo, ente=self.enti["coop"], utente=self.udp)
        sm.invito_rispondi(membro=invito, utente=self.terzo, accetta=True)
        self.transita("avvia_istruttoria", self.udp)

    def stesura(self) -> None:
        tenuta = sst.seduta_crea(
            tavolo=self.tavolo, utente=self.udp, luogo="Biblioteca comunale di Certosa di Pavia",
            data=(self.adesso - datetime.timedelta(days=20)).replace(hour=15, minute=0, second=0, microsecond=0),
            ordine_del_giorno="Bisogni degli anziani soli\nOfferta di assistenza domiciliare")
        membri = list(self.tavolo.membri.filter(stato="attivo"))
        sst.presenze_registra(seduta=tenuta, utente=self.udp, membri=membri,
                              ospiti=[{"nominativo": "Ugo Marchesi", "ente_nome": "Auser Certosa"}])
        self.bisogno = sc.bisogno_registra(
            seduta=tenuta, utente=self.terzo, destinatari="Anziani soli nei Comuni più piccoli",
            descrizione="In cinque Comuni, tutti sotto i 2.000 abitanti, il SAD non è attivo: gli anziani soli "
                        "restano senza aiuto a domicilio.",
            evidenza="Segnalazioni dei servizi sociali comunali, 2011.", priorita="alta")
        verbale = sv.verbale_garantisci(seduta=tenuta, utente=self.udp)
        verbale = sv.verbale_salva(
            verbale=verbale, utente=self.udp, versione=verbale.versione,
            discussione=[{"punto": "Bisogni degli anziani soli",
                          "testo": "Il SAD copre undici Comuni su sedici; mancano cinque dei Comuni più piccoli."},
                         {"punto": "Offerta di assistenza domiciliare",
                          "testo": "La cooperativa Il Ponte può estendere il servizio con un'équipe distrettuale."}],
            decisioni="Proporre al piano un SAD distrettuale unico.", prossimi_passi="")
        sv.verbale_approva(verbale=verbale, utente=self.udp, modalita="coordinatore")
        self.transita("avvia_stesura", self.udp)

    # --- the draft and the unions ----------------------------------------------------------------

    def bozza(self) -> None:
        sezioni = {s.codice: s for s in contenuto.sezioni_garantisci(self.piano)}
        self.sezioni = sezioni
        testi = {
            "contesto-popolazione": "<p>L'ambito conta sedici Comuni e circa 49.000 residenti; un residente su "
                                    "cinque ha più di 65 anni.</p>",
            "bisogni-per-area": "<p>Il tavolo Anziani ha rilevato che nei Comuni più piccoli il servizio di "
                                "assistenza domiciliare non è attivo.</p>",
        }
        for codice, testo in testi.items():
            sezione = sezioni[codice]
            sezioni[codice] = contenuto.sezione_salva(
                sezione=sezione, utente=self.udp, testo=testo, versione=sezione.versione,
                bisogni=[self.bisogno] if codice == "bisogni-per-area" else ())
        obiettivo = contenuto.obiettivo_crea(
            piano=self.piano, utente=self.udp, tipo="strategico", codice="OB1", area=self.aree["anziani"],
            titolo="Un servizio di assistenza domiciliare in tutti i Comuni")
        anni = range(self.piano.ciclo.anno_inizio, self.piano.ciclo.anno_fine + 1)
        contenuto.azione_crea(
            obiettivo=obiettivo, utente=self.udp,
            dati={"codice": "A1.1", "titolo": "SAD distrettuale", "destinatari": "Anziani soli non autosufficienti",
                  "capofila": self.enti[CAPOFILA].pk, "partner": [self.enti["coop"].pk],
                  "inizio": datetime.date(2012, 4, 1), "fine": datetime.date(2014, 12, 31),
                  "bisogni": [self.bisogno]},
            stanziamenti={**{(a, "fnps"): "35.000,00" for a in anni}, **{(a, "comuni"): "20.000,00" for a in anni}},
            indicatori=[{"descrizione": "Comuni in cui il SAD è attivo", "unita": "Comuni", "valore_base": "11",
                         "valore_obiettivo": "16"}])
        sindacati = [self.enti["uil"], self.enti["fnp"]]
        self.consultazione = consultazione.invia_ai_sindacati(
            piano=self.piano, utente=self.udp, sindacati=sindacati,
            scadenza=self.adesso + datetime.timedelta(days=consultazione.GIORNI_PER_IL_PARERE),
            nota="Bozza del piano per il parere delle organizzazioni sindacali.")
        self.piano.refresh_from_db()

    def pareri(self) -> None:
        pareri = {p.sindacato_id: p for p in self.consultazione.pareri.all()}
        consultazione.parere_esprimi(parere=pareri[self.enti["uil"].pk], utente=self.sindacalisti["uil"],
                                     esito="favorevole", testo="Il piano risponde ai bisogni emersi nei tavoli.")
        consultazione.parere_esprimi(
            parere=pareri[self.enti["fnp"].pk], utente=self.sindacalisti["fnp"], esito="con_osservazioni",
            osservazioni=[("bisogni-per-area", "Il piano indichi entro quando il SAD coprirà tutti i Comuni.")])
        osservazione = pareri[self.enti["fnp"].pk].osservazioni.get()
        consultazione.osservazione_rispondi(osservazione=osservazione, utente=self.udp, risposta="accolta")
        consultazione.chiudi_consultazione(piano=self.piano, utente=self.udp,
                                           nota="Pareri favorevoli di entrambe le organizzazioni sindacali.")
        self.piano.refresh_from_db()
        # The accepted observation goes into the final text.
        sezione = self.sezioni["bisogni-per-area"]
        contenuto.sezione_salva(
            sezione=sezione, utente=self.udp, versione=sezione.versione, bisogni=[self.bisogno],
            testo=sezione.testo + "<p>Entro il 2013 il SAD sarà attivo in tutti i sedici Comuni.</p>")

    # --- approval, signatures, licensing, intesa ---------------------------------------------------

    def licenziamento(self) -> None:
        definitivo = _pronto(documento_richiedi(tipo="piano_definitivo", piano=self.piano, utente=self.udp))
        approvazione, _designazione = self.seduta(2, [
            {"oggetto": "Approvazione del Piano di Zona 2012-2014", "tipo": "approvazione_piano",
             "proposta": "L'Assemblea approva il testo definitivo del piano.", "documento_piano": definitivo},
            {"oggetto": "Designazione dell'ente capofila dell'Accordo di Programma", "tipo": "designazione_capofila",
             "proposta": "Il Comune di Certosa di Pavia è l'ente capofila dell'Accordo.",
             "ente_capofila": self.enti[CAPOFILA]},
        ], astenuti=("Vistarino",))
        richiesta = richiesta_firma_crea(
            documento=definitivo, utente=self.udp, modalita="parallela",
            scadenza=timezone.localdate() + datetime.timedelta(days=30),
            firmatari=[(sindaco, ente, True) for _comune, sindaco, ente in self.sindaci])
        for firmatario in richiesta.firmatari.select_related("utente"):
            firma_demo(firmatario=firmatario, utente=firmatario.utente)
        self.transita("licenzia", self.presidente,
                      f"Deliberazione n. {approvazione.numero}/{approvazione.anno}; testo firmato dai sindaci.")
        consultazione.intesa_registra(
            piano=self.piano, utente=self.asl, esito="positiva",
            motivazione="Il piano è coerente con la programmazione socio-sanitaria dell'ASL.")
        self.piano.refresh_from_db()

    # --- the Accordo di Programma ----------------------------------------------------------------

    def accordo(self) -> None:
        """The Accordo proposed from the registry (the Comuni and the ASL with their mayors and
        referent, the cycle's dates, the 2011 census population), completed by the Ufficio di
        Piano: each party's commitments and two cost items (the Ufficio di Piano per inhabitant;
        tutela minori 50% by population, 40% by minors followed, 10% in equal parts)."""
        accordo = accordi.accordo_di(self.piano)
        for parte in accordo.parti.select_related("ente"):
            if parte.ruolo == ParteAccordo.Ruolo.ASL:
                impegni = IMPEGNI_ASL
            else:
                impegni = IMPEGNI_CAPOFILA if parte.ente_id == self.enti[CAPOFILA].pk else IMPEGNI_COMUNE
            accordi.parte_aggiorna(parte=parte, utente=self.udp, impegni=impegni)
        comuni = {c.denominazione: c for c in comuni_del_piano(self.piano)}
        accordi.voce_salva(
            accordo=accordo, utente=self.udp, denominazione="Ufficio di Piano",
            criterio=VoceOnere.Criterio.PER_ABITANTE, quota_popolazione=10000, quota_utenti=0, quota_parti_uguali=0,
            importi={2012: 4_500_000, 2013: 6_000_000, 2014: 6_000_000}, utenti={})
        accordi.voce_salva(
            accordo=accordo, utente=self.udp, denominazione="Servizio tutela minori",
            criterio=VoceOnere.Criterio.MISTO, quota_popolazione=5000, quota_utenti=4000, quota_parti_uguali=1000,
            importi={2012: 18_000_000, 2013: 24_000_000, 2014: 24_500_000},
            utenti={comuni[nome].pk: numero for nome, numero in MINORI_SEGUITI.items()})
        self.transita("apri_sottoscrizione", self.udp, "Accordo completo: parti, impegni e ripartizione degli oneri.")

    def sottoscrizione(self) -> None:
        """The Accordo's act, sealed, goes to its signatories: every mayor and the ASL sign it in
        the browser (the plan comes into force with the last signature)."""
        documento = _pronto(accordi.accordo_genera_atto(accordo=accordi.accordo_di(self.piano), utente=self.udp))
        richiesta_firma_crea(documento=documento, utente=self.udp, firmatari=firmatari_proposti(documento),
                             modalita="parallela", scadenza=timezone.localdate() + datetime.timedelta(days=60))

    def cammina(self) -> None:
        self.indirizzo()
        self.istruttoria()
        self.stesura()
        self.bozza()
        self.pareri()
        self.licenziamento()
        self.accordo()
        self.sottoscrizione()


def porta_alla_firma(*, piano: PianoDiZona, ambito: Ambito, utenti: dict[str, Utente], enti: dict) -> bool:
    """Walk the Certosa plan up to the Accordo open for signature; False when it already moved
    past ``avvio`` (the demo was loaded before)."""
    if piano.stato != Stato.AVVIO:
        return False
    certificati_demo()
    Percorso(piano=piano, ambito=ambito, utenti=utenti, enti=enti).cammina()
    return True
