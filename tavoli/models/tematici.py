"""Tavoli tematici: one per plan and area of intervention, split into focus-groups; their
members (by invitation, or on a Terzo Settore body's request accepted by the coordinator);
their sessions with agenda, attendance register and minutes; the append-only log of every
change. State changes happen only through ``tavoli.services_tavoli`` and the services beside
it (members, sessions, contributions, minutes)."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from ambiti.models import Ente
from ambiti.sola_aggiunta import SolaAggiunta

from .conoscenza import AreaIntervento


class Tavolo(models.Model):
    """The tavolo of one plan on one area of intervention, led by a coordinator."""

    piano = models.ForeignKey("accordi.PianoDiZona", on_delete=models.PROTECT, related_name="tavoli",
                              verbose_name=_("piano"))
    area = models.ForeignKey(AreaIntervento, on_delete=models.PROTECT, related_name="tavoli",
                             verbose_name=_("area di intervento"))
    nome = models.CharField(_("nome"), max_length=200)
    mandato = models.TextField(_("mandato"), blank=True,
                               help_text=_("Che cosa il tavolo deve produrre e per quando."))
    coordinatore = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("coordinatore"))
    creato_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    creato_il = models.DateTimeField(auto_now_add=True)
    chiuso_il = models.DateTimeField(_("chiuso il"), null=True, blank=True)

    class Meta:
        verbose_name = _("tavolo tematico")
        verbose_name_plural = _("tavoli tematici")
        ordering = ["piano", "area__ordine", "nome"]
        constraints = [
            models.UniqueConstraint(fields=["piano", "area"], name="tavolo_unico_per_area"),
        ]

    def __str__(self):
        return self.nome

    @property
    def attivo(self) -> bool:
        return self.chiuso_il is None


class FocusGroup(models.Model):
    """A sub-group of a tavolo on a narrower theme, with its own members (all members of the
    tavolo) and an optional referente."""

    tavolo = models.ForeignKey(Tavolo, on_delete=models.PROTECT, related_name="focus_group")
    nome = models.CharField(_("nome"), max_length=200)
    tema = models.TextField(_("tema"), blank=True)
    referente = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("referente"))
    membri = models.ManyToManyField("MembroTavolo", blank=True, related_name="focus_group",
                                    verbose_name=_("componenti"))
    creato_il = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("focus-group")
        verbose_name_plural = _("focus-group")
        ordering = ["tavolo", "nome"]
        constraints = [
            models.UniqueConstraint(fields=["tavolo", "nome"], name="focus_group_nome_unico"),
        ]

    def __str__(self):
        return self.nome


class MembroTavolo(models.Model):
    """A person's place in a tavolo, for a body. Invitations wait for the person to accept;
    requests from Terzo Settore bodies wait for the coordinator. Rows are never deleted: a
    member who leaves is marked so."""

    class Stato(models.TextChoices):
        INVITATO = "invitato", _("Invitato, in attesa di risposta")
        RICHIESTA = "richiesta", _("Ha chiesto di partecipare")
        ATTIVO = "attivo", _("Componente")
        RIFIUTATO = "rifiutato", _("Non ammesso")
        DECLINATO = "declinato", _("Ha declinato l'invito")
        USCITO = "uscito", _("Non più componente")

    tavolo = models.ForeignKey(Tavolo, on_delete=models.PROTECT, related_name="membri")
    utente = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tavoli",
                               verbose_name=_("persona"))
    ente = models.ForeignKey(Ente, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("ente rappresentato"))
    stato = models.CharField(_("stato"), max_length=10, choices=Stato.choices)
    messaggio = models.TextField(_("messaggio"), blank=True,
                                 help_text=_("Che cosa l'ente porta al tavolo (competenze, servizi, dati)."))
    motivo = models.TextField(_("motivazione della decisione"), blank=True)
    proposto_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposto_il = models.DateTimeField(auto_now_add=True)
    deciso_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    deciso_il = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("componente del tavolo")
        verbose_name_plural = _("componenti del tavolo")
        ordering = ["tavolo", "utente__last_name", "utente__first_name"]
        constraints = [
            models.UniqueConstraint(fields=["tavolo", "utente"], name="membro_tavolo_unico"),
        ]

    def __str__(self):
        nome = self.utente.get_full_name() or self.utente.get_username()
        return f"{nome} ({self.ente})" if self.ente_id else nome

    @property
    def attivo(self) -> bool:
        return self.stato == self.Stato.ATTIVO


class SedutaTavolo(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """A session of a tavolo or of one of its focus-groups: prepared, convened (members
    invited by e-mail with an .ics), held (attendance and contributions recorded), or
    cancelled. Its minutes are a ``VerbaleTavolo``."""

    class Stato(models.TextChoices):
        BOZZA = "bozza", _("In preparazione")
        CONVOCATA = "convocata", _("Convocata")
        SVOLTA = "svolta", _("Svolta")
        ANNULLATA = "annullata", _("Annullata")

    tavolo = models.ForeignKey(Tavolo, on_delete=models.PROTECT, related_name="sedute")
    focus_group = models.ForeignKey(FocusGroup, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="sedute", verbose_name=_("focus-group"))
    numero = models.PositiveIntegerField(_("numero"))
    data = models.DateTimeField(_("data e ora"))
    durata_minuti = models.PositiveSmallIntegerField(_("durata prevista (minuti)"), default=120)
    luogo = models.CharField(_("luogo"), max_length=255, blank=True)
    collegamento = models.URLField(_("collegamento online"), blank=True)
    ordine_del_giorno = models.TextField(_("ordine del giorno"),
                                         help_text=_("Un punto per riga."))
    stato = FSMField(_("stato"), max_length=12, choices=Stato.choices, default=Stato.BOZZA, protected=True)
    creata_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    creata_il = models.DateTimeField(auto_now_add=True)
    convocata_il = models.DateTimeField(_("convocata il"), null=True, blank=True)
    motivo_annullamento = models.TextField(_("motivo dell'annullamento"), blank=True)

    class Meta:
        verbose_name = _("seduta di tavolo")
        verbose_name_plural = _("sedute di tavolo")
        ordering = ["-data"]
        constraints = [
            models.UniqueConstraint(fields=["tavolo", "numero"], name="seduta_tavolo_numero_unico"),
            models.CheckConstraint(condition=~Q(luogo="", collegamento=""),
                                   name="seduta_tavolo_luogo_o_collegamento"),
        ]

    def __str__(self):
        return _("Seduta n. %(n)s del %(d)s") % {"n": self.numero, "d": self.data.strftime("%d/%m/%Y")}

    @property
    def punti(self) -> list[str]:
        return [r.strip() for r in self.ordine_del_giorno.splitlines() if r.strip()]

    @transition(field=stato, source=Stato.BOZZA, target=Stato.CONVOCATA)
    def convoca(self):
        pass

    @transition(field=stato, source=[Stato.BOZZA, Stato.CONVOCATA], target=Stato.SVOLTA)
    def registra_svolgimento(self):
        pass

    @transition(field=stato, source=[Stato.BOZZA, Stato.CONVOCATA], target=Stato.ANNULLATA)
    def annulla(self):
        pass


class PresenzaTavolo(models.Model):
    """One line of a session's attendance register: who came and for which body. Guests who
    are not members are recorded by name."""

    seduta = models.ForeignKey(SedutaTavolo, on_delete=models.CASCADE, related_name="presenze")
    membro = models.ForeignKey(MembroTavolo, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    nominativo = models.CharField(_("nome e cognome"), max_length=200)
    ente = models.ForeignKey(Ente, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("per l'ente"))
    ente_nome = models.CharField(_("per l'ente (se non in anagrafe)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("presenza")
        verbose_name_plural = _("presenze")
        ordering = ["seduta", "nominativo"]
        constraints = [
            models.UniqueConstraint(fields=["seduta", "membro"], condition=Q(membro__isnull=False),
                                    name="presenza_membro_unica"),
        ]

    def __str__(self):
        return self.nominativo

    @property
    def per_ente(self) -> str:
        return str(self.ente) if self.ente_id else self.ente_nome


class VerbaleTavolo(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """The minutes of a session: drafted in the browser (one text per agenda item, decisions,
    next steps), circulated to the members for observations, approved by the coordinator or
    at a later session, then frozen and issued as a PDF act."""

    class Stato(models.TextChoices):
        BOZZA = "bozza", _("In redazione")
        IN_CIRCOLAZIONE = "in_circolazione", _("Inviato ai componenti")
        APPROVATO = "approvato", _("Approvato")

    class Approvazione(models.TextChoices):
        COORDINATORE = "coordinatore", _("Dal coordinatore")
        SEDUTA = "seduta", _("In una seduta successiva")

    seduta = models.OneToOneField(SedutaTavolo, on_delete=models.PROTECT, related_name="verbale")
    stato = FSMField(_("stato"), max_length=16, choices=Stato.choices, default=Stato.BOZZA, protected=True)
    discussione = models.JSONField(_("discussione per punto"), default=list, blank=True,
                                   help_text=_("Per ogni punto dell'ordine del giorno: {'punto', 'testo'}."))
    decisioni = models.TextField(_("decisioni e indicazioni emerse"), blank=True)
    prossimi_passi = models.TextField(_("prossimi passi"), blank=True)
    versione = models.PositiveIntegerField(default=1)
    redatto_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    aggiornato_il = models.DateTimeField(auto_now=True)
    inviato_il = models.DateTimeField(_("inviato ai componenti il"), null=True, blank=True)
    modalita_approvazione = models.CharField(_("approvato"), max_length=12, choices=Approvazione.choices,
                                             blank=True)
    approvato_in = models.ForeignKey(SedutaTavolo, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="verbali_approvati", verbose_name=_("approvato nella seduta"))
    approvato_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    approvato_il = models.DateTimeField(_("approvato il"), null=True, blank=True)
    documento = models.ForeignKey("accordi.Documento", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("atto"))

    class Meta:
        verbose_name = _("verbale di seduta di tavolo")
        verbose_name_plural = _("verbali di sedute di tavolo")
        constraints = [
            models.CheckConstraint(
                condition=~Q(stato="approvato") | Q(approvato_il__isnull=False, modalita_approvazione__in=[
                    "coordinatore", "seduta"]),
                name="verbale_approvato_con_data"),
        ]

    def __str__(self):
        return _("Verbale della %(seduta)s") % {"seduta": str(self.seduta).lower()}

    @property
    def modificabile(self) -> bool:
        return self.stato != self.Stato.APPROVATO

    @transition(field=stato, source=Stato.BOZZA, target=Stato.IN_CIRCOLAZIONE)
    def invia(self):
        pass

    @transition(field=stato, source=Stato.IN_CIRCOLAZIONE, target=Stato.BOZZA)
    def riapri(self):
        pass

    @transition(field=stato, source=[Stato.BOZZA, Stato.IN_CIRCOLAZIONE], target=Stato.APPROVATO)
    def approva(self):
        pass


class OsservazioneVerbale(models.Model):
    """A member's observation on circulated minutes, which the drafter takes into account."""

    verbale = models.ForeignKey(VerbaleTavolo, on_delete=models.CASCADE, related_name="osservazioni")
    versione = models.PositiveIntegerField(_("sulla versione"))
    autore = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    testo = models.TextField(_("osservazione"))
    creata_il = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("osservazione al verbale")
        verbose_name_plural = _("osservazioni al verbale")
        ordering = ["verbale", "creata_il"]

    def __str__(self):
        return self.testo[:80]


class EventoTavolo(SolaAggiunta):
    """Append-only log of a tavolo: creation, members, focus-groups, sessions, minutes."""

    class Azione(models.TextChoices):
        TAVOLO_CREATO = "tavolo_creato", _("Tavolo costituito")
        TAVOLO_MODIFICATO = "tavolo_modificato", _("Tavolo modificato")
        TAVOLO_CHIUSO = "tavolo_chiuso", _("Tavolo chiuso")
        INVITO = "invito", _("Invito a partecipare")
        RICHIESTA = "richiesta", _("Richiesta di partecipazione")
        AMMISSIONE = "ammissione", _("Componente ammesso")
        RIFIUTO = "rifiuto", _("Richiesta non accolta")
        DECLINAZIONE = "declinazione", _("Invito declinato")
        USCITA = "uscita", _("Componente uscito")
        FOCUS_GROUP = "focus_group", _("Focus-group costituito")
        FOCUS_GROUP_MEMBRI = "focus_group_membri", _("Componenti del focus-group aggiornati")
        SEDUTA_CREATA = "seduta_creata", _("Seduta preparata")
        SEDUTA_CONVOCATA = "seduta_convocata", _("Seduta convocata")
        SEDUTA_SVOLTA = "seduta_svolta", _("Seduta svolta")
        SEDUTA_ANNULLATA = "seduta_annullata", _("Seduta annullata")
        PRESENZE = "presenze", _("Registro presenze aggiornato")
        CONTRIBUTO = "contributo", _("Contributo registrato")
        CONTRIBUTO_MODIFICATO = "contributo_modificato", _("Contributo modificato")
        VERBALE_SALVATO = "verbale_salvato", _("Verbale aggiornato")
        VERBALE_INVIATO = "verbale_inviato", _("Verbale inviato ai componenti")
        VERBALE_RIAPERTO = "verbale_riaperto", _("Verbale riaperto per modifiche")
        OSSERVAZIONE = "osservazione", _("Osservazione al verbale")
        VERBALE_APPROVATO = "verbale_approvato", _("Verbale approvato")

    tavolo = models.ForeignKey(Tavolo, on_delete=models.PROTECT, related_name="eventi")
    seduta = models.ForeignKey(SedutaTavolo, on_delete=models.PROTECT, null=True, blank=True, related_name="eventi")
    azione = models.CharField(_("azione"), max_length=30, choices=Azione.choices)
    da_stato = models.CharField(max_length=20, blank=True)
    a_stato = models.CharField(max_length=20, blank=True)
    utente = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")
    quando = models.DateTimeField(auto_now_add=True)
    descrizione = models.TextField(blank=True)

    class Meta:
        verbose_name = _("evento del tavolo")
        verbose_name_plural = _("eventi del tavolo")
        ordering = ["quando", "pk"]

    def __str__(self):
        return f"{self.quando:%d/%m/%Y %H:%M} {self.get_azione_display()}"


def _nuovo_token() -> str:
    return secrets.token_urlsafe(32)


class FeedCalendario(models.Model):
    """A person's private iCal address: calendar apps cannot sign in, so the address itself is
    the secret. It can be regenerated, which revokes the old one."""

    utente = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_calendario")
    token = models.CharField(max_length=64, unique=True, default=_nuovo_token)
    creato_il = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("calendario personale")
        verbose_name_plural = _("calendari personali")

    def __str__(self):
        return str(self.utente)
