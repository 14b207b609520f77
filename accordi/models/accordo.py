"""The Accordo di Programma that adopts a plan (ITER.md, states 8–11): its parties and their
commitments, the ente capofila designated by the Assemblea, its dates and how it may be
updated, and the cost sharing (*ripartizione degli oneri*) among the Comuni.

One Accordo per revision of the plan: an update of a plan in force (*aggiorna*) prepares a new
Accordo, copied from the one in force, which stays readable and in force until the update is
signed. Amounts are whole euro cents; shares are hundredths of a percent (10000 = 100%), so
that every sum is exact."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ambiti.models import Comune, Ente

from .documenti import Documento
from .piano import PianoDiZona

CENTO_PER_CENTO = 10000  # shares in hundredths of a percent


class AccordoDiProgramma(models.Model):
    piano = models.ForeignKey(PianoDiZona, on_delete=models.PROTECT, related_name="accordi")
    revisione = models.PositiveSmallIntegerField(_("revisione del piano"))
    ente_capofila = models.ForeignKey(
        Ente, on_delete=models.PROTECT, null=True, blank=True, related_name="accordi_capofila",
        verbose_name=_("ente capofila"),
        help_text=_("Designato dall'Assemblea dei Sindaci con deliberazione."),
    )
    deliberazione_capofila = models.ForeignKey(
        "tavoli.Deliberazione", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("deliberazione di designazione"),
    )
    data_inizio = models.DateField(_("in vigore dal"), null=True, blank=True)
    data_fine = models.DateField(_("in vigore fino al"), null=True, blank=True)
    modalita_aggiornamento = models.TextField(
        _("modalità di aggiornamento"), blank=True,
        help_text=_("Come e da chi l'Accordo può essere aggiornato nel triennio."),
    )
    data_popolazione = models.DateField(
        _("popolazione alla data"), null=True, blank=True,
        help_text=_("Data di riferimento della popolazione usata per la ripartizione degli oneri."),
    )
    documento = models.ForeignKey(
        Documento, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("testo dell'Accordo alla firma"),
    )
    aggiornato_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    creato_il = models.DateTimeField(auto_now_add=True)
    aggiornato_il = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Accordo di Programma")
        verbose_name_plural = _("Accordi di Programma")
        ordering = ["piano", "-revisione"]
        constraints = [
            models.UniqueConstraint(fields=["piano", "revisione"], name="accordo_unico_per_revisione"),
            models.CheckConstraint(
                condition=Q(data_inizio__isnull=True) | Q(data_fine__isnull=True) | Q(data_fine__gte=F("data_inizio")),
                name="accordo_date_ordinate",
            ),
        ]

    def __str__(self):
        return _("Accordo di Programma – %(piano)s") % {"piano": self.piano}


class ParteAccordo(models.Model):
    """A party to the Accordo: every Comune of the plan's ambiti and the ASL (mandatory
    signatories, art. 34 D.Lgs. 267/2000), the Provincia where it is a party, other public
    bodies. ``firmatario`` is the person who signs for the body."""

    class Ruolo(models.TextChoices):
        COMUNE = "comune", _("Comune")
        ASL = "asl", _("ASL / ATS")
        PROVINCIA = "provincia", _("Provincia")
        ALTRO_PUBBLICO = "altro_pubblico", _("Altro ente pubblico")

    accordo = models.ForeignKey(AccordoDiProgramma, on_delete=models.CASCADE, related_name="parti")
    ente = models.ForeignKey(Ente, on_delete=models.PROTECT, related_name="parti_accordo")
    ruolo = models.CharField(_("ruolo"), max_length=20, choices=Ruolo.choices)
    firma_obbligatoria = models.BooleanField(_("firma obbligatoria"), default=True)
    firmatario = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("firmatario"),
    )
    impegni = models.TextField(_("impegni"), blank=True)
    ordine = models.PositiveSmallIntegerField(_("ordine"), default=0)

    class Meta:
        verbose_name = _("parte dell'Accordo")
        verbose_name_plural = _("parti dell'Accordo")
        ordering = ["accordo", "ordine", "pk"]
        constraints = [models.UniqueConstraint(fields=["accordo", "ente"], name="parte_unica")]

    def __str__(self):
        return str(self.ente)


class PopolazioneRiferimento(models.Model):
    """The population of a Comune at the Accordo's reference date (``data_popolazione``),
    proposed from the registry and corrected by the Ufficio di Piano."""

    accordo = models.ForeignKey(AccordoDiProgramma, on_delete=models.CASCADE, related_name="popolazioni")
    comune = models.ForeignKey(Comune, on_delete=models.PROTECT, related_name="+")
    abitanti = models.PositiveIntegerField(_("abitanti"))

    class Meta:
        verbose_name = _("popolazione di riferimento")
        verbose_name_plural = _("popolazioni di riferimento")
        ordering = ["accordo", "comune__denominazione"]
        constraints = [models.UniqueConstraint(fields=["accordo", "comune"], name="popolazione_unica")]

    def __str__(self):
        return f"{self.comune}: {self.abitanti}"


class VoceOnere(models.Model):
    """A cost item shared among the Comuni (segretariato sociale, tutela minori, SAD, the
    Ufficio di Piano itself…) and its rule: per inhabitant, or mixed (shares by population, by
    users served, in equal parts, adding to 100%)."""

    class Criterio(models.TextChoices):
        PER_ABITANTE = "per_abitante", _("Per abitante")
        MISTO = "misto", _("Misto (popolazione, utenti serviti, parti uguali)")

    accordo = models.ForeignKey(AccordoDiProgramma, on_delete=models.CASCADE, related_name="voci_onere")
    denominazione = models.CharField(_("voce di costo"), max_length=200)
    criterio = models.CharField(_("criterio"), max_length=15, choices=Criterio.choices,
                                default=Criterio.PER_ABITANTE)
    quota_popolazione = models.PositiveIntegerField(_("quota per popolazione"), default=CENTO_PER_CENTO)
    quota_utenti = models.PositiveIntegerField(_("quota per utenti serviti"), default=0)
    quota_parti_uguali = models.PositiveIntegerField(_("quota in parti uguali"), default=0)
    ordine = models.PositiveSmallIntegerField(_("ordine"), default=0)

    class Meta:
        verbose_name = _("voce di costo")
        verbose_name_plural = _("voci di costo")
        ordering = ["accordo", "ordine", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quota_popolazione__lte=CENTO_PER_CENTO) & Q(quota_utenti__lte=CENTO_PER_CENTO)
                & Q(quota_parti_uguali__lte=CENTO_PER_CENTO),
                name="voce_quote_entro_cento",
            ),
            models.CheckConstraint(
                condition=Q(criterio="misto") | Q(quota_popolazione=CENTO_PER_CENTO, quota_utenti=0,
                                                   quota_parti_uguali=0),
                name="voce_per_abitante_tutta_popolazione",
            ),
        ]

    def __str__(self):
        return self.denominazione


class ImportoOnere(models.Model):
    """The total of a cost item for one year of the cycle, in euro cents."""

    voce = models.ForeignKey(VoceOnere, on_delete=models.CASCADE, related_name="importi")
    anno = models.PositiveSmallIntegerField(_("anno"))
    centesimi = models.BigIntegerField(_("totale (centesimi)"))

    class Meta:
        verbose_name = _("importo annuo")
        verbose_name_plural = _("importi annui")
        ordering = ["voce", "anno"]
        constraints = [
            models.UniqueConstraint(fields=["voce", "anno"], name="importo_onere_unico"),
            models.CheckConstraint(condition=Q(centesimi__gte=0), name="importo_onere_non_negativo"),
        ]

    def __str__(self):
        return f"{self.voce} {self.anno}"


class UtentiServiti(models.Model):
    """Users served in a Comune by a cost item's service: the weight of the users' share."""

    voce = models.ForeignKey(VoceOnere, on_delete=models.CASCADE, related_name="utenti_serviti")
    comune = models.ForeignKey(Comune, on_delete=models.PROTECT, related_name="+")
    numero = models.PositiveIntegerField(_("utenti serviti"))

    class Meta:
        verbose_name = _("utenti serviti")
        verbose_name_plural = _("utenti serviti")
        ordering = ["voce", "comune__denominazione"]
        constraints = [models.UniqueConstraint(fields=["voce", "comune"], name="utenti_serviti_unici")]

    def __str__(self):
        return f"{self.voce} – {self.comune}: {self.numero}"
