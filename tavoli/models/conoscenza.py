"""What the tavoli know: the areas of intervention (configurable per region, mapped to the
national codings), the catalogue of the kinds of service (unità di offerta), and the
contributions raised in sessions — needs, offer and proposals — that make up a plan's
knowledge base. Every contribution points to the session and the body that raised it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ambiti.models import Comune, Ente, Regione


class AreaFNPS(models.TextChoices):
    """The three areas of the Fondo Nazionale Politiche Sociali (Piano sociale nazionale)."""

    INFANZIA = "infanzia_famiglia", _("Infanzia, adolescenza e famiglia")
    DISABILITA = "disabilita", _("Disabilità e non autosufficienza")
    POVERTA = "poverta", _("Povertà ed esclusione sociale")


class AreaISTAT(models.TextChoices):
    """ISTAT's *aree di utenza* of the survey of municipal social spending."""

    FAMIGLIA_MINORI = "famiglia_minori", _("Famiglia e minori")
    DISABILI = "disabili", _("Disabili")
    DIPENDENZE = "dipendenze", _("Dipendenze")
    ANZIANI = "anziani", _("Anziani (65 anni e più)")
    IMMIGRATI = "immigrati", _("Immigrati, rom, sinti e caminanti")
    POVERTA = "poverta", _("Povertà, disagio adulti e senza dimora")
    MULTIUTENZA = "multiutenza", _("Multiutenza")


class AreaIntervento(models.Model):
    """An area of intervention of one region's list (anziani, disabilità…). Each region keeps
    its own list, mapped to the FNPS and ISTAT areas so that plans compare nationally; an area
    in use is retired, never deleted."""

    regione = models.ForeignKey(Regione, on_delete=models.PROTECT, related_name="aree_intervento")
    codice = models.SlugField(_("codice"), max_length=40)
    nome = models.CharField(_("nome"), max_length=120)
    descrizione = models.TextField(_("descrizione"), blank=True)
    area_fnps = models.CharField(_("area FNPS"), max_length=20, choices=AreaFNPS.choices, blank=True)
    area_istat = models.CharField(_("area di utenza ISTAT"), max_length=20, choices=AreaISTAT.choices, blank=True)
    ordine = models.PositiveSmallIntegerField(_("ordine"), default=0)
    attiva = models.BooleanField(_("in uso"), default=True)

    class Meta:
        verbose_name = _("area di intervento")
        verbose_name_plural = _("aree di intervento")
        ordering = ["regione", "ordine", "nome"]
        constraints = [
            models.UniqueConstraint(fields=["regione", "codice"], name="area_codice_unico"),
            models.UniqueConstraint(fields=["regione", "nome"], name="area_nome_unico"),
        ]

    def __str__(self):
        return self.nome


class TipoUnitaOfferta(models.Model):
    """A kind of service in the catalogue of *unità di offerta sociali* (asilo nido, CAG, CSE,
    SFA, CDD, SAD…). The national catalogue has ``regione`` empty; a region may add its own."""

    regione = models.ForeignKey(Regione, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    codice = models.SlugField(_("codice"), max_length=40)
    sigla = models.CharField(_("sigla"), max_length=20, blank=True)
    nome = models.CharField(_("nome"), max_length=160)
    area_istat = models.CharField(_("area di utenza ISTAT"), max_length=20, choices=AreaISTAT.choices, blank=True)
    unita_capacita = models.CharField(_("capacità espressa in"), max_length=40, blank=True,
                                      help_text=_("Per esempio: posti, utenti, ore settimanali."))
    attivo = models.BooleanField(_("in uso"), default=True)

    class Meta:
        verbose_name = _("tipo di unità di offerta")
        verbose_name_plural = _("tipi di unità di offerta")
        ordering = ["nome"]
        constraints = [
            models.UniqueConstraint(fields=["codice"], condition=Q(regione__isnull=True),
                                    name="tipo_offerta_codice_nazionale_unico"),
            models.UniqueConstraint(fields=["regione", "codice"], name="tipo_offerta_codice_unico"),
        ]

    def __str__(self):
        return f"{self.nome} ({self.sigla})" if self.sigla else self.nome


class LivelloPriorita(models.TextChoices):
    ALTA = "alta", _("Alta")
    MEDIA = "media", _("Media")
    BASSA = "bassa", _("Bassa")


class Contributo(models.Model):
    """What every contribution shares: the session where it was raised (hence the tavolo, the
    plan and the ambito), the body that raised it and who recorded it."""

    seduta = models.ForeignKey("tavoli.SedutaTavolo", on_delete=models.PROTECT, related_name="%(class)s_set",
                               verbose_name=_("seduta"))
    area = models.ForeignKey(AreaIntervento, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("area di intervento"))
    ente = models.ForeignKey(Ente, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("ente che lo ha proposto"))
    proposto_da = models.CharField(_("proposto da (persona)"), max_length=200, blank=True)
    registrato_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    registrato_il = models.DateTimeField(auto_now_add=True)
    aggiornato_il = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Bisogno(Contributo):
    """A need raised at a tavolo: who is affected, what, on what evidence, how urgent."""

    destinatari = models.CharField(_("destinatari"), max_length=200,
                                   help_text=_("Il gruppo di persone interessato, per esempio: "
                                               "anziani soli non autosufficienti."))
    descrizione = models.TextField(_("descrizione del bisogno"))
    evidenza = models.TextField(_("evidenza o fonte"), blank=True,
                                help_text=_("Dati, servizi o esperienze che documentano il bisogno."))
    priorita = models.CharField(_("priorità"), max_length=8, choices=LivelloPriorita.choices,
                                default=LivelloPriorita.MEDIA)
    comuni = models.ManyToManyField(Comune, blank=True, related_name="+", verbose_name=_("Comuni interessati"))

    class Meta:
        verbose_name = _("bisogno")
        verbose_name_plural = _("bisogni")
        ordering = ["seduta", "pk"]

    def __str__(self):
        return self.descrizione[:80]


class UnitaOfferta(Contributo):
    """A service on the ground reported at a tavolo: its kind from the catalogue, who runs it,
    how many it serves and where."""

    tipo = models.ForeignKey(TipoUnitaOfferta, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("tipo"))
    denominazione = models.CharField(_("denominazione"), max_length=200)
    gestore = models.ForeignKey(Ente, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name=_("ente gestore"))
    gestore_nome = models.CharField(_("ente gestore (se non in anagrafe)"), max_length=200, blank=True)
    capacita = models.PositiveIntegerField(_("capacità"), null=True, blank=True)
    comune = models.ForeignKey(Comune, on_delete=models.PROTECT, related_name="+", verbose_name=_("Comune"))
    indirizzo = models.CharField(_("indirizzo"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("unità di offerta")
        verbose_name_plural = _("unità di offerta")
        ordering = ["seduta", "pk"]

    def __str__(self):
        return self.denominazione

    @property
    def gestito_da(self) -> str:
        return str(self.gestore) if self.gestore_id else self.gestore_nome


class Proposta(Contributo):
    """A proposal for the plan raised at a tavolo."""

    titolo = models.CharField(_("titolo"), max_length=200)
    descrizione = models.TextField(_("descrizione"))
    bisogni = models.ManyToManyField(Bisogno, blank=True, related_name="proposte",
                                     verbose_name=_("bisogni a cui risponde"))

    class Meta:
        verbose_name = _("proposta")
        verbose_name_plural = _("proposte")
        ordering = ["seduta", "pk"]

    def __str__(self):
        return self.titolo
