"""The adesione of a Terzo Settore body to an Accordo di Programma: the bodies that took part
in drawing up the plan adhere on their own request, "con l'indicazione del concorso di risorse
proprie" (seed 000).

Who may act
-----------
- The body's side: whoever represents the body (``selectors_portale.rappresenta``: the referent
  who registered it through the portal, or a person with an active Terzo Settore referent's role
  for it). They create the request, edit it while it is a draft or while integrations are asked,
  add and remove attachments, send it, send the integrations, withdraw it while it is open.
- The review side: the Ufficio di Piano (``gestisci_piano``) of any ambito of the Accordo's plan.
  It takes the request in charge, asks for integrations, accepts or refuses it. A person who also
  represents the body may not review its request.
- Readers: who reads the plan's ambiti (``consulta_ambito``) and the regional officers read the
  requests and their log, never act; nobody else sees a request and nobody but the body sees a
  draft (``selectors_adesioni.richiesta_per_utente``).

The story
---------
*bozza → inviata → in istruttoria ⇄ integrazione richiesta → accolta → sottoscritta*, or
*respinta* (with the reasons), or *ritirata* by the body from any open state. Every step locks
the request's row, checks who acts and from which state (``stato_atteso``: the state the person
saw; if the request moved meanwhile, the second of two reviewers is told and nothing changes),
makes the FSM transition, writes an ``EventoAdesione`` (who, from, to, note) and sends its
e-mails after commit (accordi/notifiche_adesioni.py): to the body's referents at every step, to
the Ufficio di Piano of the plan's ambiti when a request arrives, comes back with integrations,
is withdrawn after sending, or is signed.

Decisions
---------
- One living request per body and Accordo (a database constraint): a refused or withdrawn one
  may be followed by a new one. The Accordo must be open to adesioni
  (``selectors_portale.accordi_aperti_adesioni``) to create, send and accept a request.
- The body's edits carry the version of the request they were made on: a stale one is refused
  whole. Resources are replaced at every save; for money the value is the amount itself.
- Attachments are PDFs judged by their content, never by their name: the ``%PDF-`` header, a
  complete file parsed by pyHanko, not encrypted, no JavaScript, launch actions or embedded
  files; at most ``settings.PIANOZONA_ADESIONE_MAX_ALLEGATO`` bytes each and ten per request;
  stored under a random name. A refused file leaves nothing behind.
- On acceptance the adesione act (``Documento.Tipo.ADESIONE``, one per request) is issued by the
  Ufficio di Piano of the first of the plan's ambiti where the accepting person works (the
  signing service asks that person's permission on the act's ambito), and rendered in the
  background. When it is ready (``services_documenti.al_documento_pronto``, see
  accordi/adesioni.py) ``firma_prepara`` asks for one signature: the body's referent account
  uploads the act signed by the legal representative, whose codice fiscale the certificate must
  carry. When the signature is verified (``services_firme.al_completamento``) the request is
  ``sottoscritta`` and the body is among the Accordo's adherents.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from functools import partial
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import can_proceed

from ambiti.exceptions import StatoCambiato
from ambiti.models import Incarico
from ambiti.ruoli import Permessi
from ambiti.segnali import aggiunte
from tavoli.models import AreaIntervento, Tavolo

from . import selectors_portale
from .exceptions import DatiNonValidi, PermessoNegato, TransizioneNonAmmessa
from .firme import verifica as v
from .models import (
    AllegatoAdesione,
    Documento,
    RichiestaAdesione,
    RichiestaFirma,
    RisorsaAdesione,
    StatoAdesione,
)
from .models import EventoAdesione as Evento
from .notifiche_adesioni import indirizzi_ente, indirizzi_udp, notifica  # noqa: F401 (part of the API)
from .selectors_adesioni import accettazione, firmatario_atteso, presenze_dell_ente  # noqa: F401 (contract)
from .services_documenti import sha256

logger = logging.getLogger(__name__)

S = StatoAdesione
R = Incarico.Ruolo
MAX_ALLEGATI = 10
MAX_RISORSE = 50
MAX_DICHIARAZIONE = 10_000
GIORNI_PER_LA_FIRMA = 30
_CENTESIMO = Decimal("0.01")

# Why a step is not possible from the request's state: one whole sentence per step.
NON_DA_QUESTO_STATO = {
    "invia": gettext_lazy("Si invia solo una richiesta in bozza; questa è nello stato «%(stato)s»."),
    "prendi_in_carico": gettext_lazy("Si prende in carico solo una richiesta inviata; questa è nello stato "
                                     "«%(stato)s»."),
    "richiedi_integrazione": gettext_lazy("Le integrazioni si chiedono durante l'istruttoria; la richiesta è nello "
                                          "stato «%(stato)s»."),
    "integra": gettext_lazy("Le integrazioni si inviano quando l'Ufficio di Piano le ha chieste; la richiesta è "
                            "nello stato «%(stato)s»."),
    "accogli": gettext_lazy("Si accoglie solo una richiesta in istruttoria; questa è nello stato «%(stato)s»."),
    "respingi": gettext_lazy("Si respinge solo una richiesta in istruttoria; questa è nello stato «%(stato)s»."),
    "ritira": gettext_lazy("Si ritira solo una richiesta ancora aperta; questa è nello stato «%(stato)s»."),
    "sottoscrivi": gettext_lazy("Si sottoscrive solo una richiesta accolta; questa è nello stato «%(stato)s»."),
}

# What a PDF refused by the verifier is told, in the user's language.
_MESSAGGI_PDF = {
    v.MSG_NON_PDF: gettext_lazy("Il file non è un PDF: si accettano solo documenti PDF."),
    v.MSG_PDF_ILLEGGIBILE: gettext_lazy("Il file PDF è danneggiato o incompleto e non può essere letto."),
    v.MSG_CIFRATO: gettext_lazy("Il PDF è cifrato o protetto da password: carica una copia non protetta."),
    v.MSG_JAVASCRIPT: gettext_lazy("Il PDF contiene codice JavaScript o azioni automatiche: non è accettato."),
    v.MSG_ALLEGATI: gettext_lazy("Il PDF contiene file incorporati: non è accettato."),
}


# --- shared steps -----------------------------------------------------------------------------

def _bloccata(richiesta: RichiestaAdesione, stato_atteso: str | None = None) -> RichiestaAdesione:
    """The request read again under a row lock: two people acting at once act one after the
    other, and the second sees what the first did."""
    richiesta = (RichiestaAdesione.objects.select_for_update(of=("self",))
                 .select_related("accordo__piano__ciclo", "ente", "documento").get(pk=richiesta.pk))
    if stato_atteso is not None and richiesta.stato != stato_atteso:
        raise StatoCambiato(_("La richiesta è cambiata nel frattempo: ora è nello stato «%(stato)s». Ricarica la "
                              "pagina e verifica prima di procedere.") % {"stato": richiesta.get_stato_display()})
    return richiesta


def _richiedi_ente(utente, richiesta: RichiestaAdesione) -> None:
    if not selectors_portale.rappresenta(utente, richiesta.ente):
        raise PermessoNegato(_("Solo chi rappresenta l'ente agisce sulle sue richieste di adesione."))


def _richiedi_udp(utente, richiesta: RichiestaAdesione) -> None:
    if not Permessi(utente).ha_su_alcuno("gestisci_piano", richiesta.accordo.piano.ambiti.all()):
        raise PermessoNegato(_("Solo l'Ufficio di Piano degli ambiti del piano esamina le richieste di adesione."))
    if selectors_portale.rappresenta(utente, richiesta.ente):
        raise PermessoNegato(_("Non puoi esaminare la richiesta di adesione di un ente che rappresenti."))


def _accordo_aperto(accordo) -> None:
    if not selectors_portale.accordi_aperti_adesioni().filter(pk=accordo.pk).exists():
        raise TransizioneNonAmmessa(_("L'Accordo di Programma non è aperto alle adesioni: si aderisce a un Accordo "
                                      "alla firma o in vigore."))


def _transita(richiesta: RichiestaAdesione, nome: str) -> str:
    metodo = getattr(richiesta, nome)
    if not can_proceed(metodo):
        raise TransizioneNonAmmessa(str(NON_DA_QUESTO_STATO[nome]) % {"stato": richiesta.get_stato_display()})
    da_stato = richiesta.stato
    metodo()
    richiesta.versione += 1
    return da_stato


def _registra(richiesta: RichiestaAdesione, azione: str, utente, da_stato: str, nota: str = "") -> Evento:
    return Evento.objects.create(richiesta=richiesta, azione=azione, da_stato=da_stato, a_stato=richiesta.stato,
                                 utente=utente, nota=nota)


def _passo(richiesta, nome: str, utente, nota: str = "", campi: Iterable[str] = ()) -> RichiestaAdesione:
    """Transition, save, log entry and e-mails after commit: the end of every step."""
    da_stato = _transita(richiesta, nome)
    richiesta.save(update_fields=["stato", "versione", "aggiornata_il", *campi])
    _registra(richiesta, nome, utente, da_stato, nota)
    transaction.on_commit(partial(notifica, richiesta.pk, nome, nota, da_stato), robust=True)
    return richiesta


def mancanze_per_invio(richiesta: RichiestaAdesione) -> list[str]:
    """What the request still lacks to be sent (or sent back with the integrations)."""
    mancanze = []
    if not richiesta.dichiarazione.strip():
        mancanze.append(_("Scrivi la dichiarazione dell'ente."))
    if not richiesta.risorse.exists():
        mancanze.append(_("Indica almeno una risorsa che l'ente mette a disposizione."))
    if not richiesta.allegati.filter(tipo=AllegatoAdesione.Tipo.STATUTO).exists():
        mancanze.append(_("Allega lo statuto dell'ente in PDF."))
    return mancanze


# --- the body's side: the request --------------------------------------------------------------

@transaction.atomic
def richiesta_crea(*, accordo, ente, utente) -> RichiestaAdesione:
    """A new draft request of ``ente`` to ``accordo``."""
    if not selectors_portale.rappresenta(utente, ente):
        raise PermessoNegato(_("Puoi chiedere l'adesione solo per un ente che rappresenti."))
    _accordo_aperto(accordo)
    viva = (RichiestaAdesione.objects.filter(accordo=accordo, ente=ente)
            .exclude(stato__in=[S.RESPINTA, S.RITIRATA]).first())
    if viva is not None and viva.stato == S.SOTTOSCRITTA:
        raise DatiNonValidi(_("L'ente aderisce già a questo Accordo."))
    if viva is not None:
        raise DatiNonValidi(_("L'ente ha già una richiesta di adesione a questo Accordo."))
    try:
        with transaction.atomic():
            richiesta = RichiestaAdesione.objects.create(accordo=accordo, ente=ente, creata_da=utente)
    except IntegrityError as exc:  # the same request made at the same moment
        raise DatiNonValidi(_("L'ente ha già una richiesta di adesione a questo Accordo.")) from exc
    _registra(richiesta, "crea", utente, "")
    return richiesta


def _chiavi(valori) -> list[int] | None:
    chiavi = []
    for valore in valori or []:
        try:
            chiavi.append(int(getattr(valore, "pk", valore)))
        except (TypeError, ValueError):
            return None
    return list(dict.fromkeys(chiavi))


def _aree_valide(aree, piano, errori: list[str]) -> list[AreaIntervento]:
    chiavi = _chiavi(aree)
    if chiavi is None:
        errori.append(_("Le aree di intervento indicate non sono valide."))
        return []
    trovate = list(AreaIntervento.objects.filter(pk__in=chiavi).order_by("ordine", "nome"))
    if len(trovate) < len(chiavi):
        errori.append(_("Una delle aree di intervento indicate non esiste."))
    for area in trovate:
        if area.regione_id != piano.ciclo.regione_id:
            errori.append(_("«%(a)s» non è un'area di intervento della regione del piano.") % {"a": area.nome})
    return trovate


def _tavoli_validi(tavoli, piano, errori: list[str]) -> list[Tavolo]:
    chiavi = _chiavi(tavoli)
    if chiavi is None:
        errori.append(_("I tavoli indicati non sono validi."))
        return []
    trovati = list(Tavolo.objects.filter(pk__in=chiavi).order_by("nome"))
    if len(trovati) < len(chiavi):
        errori.append(_("Uno dei tavoli indicati non esiste."))
    for tavolo in trovati:
        if tavolo.piano_id != piano.pk:
            errori.append(_("Il tavolo «%(t)s» non è un tavolo del piano «%(p)s».") % {"t": tavolo.nome,
                                                                                    "p": piano.titolo})
    return trovati


def _decimale(valore) -> Decimal | None:
    if valore is None or isinstance(valore, bool) or valore == "":
        return None
    try:
        numero = Decimal(str(valore).strip())
    except InvalidOperation:
        return None
    return numero if numero.is_finite() else None


def _risorsa_valida(n: int, voce: dict, errori: list[str]) -> RisorsaAdesione | None:
    tipo = voce.get("tipo") or ""
    descrizione = (voce.get("descrizione") or "").strip()
    quantita = _decimale(voce.get("quantita"))
    valore = _decimale(voce.get("valore_centesimi"))
    prima = len(errori)
    if tipo not in RisorsaAdesione.Tipo.values:
        errori.append(_("Risorsa n. %(n)d: scegli il tipo di risorsa.") % {"n": n})
    if not descrizione:
        errori.append(_("Risorsa n. %(n)d: descrivi la risorsa.") % {"n": n})
    elif len(descrizione) > 255:
        errori.append(_("Risorsa n. %(n)d: la descrizione può avere al massimo 255 caratteri.") % {"n": n})
    if tipo == RisorsaAdesione.Tipo.DENARO and quantita is None and valore is not None:
        quantita = valore / 100  # money given as its value only
    if quantita is None or quantita <= 0:
        errori.append(_("Risorsa n. %(n)d: la quantità deve essere un numero maggiore di zero.") % {"n": n})
    elif quantita != quantita.quantize(_CENTESIMO) or quantita >= 10 ** 10:
        errori.append(_("Risorsa n. %(n)d: la quantità ha al più dieci cifre intere e due decimali.") % {"n": n})
    elif tipo == RisorsaAdesione.Tipo.DENARO:
        valore = quantita * 100  # for money the value is the amount itself
    if tipo != RisorsaAdesione.Tipo.DENARO and (valore is None or valore < 0 or valore != valore.to_integral_value()
                                                  or valore >= 10 ** 15):
        errori.append(_("Risorsa n. %(n)d: indica il valore in euro della risorsa (zero se non è stimabile).")
                      % {"n": n})
    if len(errori) > prima:
        return None
    return RisorsaAdesione(tipo=tipo, descrizione=descrizione, quantita=quantita.quantize(_CENTESIMO),
                           valore_centesimi=int(valore))


@transaction.atomic
def richiesta_aggiorna(*, richiesta: RichiestaAdesione, utente, dichiarazione: str, aree: Iterable, tavoli: Iterable,
                       risorse: list[dict], versione: int) -> RichiestaAdesione:
    """The body saves its request: statement, areas and tavoli it took part in (of the plan's
    region and of the plan), the resources it brings (replacing the previous ones). All or
    nothing; ``versione`` is the version the person edited."""
    richiesta = _bloccata(richiesta)
    _richiedi_ente(utente, richiesta)
    if not richiesta.modificabile:
        raise TransizioneNonAmmessa(_("La richiesta non è più modificabile: è nello stato «%(stato)s».")
                                    % {"stato": richiesta.get_stato_display()})
    if versione != richiesta.versione:
        raise DatiNonValidi(_("Nel frattempo la richiesta è stata modificata da qualcun altro: ricarica la pagina, "
                              "controlla i dati e salva di nuovo."))
    piano = richiesta.accordo.piano
    errori: list[str] = []
    dichiarazione = (dichiarazione or "").strip()
    if len(dichiarazione) > MAX_DICHIARAZIONE:
        errori.append(_("La dichiarazione può avere al massimo %(n)d caratteri.") % {"n": MAX_DICHIARAZIONE})
    aree = _aree_valide(aree, piano, errori)
    tavoli = _tavoli_validi(tavoli, piano, errori)
    risorse = list(risorse or [])
    if len(risorse) > MAX_RISORSE:
        errori.append(_("Indica al massimo %(n)d risorse.") % {"n": MAX_RISORSE})
        risorse = []
    righe = [_risorsa_valida(n, voce, errori) for n, voce in enumerate(risorse, start=1)]
    if errori:
        raise DatiNonValidi(*errori)

    richiesta.dichiarazione = dichiarazione
    richiesta.versione += 1
    richiesta.save(update_fields=["dichiarazione", "versione", "aggiornata_il"])
    richiesta.aree.set(aree)
    richiesta.tavoli.set(tavoli)
    richiesta.risorse.all().delete()
    for riga in righe:
        riga.richiesta = richiesta
    aggiunte(RisorsaAdesione, righe)
    _registra(richiesta, "aggiorna", utente, richiesta.stato)
    return richiesta


# --- the body's side: attachments ----------------------------------------------------------------

def controlla_pdf(dati: bytes) -> str | None:
    """Why ``dati`` is not an acceptable PDF attachment, or None."""
    massimo = settings.PIANOZONA_ADESIONE_MAX_ALLEGATO
    if not dati:
        return _("Il file è vuoto.")
    if len(dati) > massimo:
        return _("Il file supera la dimensione massima di %(dim)s.") % {"dim": filesizeformat(massimo)}
    try:
        lettore = v._apri_pdf(dati, len(dati))  # header, complete file, parsed, not encrypted
        with v._se_illeggibile():
            v._controlla_contenuti_attivi(lettore, range(lettore.xrefs.total_revisions), None)
    except v.FileNonAccettato as exc:
        return str(_MESSAGGI_PDF.get(exc.messaggio, exc.messaggio))
    except Exception:  # a parser bug must not become a server error, nor let the file in
        logger.warning("PDF allegato non leggibile", exc_info=True)
        return str(_MESSAGGI_PDF[v.MSG_PDF_ILLEGGIBILE])
    return None


def _nome_leggibile(nome_file: str) -> str:
    nome = PurePosixPath((nome_file or "").replace("\\", "/")).name
    nome = "".join(c for c in nome if c.isprintable()).strip()
    return nome[-255:] or "allegato.pdf"


def allegato_aggiungi(*, richiesta: RichiestaAdesione, utente, tipo: str, nome_file: str,
                      dati: bytes) -> AllegatoAdesione:
    """Attach a PDF to a request the body may still edit."""
    richiesta = RichiestaAdesione.objects.select_related("ente").get(pk=richiesta.pk)
    _richiedi_ente(utente, richiesta)
    errori = []
    if tipo not in AllegatoAdesione.Tipo.values:
        errori.append(_("Scegli il tipo di allegato."))
    problema = controlla_pdf(dati)  # before the lock: parsing may take a moment
    if problema:
        errori.append(problema)
    if errori:
        raise DatiNonValidi(*errori)
    impronta = sha256(dati)
    nome = _nome_leggibile(nome_file)
    salvato = None
    try:
        with transaction.atomic():
            richiesta = _bloccata(richiesta)
            if not richiesta.modificabile:
                raise TransizioneNonAmmessa(_("Gli allegati si modificano solo mentre la richiesta è in bozza o sono "
                                              "richieste integrazioni; ora è nello stato «%(stato)s».")
                                            % {"stato": richiesta.get_stato_display()})
            presenti = list(richiesta.allegati.values_list("sha256", flat=True))
            if len(presenti) >= MAX_ALLEGATI:
                raise DatiNonValidi(_("Una richiesta può avere al massimo %(n)d allegati: eliminane uno prima di "
                                      "caricarne un altro.") % {"n": MAX_ALLEGATI})
            if impronta in presenti:
                raise DatiNonValidi(_("Questo file è già allegato alla richiesta."))
            allegato = AllegatoAdesione(richiesta=richiesta, tipo=tipo, nome_originale=nome, sha256=impronta,
                                        dimensione=len(dati))
            allegato.file.save(f"{uuid.uuid4().hex}.pdf", ContentFile(dati), save=False)
            salvato = allegato.file.name
            allegato.save()
            _registra(richiesta, "allegato_aggiunto", utente, richiesta.stato,
                      _("%(tipo)s: %(nome)s") % {"tipo": allegato.get_tipo_display(), "nome": nome})
    except Exception:
        if salvato:  # a refused or failed attachment leaves no file behind
            default_storage.delete(salvato)
        raise
    return allegato


@transaction.atomic
def allegato_rimuovi(*, allegato: AllegatoAdesione, utente) -> None:
    """Remove an attachment while the request may be edited (the file goes after commit)."""
    allegato = AllegatoAdesione.objects.select_related("richiesta").get(pk=allegato.pk)
    richiesta = _bloccata(allegato.richiesta)
    _richiedi_ente(utente, richiesta)
    if not richiesta.modificabile:
        raise TransizioneNonAmmessa(_("Gli allegati si modificano solo mentre la richiesta è in bozza o sono "
                                      "richieste integrazioni; ora è nello stato «%(stato)s».")
                                    % {"stato": richiesta.get_stato_display()})
    nome_file = allegato.file.name
    descrizione = _("%(tipo)s: %(nome)s") % {"tipo": allegato.get_tipo_display(), "nome": allegato.nome_originale}
    allegato.delete()
    _registra(richiesta, "allegato_rimosso", utente, richiesta.stato, descrizione)
    transaction.on_commit(partial(default_storage.delete, nome_file), robust=True)


# --- the steps ------------------------------------------------------------------------------------

@transaction.atomic
def invia(*, richiesta: RichiestaAdesione, utente, stato_atteso: str | None = None) -> RichiestaAdesione:
    """The body sends its draft to the Ufficio di Piano: it needs the statement, at least one
    resource and the statute."""
    richiesta = _bloccata(richiesta, stato_atteso)
    _richiedi_ente(utente, richiesta)
    if richiesta.stato != S.BOZZA:
        raise TransizioneNonAmmessa(str(NON_DA_QUESTO_STATO["invia"]) % {"stato": richiesta.get_stato_display()})
    _accordo_aperto(richiesta.accordo)
    mancanze = mancanze_per_invio(richiesta)
    if mancanze:
        raise DatiNonValidi(*mancanze)
    richiesta.inviata_il = timezone.now()
    return _passo(richiesta, "invia", utente, campi=["inviata_il"])


@transaction.atomic
def prendi_in_carico(*, richiesta: RichiestaAdesione, utente, stato_atteso: str | None = None) -> RichiestaAdesione:
    """The Ufficio di Piano starts the review."""
    richiesta = _bloccata(richiesta, stato_atteso)
    _richiedi_udp(utente, richiesta)
    return _passo(richiesta, "prendi_in_carico", utente)


@transaction.atomic
def richiedi_integrazione(*, richiesta: RichiestaAdesione, utente, nota: str,
                          stato_atteso: str | None = None) -> RichiestaAdesione:
    """The Ufficio di Piano asks the body for more: the note says what, and reaches the body."""
    richiesta = _bloccata(richiesta, stato_atteso)
    _richiedi_udp(utente, richiesta)
    nota = (nota or "").strip()
    if richiesta.stato == S.IN_ISTRUTTORIA and not nota:
        raise DatiNonValidi(_("Scrivi che cosa l'ente deve integrare: la nota gli arriva per e-mail."))
    return _passo(richiesta, "richiedi_integrazione", utente, nota)


@transaction.atomic
def integra(*, richiesta: RichiestaAdesione, utente, stato_atteso: str | None = None) -> RichiestaAdesione:
    """The body sends its request back with the integrations; the review resumes."""
    richiesta = _bloccata(richiesta, stato_atteso)
    _richiedi_ente(utente, richiesta)
    if richiesta.stato != S.INTEGRAZIONE_RICHIESTA:
        raise TransizioneNonAmmessa(str(NON_DA_QUESTO_STATO["integra"]) % {"stato": richiesta.get_stato_display()})
    mancanze = mancanze_per_invio(richiesta)
    if mancanze:
        raise DatiNonValidi(*mancanze)
    return _passo(richiesta, "integra", utente)


def _ambito_dell_atto(richiesta: RichiestaAdesione, utente):
    ambiti = list(richiesta.accordo.piano.ambiti.all())
    permessi = Permessi(utente)
    return next((a for a in ambiti if permessi.ha("gestisci_piano", a)), ambiti[0])


@transaction.atomic
def accogli(*, richiesta: RichiestaAdesione, utente, nota: str = "",
            stato_atteso: str | None = None) -> RichiestaAdesione:
    """The Ufficio di Piano accepts the request: the adesione act is generated (in the
    background) and, once ready, goes to the legal representative's signature."""
    from .services_documenti import atto_richiedi

    richiesta = _bloccata(richiesta, stato_atteso)
    _richiedi_udp(utente, richiesta)
    if richiesta.stato != S.IN_ISTRUTTORIA:
        raise TransizioneNonAmmessa(str(NON_DA_QUESTO_STATO["accogli"]) % {"stato": richiesta.get_stato_display()})
    _accordo_aperto(richiesta.accordo)
    if firmatario_atteso(richiesta) is None:
        raise DatiNonValidi(_("Non si sa chi firma l'atto di adesione: manca il codice fiscale del legale "
                              "rappresentante dell'ente, o l'ente non ha un referente attivo."))
    piano = richiesta.accordo.piano
    richiesta.decisa_il = timezone.now()
    richiesta.documento = atto_richiedi(
        tipo=Documento.Tipo.ADESIONE, ambito=_ambito_dell_atto(richiesta, utente), utente=utente, piano=piano,
        titolo=_("Atto di adesione di %(ente)s all'Accordo di Programma – %(piano)s")
        % {"ente": richiesta.ente.denominazione, "piano": piano.titolo},
        chiave=f"adesione:richiesta{richiesta.pk}",
    )
    return _passo(richiesta, "accogli", utente, (nota or "").strip(), campi=["decisa_il", "documento"])


@transaction.atomic
def respingi(*, richiesta: RichiestaAdesione, utente, nota: str,
             stato_atteso: str | None = None) -> RichiestaAdesione:
    """The Ufficio di Piano refuses the request, with the reasons (they reach the body)."""
    richiesta = _bloccata(richiesta, stato_atteso)
    _richiedi_udp(utente, richiesta)
    nota = (nota or "").strip()
    if richiesta.stato == S.IN_ISTRUTTORIA and not nota:
        raise DatiNonValidi(_("Scrivi le motivazioni del rigetto: arrivano all'ente per e-mail."))
    richiesta.decisa_il = timezone.now()
    return _passo(richiesta, "respingi", utente, nota, campi=["decisa_il"])


@transaction.atomic
def ritira(*, richiesta: RichiestaAdesione, utente, nota: str = "",
           stato_atteso: str | None = None) -> RichiestaAdesione:
    """The body withdraws its request while it is open."""
    richiesta = _bloccata(richiesta, stato_atteso)
    _richiedi_ente(utente, richiesta)
    return _passo(richiesta, "ritira", utente, (nota or "").strip())


# --- the signature -------------------------------------------------------------------------------

def _chi_chiede_la_firma(richiesta: RichiestaAdesione, documento: Documento):
    """The person who accepted the request, or else someone of the Ufficio di Piano of the act's
    ambito (the signing service asks for that permission)."""
    evento = accettazione(richiesta)
    candidati = [evento.utente] if evento and evento.utente else []
    oggi = timezone.localdate()
    candidati += [i.utente for i in Incarico.objects.filter(
        ambito=documento.ambito, ruolo__in=[R.RESPONSABILE_UDP, R.OPERATORE_UDP], attivo=True, dal__lte=oggi,
        utente__is_active=True).filter(Q(al__isnull=True) | Q(al__gte=oggi)).select_related("utente")
        .order_by("ruolo", "pk")]
    return next((u for u in candidati if Permessi(u).ha("gestisci_piano", documento.ambito)), None)


def firma_prepara(*, richiesta: RichiestaAdesione) -> RichiestaFirma | None:
    """Once the act of an accepted request is ready, ask (once) for its signature: one mandatory
    signer, the body's referent account, with the legal representative's codice fiscale.
    Idempotent: returns the existing signing request; None while the act is not ready."""
    from .services_firme import richiesta_firma_crea

    with transaction.atomic():
        richiesta = _bloccata(richiesta)
        documento = richiesta.documento
        if documento is None:
            return None
        esistente = RichiestaFirma.objects.filter(documento=documento).first()
        if esistente is not None or richiesta.stato != S.ACCOLTA or documento.stato != Documento.Stato.PRONTO:
            return esistente
        firmatario = firmatario_atteso(richiesta)
        chi = _chi_chiede_la_firma(richiesta, documento)
        if firmatario is None or chi is None:
            logger.error("Adesione %s: nessun firmatario o nessuno dell'Ufficio di Piano per chiedere la firma",
                         richiesta.pk)
            return None
        utente, codice_fiscale, _nome = firmatario
        richiesta_firma = richiesta_firma_crea(
            documento=documento, utente=chi, modalita=RichiestaFirma.Modalita.PARALLELA,
            scadenza=timezone.localdate() + datetime.timedelta(days=GIORNI_PER_LA_FIRMA),
            firmatari=[(utente, richiesta.ente, True, codice_fiscale)],
        )
        _registra(richiesta, "firma_richiesta", None, richiesta.stato)
    return richiesta_firma


def sottoscrizione_registra(*, documento: Documento) -> RichiestaAdesione | None:
    """The act is signed (every mandatory signature verified): the request becomes
    ``sottoscritta`` and the body an adherent. Run by the signing service's hook; a second call
    changes nothing."""
    with transaction.atomic():
        richiesta = RichiestaAdesione.objects.filter(documento=documento).first()
        if richiesta is None:
            return None
        richiesta = _bloccata(richiesta)
        if richiesta.stato != S.ACCOLTA:
            return richiesta
        richiesta.sottoscritta_il = timezone.now()
        return _passo(richiesta, "sottoscrivi", None, campi=["sottoscritta_il"])
