"""Signing requests on documents, and the acceptance of each signature.

Every signed file that comes back is verified before it is accepted (``accordi.firme.verifica``):
the signed content must be exactly the document that was sent, every signature intact, valid
and trusted, and the new signer's certificate must carry the expected person's codice fiscale
with non-repudiation, valid at signing time. A refusal stores nothing but an audit entry.

PAdES signatures accumulate on the same PDF: each accepted upload becomes the document's next
immutable revision, verified once (only its new signature: the earlier ones were verified when
they arrived). A CAdES ``.p7m`` envelope cannot carry other signatures inside the PDF: it is
kept beside the document, attached to its signer.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ambiti.models import Ente
from ambiti.ruoli import Permessi

from .exceptions import DatiNonValidi, IterError, PermessoNegato
from .firme import verifica as v
from .models import Documento, EventoFirma, Firmatario, RichiestaFirma
from .services_documenti import leggi, revisione_corrente, salva_revisione, sha256


class FirmaRifiutata(IterError):
    """The uploaded file was not accepted; ``messaggi`` say why, in Italian."""


# Hooks run (after commit) when every mandatory signer of a document has signed.
_AL_COMPLETAMENTO: list[Callable[[RichiestaFirma], None]] = []


def al_completamento(funzione: Callable[[RichiestaFirma], None]):
    _AL_COMPLETAMENTO.append(funzione)
    return funzione


def messaggio_file_troppo_grande() -> str:
    return _("Il file supera la dimensione massima di %(dim)s.") % {
        "dim": filesizeformat(settings.PIANOZONA_MAX_UPLOAD_BYTES)
    }


def radici_fiducia() -> list:
    radici = []
    if settings.PIANOZONA_TRUST_DIR and settings.PIANOZONA_TRUST_DIR.exists():
        radici.extend(v.carica_radici(settings.PIANOZONA_TRUST_DIR))
    if settings.PIANOZONA_TRUSTED_LIST:
        radici.extend(v.carica_trusted_list(settings.PIANOZONA_TRUSTED_LIST))
    return radici


# --- the request --------------------------------------------------------------------------

@transaction.atomic
def richiesta_firma_crea(
    *, documento: Documento, utente, firmatari: Iterable[tuple], modalita: str, scadenza: datetime.date
) -> RichiestaFirma:
    """``firmatari``: (utente, ente or None, obbligatorio) in signing order, optionally with a
    fourth element, the codice fiscale the certificate must carry when it is not the account's
    own (a body's referent uploads the act its legal representative signed)."""
    if not Permessi(utente).ha("gestisci_piano", documento.ambito):
        raise PermessoNegato(_("Solo l'Ufficio di Piano chiede le firme sugli atti."))
    documento = Documento.objects.select_for_update().get(pk=documento.pk)
    errori = []
    if documento.stato != Documento.Stato.PRONTO:
        errori.append(_("Il documento non è ancora pronto."))
    if RichiestaFirma.objects.filter(documento=documento).exists():
        errori.append(_("Per questo documento la firma è già stata richiesta."))
    firmatari = [_con_codice_fiscale(voce) for voce in firmatari]
    if not firmatari:
        errori.append(_("Indica almeno un firmatario."))
    if scadenza < timezone.localdate():
        errori.append(_("La scadenza non può essere nel passato."))
    visti = set()
    for persona, _ente, _obbl, codice_fiscale in firmatari:
        if not codice_fiscale:
            errori.append(_("%(p)s non ha un codice fiscale registrato: non si può verificarne la firma.")
                          % {"p": persona})
        if persona.pk in visti:
            errori.append(_("%(p)s è indicato due volte.") % {"p": persona})
        visti.add(persona.pk)
    if errori:
        raise DatiNonValidi(*errori)
    richiesta = RichiestaFirma.objects.create(
        documento=documento, modalita=modalita, scadenza=scadenza, creata_da=utente
    )
    for ordine, (persona, ente, obbligatorio, codice_fiscale) in enumerate(firmatari, start=1):
        Firmatario.objects.create(
            richiesta=richiesta, ordine=ordine, utente=persona, codice_fiscale=codice_fiscale.strip().upper(),
            ente=ente, obbligatorio=obbligatorio,
        )
    messaggio = ngettext("%(n)d firmatario, scadenza %(d)s", "%(n)d firmatari, scadenza %(d)s", len(firmatari)) % {
        "n": len(firmatari), "d": scadenza.strftime("%d/%m/%Y")}
    EventoFirma.objects.create(richiesta=richiesta, tipo=EventoFirma.Tipo.RICHIESTA, utente=utente,
                               messaggio=messaggio)
    transaction.on_commit(lambda: _invita(richiesta.pk))
    return richiesta


def _con_codice_fiscale(voce: tuple) -> tuple:
    """(utente, ente, obbligatorio[, codice fiscale]) → the four, the account's own codice
    fiscale when none is given."""
    persona, ente, obbligatorio, *altro = voce
    codice_fiscale = (altro[0] if altro else "") or persona.codice_fiscale or ""
    return persona, ente, obbligatorio, codice_fiscale


def _invita(richiesta_id: int) -> None:
    from .tasks import invita_firmatari

    invita_firmatari.delay(richiesta_id)


def firmatari_di_turno(richiesta: RichiestaFirma) -> list[Firmatario]:
    """Who may sign now: every pending signer in parallel mode; in sequence, the first one(s)
    still pending."""
    in_attesa = [f for f in richiesta.firmatari.all() if f.stato == Firmatario.Stato.IN_ATTESA]
    if richiesta.stato != RichiestaFirma.Stato.APERTA or not in_attesa:
        return []
    if richiesta.modalita == RichiestaFirma.Modalita.PARALLELA:
        return in_attesa
    primo = min(f.ordine for f in in_attesa)
    return [f for f in in_attesa if f.ordine == primo]


def _puo_firmare(firmatario: Firmatario, utente) -> None:
    if firmatario.utente_id != utente.pk:
        raise PermessoNegato(_("Questa firma spetta a un'altra persona."))
    richiesta = firmatario.richiesta
    if richiesta.stato == RichiestaFirma.Stato.APERTA and richiesta.scadenza < timezone.localdate():
        raise FirmaRifiutata(_("La richiesta di firma è scaduta il %(d)s.")
                             % {"d": richiesta.scadenza.strftime("%d/%m/%Y")})
    if firmatario.stato == Firmatario.Stato.FIRMATO:
        raise FirmaRifiutata(_("Hai già firmato questo documento."))
    if firmatario not in firmatari_di_turno(richiesta):
        # the turn is read afresh: the signer's own signature may have just been accepted
        firmatario.refresh_from_db(fields=["stato"])
        if firmatario.stato == Firmatario.Stato.FIRMATO:
            raise FirmaRifiutata(_("Hai già firmato questo documento."))
        raise FirmaRifiutata(_("Non è ancora il tuo turno: la firma segue l'ordine indicato."))


# --- accepting a signature --------------------------------------------------------------

def _rifiuta(firmatario: Firmatario, utente, messaggi: list[str], nome_file: str, dati: bytes) -> None:
    EventoFirma.objects.create(
        richiesta_id=firmatario.richiesta_id, firmatario=firmatario, tipo=EventoFirma.Tipo.FIRMA_RIFIUTATA,
        utente=utente, messaggio="\n".join(messaggi), nome_file=nome_file[:255], sha256_file=sha256(dati),
    )
    raise FirmaRifiutata(*messaggi)


def _dati_certificato(esito: v.EsitoFirma) -> dict:
    return {
        "certificato_soggetto": (esito.firmatario or "")[:500],
        "certificato_emittente": (esito.emittente or "")[:500],
        "certificato_seriale": (esito.numero_serie or "")[:100],
        "esito": esito.as_dict(),
    }


def firma_carica(
    *, firmatario: Firmatario, utente, nome_file: str, dati: bytes, metodo: str | None = None
) -> Firmatario:
    """Accept a signed PAdES PDF or CAdES .p7m for ``firmatario``, or refuse it with reasons."""
    firmatario = Firmatario.objects.select_related("richiesta__documento").get(pk=firmatario.pk)
    documento = firmatario.richiesta.documento
    # The revision the file must extend is read first, the signer's state after it: the same
    # signature accepted in between (a double upload) then reads «already signed», never «the
    # file is not the original».
    corrente = revisione_corrente(documento)
    firmatario.refresh_from_db(fields=["stato"])
    _puo_firmare(firmatario, utente)
    massimo = settings.PIANOZONA_MAX_UPLOAD_BYTES
    if len(dati) > massimo:
        _rifiuta(firmatario, utente, [messaggio_file_troppo_grande()], nome_file, dati)
    originale = leggi(corrente)
    radici = radici_fiducia()
    e_pdf = dati[:1024].lstrip().startswith(b"%PDF-")
    try:
        if e_pdf:
            esito = v.verifica_nuova_revisione(dati, radici=radici, originale_firmato=originale)
            esiti = [esito]
        else:
            verifica = v.verifica_p7m(dati, radici=radici)
            hash_revisioni = set(documento.revisioni.values_list("sha256", flat=True))
            if verifica.contenuto_sha256 not in hash_revisioni:
                _rifiuta(firmatario, utente, [_("Il file .p7m contiene un documento diverso dall'originale.")],
                         nome_file, dati)
            if verifica.errori:
                _rifiuta(firmatario, utente, verifica.errori, nome_file, dati)
            esiti = verifica.firme
    except v.FileNonAccettato as exc:
        messaggio = exc.messaggio
        if nome_file.lower().endswith(".pdf") and not e_pdf:
            messaggio = _("Il file non è un PDF valido.")
        _rifiuta(firmatario, utente, [messaggio], nome_file, dati)

    problemi: list[str] = []
    del_firmatario = [e for e in esiti if (e.codice_fiscale or "").upper() == firmatario.codice_fiscale]
    if not del_firmatario:
        trovati = ", ".join(sorted({e.codice_fiscale or _("nessun codice fiscale") for e in esiti}))
        trovati = trovati or _("nessuna firma")
        problemi.append(_("Firmatario diverso da quello atteso: atteso %(atteso)s, trovato %(trovato)s.")
                        % {"atteso": firmatario.codice_fiscale, "trovato": trovati})
    for esito in esiti:
        problemi.extend(v.controlla_firmatario(esito, esito.codice_fiscale or firmatario.codice_fiscale))
    if problemi:
        _rifiuta(firmatario, utente, list(dict.fromkeys(problemi)), nome_file, dati)

    esito = del_firmatario[0]
    with transaction.atomic():
        richiesta = RichiestaFirma.objects.select_for_update().get(pk=firmatario.richiesta_id)
        firmatario = Firmatario.objects.select_for_update().get(pk=firmatario.pk)
        if firmatario.stato == Firmatario.Stato.FIRMATO:
            raise FirmaRifiutata(_("Hai già firmato questo documento."))
        ultima = revisione_corrente(documento)
        if e_pdf and ultima.pk != corrente.pk:
            # Someone else's signature landed meanwhile: this file lacks it.
            raise FirmaRifiutata(_("Nel frattempo un altro firmatario ha firmato: scarica la versione "
                                   "aggiornata e firma quella."))
        campi = _dati_certificato(esito)
        if e_pdf:
            firmatario.revisione = salva_revisione(documento, ultima.numero + 1, dati)
            firmatario.metodo = metodo or Firmatario.Metodo.PADES
        else:
            nome = f"{documento.codice_verifica}-{firmatario.pk}.p7m"
            firmatario.busta_p7m.save(nome, ContentFile(dati), save=False)
            firmatario.metodo = Firmatario.Metodo.CADES
        for campo, valore in campi.items():
            setattr(firmatario, campo, valore)
        firmatario.stato = Firmatario.Stato.FIRMATO
        firmatario.firmato_il = timezone.now()
        firmatario.save()
        EventoFirma.objects.create(
            richiesta=richiesta, firmatario=firmatario, tipo=EventoFirma.Tipo.FIRMA_ACCETTATA, utente=utente,
            messaggio=firmatario.get_metodo_display(), nome_file=nome_file[:255], sha256_file=sha256(dati),
        )
        _forse_completa(richiesta)
        if richiesta.modalita == RichiestaFirma.Modalita.SEQUENZIALE and richiesta.stato == RichiestaFirma.Stato.APERTA:
            transaction.on_commit(lambda: _invita(richiesta.pk))
    return firmatario


def _forse_completa(richiesta: RichiestaFirma) -> None:
    mancanti = richiesta.firmatari.filter(obbligatorio=True, stato=Firmatario.Stato.IN_ATTESA).exists()
    if mancanti:
        return
    richiesta.stato = RichiestaFirma.Stato.COMPLETATA
    richiesta.completata_il = timezone.now()
    richiesta.save(update_fields=["stato", "completata_il"])
    EventoFirma.objects.create(richiesta=richiesta, tipo=EventoFirma.Tipo.COMPLETATA)
    for funzione in _AL_COMPLETAMENTO:
        transaction.on_commit(lambda f=funzione: f(richiesta))


# --- in-browser signing with the development CA's certificates -----------------------------

def percorso_certificato_demo(utente, codice_fiscale: str | None = None):
    """The development certificate with which ``utente`` may sign in the browser for the
    expected ``codice_fiscale`` (by default their own). In the demo, a person who has none yet
    (a body registered through the portal, whose legal representative signs its adesione) gets
    one issued on the spot by the development CA, when that CA is on this machine."""
    codice = (codice_fiscale or utente.codice_fiscale or "").upper()
    if not settings.PIANOZONA_FIRMA_DEMO or not codice:
        return None
    percorso = settings.PIANOZONA_FIRMA_DEMO_DIR / f"{codice}.p12"
    if not percorso.exists():
        _emetti_certificato_demo(codice, utente, percorso)
    return percorso if percorso.exists() else None


def _emetti_certificato_demo(codice: str, utente, percorso) -> None:
    from .firme import pki

    ca_p12 = settings.PIANOZONA_PKI_DIR / "ca.p12"
    if not ca_p12.exists():
        return
    ca_key, ca_cert, _altri = pki.carica_pkcs12(ca_p12, settings.PIANOZONA_SIGILLO_PASSPHRASE)
    chiave, certificato = pki.crea_certificato_persona(
        ca_key, ca_cert, nome=utente.first_name or utente.username, cognome=utente.last_name or "-",
        codice_fiscale=codice,
    )
    percorso.parent.mkdir(parents=True, exist_ok=True)
    pki.salva_pkcs12(chiave, certificato, ca_cert, percorso, settings.PIANOZONA_FIRMA_DEMO_PASSPHRASE)


def firma_demo(*, firmatario: Firmatario, utente) -> Firmatario:
    """Sign in the browser with the certificate the development CA issued to this person, then
    accept it through exactly the same verification as an upload."""
    from .firme.firma import firma_pdf
    from .firme.pki import carica_pkcs12

    firmatario = Firmatario.objects.select_related("richiesta__documento").get(pk=firmatario.pk)
    _puo_firmare(firmatario, utente)
    percorso = percorso_certificato_demo(utente, firmatario.codice_fiscale)
    if percorso is None:
        raise FirmaRifiutata(_("La firma dimostrativa nel browser non è disponibile per il tuo profilo."))
    chiave, certificato, altri = carica_pkcs12(percorso, settings.PIANOZONA_FIRMA_DEMO_PASSPHRASE)
    originale = leggi(revisione_corrente(firmatario.richiesta.documento))
    firmato = firma_pdf(
        originale, signer_key=chiave, signer_cert=certificato, ca_cert=altri[0] if altri else None,
        motivo=_("Firma per %(ente)s") % {"ente": firmatario.ente or utente},
    )
    return firma_carica(firmatario=firmatario, utente=utente, nome_file="firma-nel-browser.pdf", dati=firmato,
                        metodo=Firmatario.Metodo.DEMO)


# --- reminders and deadlines (Celery beat) ---------------------------------------------------

def promemoria_firme(oggi: datetime.date | None = None) -> dict:
    """Once a day: close requests past their deadline; remind the signers whose turn it is."""
    from .tasks import invia_promemoria

    oggi = oggi or timezone.localdate()
    scadute = 0
    ricordate = []
    for richiesta in RichiestaFirma.objects.filter(stato=RichiestaFirma.Stato.APERTA).prefetch_related("firmatari"):
        if richiesta.scadenza < oggi:
            with transaction.atomic():
                RichiestaFirma.objects.filter(pk=richiesta.pk).update(stato=RichiestaFirma.Stato.SCADUTA)
                EventoFirma.objects.create(richiesta=richiesta, tipo=EventoFirma.Tipo.SCADUTA)
            scadute += 1
            continue
        if richiesta.ultimo_promemoria == oggi:
            continue
        if firmatari_di_turno(richiesta):
            RichiestaFirma.objects.filter(pk=richiesta.pk).update(ultimo_promemoria=oggi)
            ricordate.append(richiesta.pk)
    for pk in ricordate:
        invia_promemoria.delay(pk)
    return {"scadute": scadute, "promemoria": len(ricordate)}


def firmatari_proposti(documento: Documento) -> list[tuple]:
    """The signers proposed for an act. For the Accordo, its parties in their order, each with
    its signer and whether its signature is mandatory (``services_accordo.firmatari_dell_accordo``).
    For the other acts, the mandatory signers of art. 34 D.Lgs. 267/2000: each Comune's mayor and
    the ASL's referent, from the active roles of the ambito."""
    from ambiti.models import Incarico

    if documento.tipo == Documento.Tipo.ACCORDO and documento.piano_id:
        from .services_accordo import firmatari_dell_accordo

        return firmatari_dell_accordo(documento)

    incarichi = (
        Incarico.objects.filter(ambito=documento.ambito, attivo=True,
                                ruolo__in=[Incarico.Ruolo.SINDACO, Incarico.Ruolo.REFERENTE_ASL])
        .select_related("utente", "ente")
    )
    validi = [i for i in incarichi if i.ente and i.ente.tipo in (Ente.Tipo.COMUNE, Ente.Tipo.ASL)]
    # The mayors in the order of their Comuni, then the ASL.
    validi.sort(key=lambda i: (i.ente.tipo != Ente.Tipo.COMUNE, i.ente.denominazione, i.utente.last_name))
    return [(i.utente, i.ente, True) for i in validi]
