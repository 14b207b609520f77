"""Celery tasks of the tavoli tematici: the e-mails their services queue after commit. Who
receives each message is decided here, in one place; every task returns how many messages it
sent."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ambiti.posta import invia_a_ciascuno

from .calendario import invito_seduta_tavolo_ics
from .models import MembroTavolo, SedutaTavolo, VerbaleTavolo


def _indirizzo(nome: str, pk: int) -> str:
    """Absolute address of a page; the site's home when the page cannot be resolved, so that
    a message is never lost for want of a link."""
    base = settings.PIANOZONA_SITE_URL.rstrip("/")
    try:
        return base + reverse(nome, args=[pk])
    except NoReverseMatch:
        return base + "/"


def _nome(persona) -> str:
    return persona.get_full_name() or persona.get_username()


def destinatari_seduta(seduta: SedutaTavolo) -> list[str]:
    """E-mail addresses of the active members a session concerns: every member of the tavolo,
    or, for a focus-group's session, its members, its referente and the tavolo's coordinator."""
    membri = MembroTavolo.objects.filter(tavolo_id=seduta.tavolo_id, stato=MembroTavolo.Stato.ATTIVO,
                                         utente__is_active=True)
    if seduta.focus_group_id:
        membri = membri.filter(Q(focus_group=seduta.focus_group_id) | Q(utente_id=seduta.tavolo.coordinatore_id)
                               | Q(utente_id=seduta.focus_group.referente_id))
    return sorted({e for e in membri.values_list("utente__email", flat=True) if e})


def _intestazione(seduta: SedutaTavolo) -> str:
    valori = {"t": seduta.tavolo.nome, "p": seduta.tavolo.piano.titolo}
    if seduta.focus_group_id:
        return _("Focus-group «%(f)s» del tavolo tematico «%(t)s», piano «%(p)s».") % {
            **valori, "f": seduta.focus_group.nome}
    return _("Tavolo tematico «%(t)s», piano «%(p)s».") % valori


def _dove(seduta: SedutaTavolo) -> str:
    if seduta.luogo and seduta.collegamento:
        return _("La seduta si tiene presso %(l)s, con collegamento online all'indirizzo %(c)s.") % {
            "l": seduta.luogo, "c": seduta.collegamento}
    if seduta.luogo:
        return _("La seduta si tiene presso %(l)s.") % {"l": seduta.luogo}
    return _("La seduta si tiene online all'indirizzo %(c)s.") % {"c": seduta.collegamento}


def _seduta(seduta_id: int) -> SedutaTavolo:
    return SedutaTavolo.objects.select_related("tavolo", "tavolo__piano", "focus_group").get(pk=seduta_id)


@shared_task(acks_late=True)
def invia_convocazione_tavolo(seduta_id: int) -> int:
    """The convocation of a session, with the .ics invitation, to the members it concerns."""
    seduta = _seduta(seduta_id)
    quando = timezone.localtime(seduta.data)
    ordine = "\n".join(f"  {n}. {punto}" for n, punto in enumerate(seduta.punti, start=1))
    oggetto = _("Convocazione: %(t)s, %(s)s") % {"t": seduta.tavolo.nome, "s": seduta}
    testo = "\n".join([
        _intestazione(seduta),
        "",
        _("È convocata la seduta n. %(n)s per il %(d)s alle %(h)s; la durata prevista è di %(m)s minuti.") % {
            "n": seduta.numero, "d": quando.strftime("%d/%m/%Y"), "h": quando.strftime("%H:%M"),
            "m": seduta.durata_minuti},
        _dove(seduta),
        "",
        _("Ordine del giorno:"),
        ordine,
        "",
        _("Pagina della seduta: %(url)s") % {"url": _indirizzo("tavoli:seduta_tavolo", seduta.pk)},
        _("In allegato l'invito per il calendario."),
        "",
    ])
    ics = invito_seduta_tavolo_ics(seduta)
    return invia_a_ciascuno(oggetto, testo, destinatari_seduta(seduta),
                            ("seduta.ics", ics, "text/calendar; charset=utf-8; method=REQUEST"))


@shared_task(acks_late=True)
def invia_annullamento_tavolo(seduta_id: int) -> int:
    """The cancellation of a convened session, with the .ics that removes it from calendars."""
    seduta = _seduta(seduta_id)
    quando = timezone.localtime(seduta.data)
    oggetto = _("Annullata: %(t)s, %(s)s") % {"t": seduta.tavolo.nome, "s": seduta}
    testo = "\n".join([
        _intestazione(seduta),
        "",
        _("La seduta n. %(n)s prevista per il %(d)s alle %(h)s è annullata.") % {
            "n": seduta.numero, "d": quando.strftime("%d/%m/%Y"), "h": quando.strftime("%H:%M")},
        _("Motivo: %(m)s") % {"m": seduta.motivo_annullamento},
        "",
        _("Pagina della seduta: %(url)s") % {"url": _indirizzo("tavoli:seduta_tavolo", seduta.pk)},
        _("In allegato l'aggiornamento per il calendario."),
        "",
    ])
    ics = invito_seduta_tavolo_ics(seduta, annullata=True, sequenza=1)
    return invia_a_ciascuno(oggetto, testo, destinatari_seduta(seduta),
                            ("seduta.ics", ics, "text/calendar; charset=utf-8; method=CANCEL"))


def _membro(membro_id: int) -> MembroTavolo:
    return (MembroTavolo.objects.select_related("tavolo", "tavolo__piano", "tavolo__coordinatore", "utente", "ente",
                                                "proposto_da")
            .get(pk=membro_id))


@shared_task(acks_late=True)
def invia_invito_tavolo(membro_id: int) -> int:
    """The invitation to join a tavolo, to the invited person."""
    membro = _membro(membro_id)
    if membro.stato != MembroTavolo.Stato.INVITATO:
        return 0
    tavolo = membro.tavolo
    righe = [
        _("%(chi)s invita a partecipare al tavolo tematico «%(t)s» del piano «%(p)s».") % {
            "chi": _nome(membro.proposto_da), "t": tavolo.nome, "p": tavolo.piano.titolo},
    ]
    if membro.ente_id:
        righe.append(_("Ente rappresentato: %(e)s.") % {"e": membro.ente})
    if tavolo.mandato:
        righe += ["", _("Mandato del tavolo:"), tavolo.mandato]
    righe += ["", _("L'invito si accetta o si declina dalla pagina del tavolo: %(url)s") % {
        "url": _indirizzo("tavoli:tavolo", tavolo.pk)}, ""]
    oggetto = _("Invito al tavolo tematico «%(t)s»") % {"t": tavolo.nome}
    return invia_a_ciascuno(oggetto, "\n".join(righe), [membro.utente.email] if membro.utente.email else [])


@shared_task(acks_late=True)
def invia_richiesta_adesione(membro_id: int) -> int:
    """A request to join, to the tavolo's coordinator."""
    membro = _membro(membro_id)
    if membro.stato != MembroTavolo.Stato.RICHIESTA:
        return 0
    tavolo = membro.tavolo
    righe = [
        _("%(chi)s chiede di partecipare al tavolo tematico «%(t)s» per l'ente %(e)s.") % {
            "chi": _nome(membro.utente), "t": tavolo.nome, "e": membro.ente or "—"},
    ]
    if membro.messaggio:
        righe += ["", _("Che cosa l'ente porta al tavolo:"), membro.messaggio]
    righe += ["", _("La richiesta si accoglie o si respinge dalla pagina del tavolo: %(url)s") % {
        "url": _indirizzo("tavoli:tavolo", tavolo.pk)}, ""]
    oggetto = _("Richiesta di partecipazione al tavolo «%(t)s»") % {"t": tavolo.nome}
    coordinatore = tavolo.coordinatore
    indirizzi = [coordinatore.email] if coordinatore.email and coordinatore.is_active else []
    return invia_a_ciascuno(oggetto, "\n".join(righe), indirizzi)


@shared_task(acks_late=True)
def invia_esito_adesione(membro_id: int) -> int:
    """The decision on a request to join, to the person who asked."""
    membro = _membro(membro_id)
    tavolo = membro.tavolo
    if membro.stato == MembroTavolo.Stato.ATTIVO:
        oggetto = _("Richiesta accolta: tavolo «%(t)s»") % {"t": tavolo.nome}
        righe = [
            _("La richiesta di partecipare al tavolo tematico «%(t)s» è stata accolta: da ora arrivano le "
              "convocazioni delle sedute.") % {"t": tavolo.nome},
            "",
            _("Pagina del tavolo: %(url)s") % {"url": _indirizzo("tavoli:tavolo", tavolo.pk)},
            "",
        ]
    elif membro.stato == MembroTavolo.Stato.RIFIUTATO:
        oggetto = _("Richiesta non accolta: tavolo «%(t)s»") % {"t": tavolo.nome}
        righe = [
            _("La richiesta di partecipare al tavolo tematico «%(t)s» non è stata accolta.") % {"t": tavolo.nome},
            _("Motivo: %(m)s") % {"m": membro.motivo},
            "",
        ]
    else:
        return 0
    return invia_a_ciascuno(oggetto, "\n".join(righe), [membro.utente.email] if membro.utente.email else [])


@shared_task(acks_late=True)
def invia_verbale_tavolo(verbale_id: int) -> int:
    """The minutes sent round for reading, to the members the session concerns."""
    verbale = VerbaleTavolo.objects.select_related("seduta").get(pk=verbale_id)
    if verbale.stato != VerbaleTavolo.Stato.IN_CIRCOLAZIONE:
        return 0
    seduta = _seduta(verbale.seduta_id)
    quando = timezone.localtime(seduta.data)
    oggetto = _("Verbale in lettura: %(t)s, %(s)s") % {"t": seduta.tavolo.nome, "s": seduta}
    testo = "\n".join([
        _intestazione(seduta),
        "",
        _("Il verbale della seduta n. %(n)s del %(d)s è pronto per la lettura dei componenti.") % {
            "n": seduta.numero, "d": quando.strftime("%d/%m/%Y")},
        _("Le osservazioni si inviano dalla pagina del verbale, prima della sua approvazione: %(url)s") % {
            "url": _indirizzo("tavoli:verbale_tavolo", seduta.pk)},
        "",
    ])
    return invia_a_ciascuno(oggetto, testo, destinatari_seduta(seduta))
