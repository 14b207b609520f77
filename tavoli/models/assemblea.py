"""The Assemblea dei Sindaci, its voting rules, delegations, and the Ufficio di Piano."""

from fractions import Fraction

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambiti.models import Ambito, Comune, Ente

from .. import voto


class Assemblea(models.Model):
    """The political body of one ambito: one seat per Comune of the ambito, held by its mayor
    or a delegate. Its current voting rule is ``regola``; every vote keeps the rule it was
    taken under."""

    ambito = models.OneToOneField(Ambito, on_delete=models.PROTECT, related_name="assemblea")
    regola = models.ForeignKey(
        "RegolaVoto", on_delete=models.PROTECT, related_name="+", verbose_name=_("regola di voto in vigore"),
    )
    creata_il = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Assemblea dei Sindaci")
        verbose_name_plural = _("Assemblee dei Sindaci")

    def __str__(self):
        return _("Assemblea dei Sindaci – %(ambito)s") % {"ambito": self.ambito.nome}


class RegolaVoto(models.Model):
    """One version of an Assemblea's voting rule. Rules are never edited: a change makes a new
    row, so the rule under which each past vote was taken stays readable."""

    class Modalita(models.TextChoices):
        PER_CAPITA = voto.PER_CAPITA, _("Un voto per Comune")
        PONDERATO = voto.PONDERATO, _("Voto ponderato sulla popolazione")
        DOPPIA = voto.DOPPIA, _("Doppia maggioranza (Comuni e popolazione)")

    class Maggioranza(models.TextChoices):
        SEMPLICE = voto.SEMPLICE, _("Semplice: più favorevoli che contrari")
        ASSOLUTA = voto.ASSOLUTA, _("Assoluta: più della metà della base")
        QUALIFICATA = voto.QUALIFICATA, _("Qualificata: almeno la frazione indicata della base")

    class Base(models.TextChoices):
        VOTANTI = voto.BASE_VOTANTI, _("I votanti")
        COMPONENTI = voto.BASE_COMPONENTI, _("Tutti i componenti dell'Assemblea")

    assemblea = models.ForeignKey(
        Assemblea, on_delete=models.PROTECT, null=True, blank=True, related_name="regole",
    )
    modalita = models.CharField(_("come pesa ogni Comune"), max_length=12, choices=Modalita.choices,
                                default=Modalita.PER_CAPITA)
    quorum_numeratore = models.PositiveSmallIntegerField(_("quorum: numeratore"), default=1,
                                                         validators=[MinValueValidator(1)])
    quorum_denominatore = models.PositiveSmallIntegerField(_("quorum: denominatore"), default=2,
                                                           validators=[MinValueValidator(1)])
    quorum_strettamente = models.BooleanField(
        _("quorum: più della frazione"), default=True,
        help_text=_("Se attivo servono più della frazione indicata (es. più della metà); altrimenti almeno "
                    "la frazione."),
    )
    maggioranza = models.CharField(_("maggioranza per deliberare"), max_length=12,
                                   choices=Maggioranza.choices, default=Maggioranza.SEMPLICE)
    qualificata_numeratore = models.PositiveSmallIntegerField(_("maggioranza qualificata: numeratore"),
                                                              default=2, validators=[MinValueValidator(1)])
    qualificata_denominatore = models.PositiveSmallIntegerField(_("maggioranza qualificata: denominatore"),
                                                                default=3, validators=[MinValueValidator(1)])
    base = models.CharField(_("base della maggioranza"), max_length=12, choices=Base.choices,
                            default=Base.VOTANTI)
    astenuti_contano = models.BooleanField(
        _("gli astenuti contano come votanti"), default=False,
        help_text=_("Se attivo, gli astenuti entrano nella base e pesano come voti non favorevoli."),
    )
    riferimento = models.CharField(
        _("riferimento al regolamento"), max_length=255, blank=True,
        help_text=_("Es.: art. 6 del regolamento dell'Assemblea, approvato il 12/01/2026."),
    )
    creata_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="+")
    creata_il = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("regola di voto")
        verbose_name_plural = _("regole di voto")
        ordering = ["-creata_il", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quorum_numeratore__lte=models.F("quorum_denominatore")),
                                   name="regola_quorum_frazione_propria"),
            models.CheckConstraint(
                condition=Q(qualificata_numeratore__lte=models.F("qualificata_denominatore")),
                name="regola_qualificata_frazione_propria",
            ),
        ]

    def __str__(self):
        return self.testo

    def clean(self):
        errori = {}
        if self.quorum_numeratore and self.quorum_denominatore and self.quorum_numeratore > self.quorum_denominatore:
            errori["quorum_numeratore"] = _("Il quorum non può superare l'intera Assemblea.")
        if (self.qualificata_numeratore and self.qualificata_denominatore
                and self.qualificata_numeratore > self.qualificata_denominatore):
            errori["qualificata_numeratore"] = _("La maggioranza qualificata non può superare il totale.")
        elif (self.maggioranza == self.Maggioranza.QUALIFICATA and self.qualificata_numeratore
              and self.qualificata_denominatore
              and 2 * self.qualificata_numeratore <= self.qualificata_denominatore):
            errori["qualificata_numeratore"] = _("Una maggioranza qualificata è più della metà (es. 2/3, 3/5): "
                                                 "per la metà scegli la maggioranza assoluta.")
        if (self.maggioranza == self.Maggioranza.SEMPLICE and self.base == self.Base.COMPONENTI):
            errori["base"] = _("La maggioranza semplice confronta favorevoli e contrari: la base dei "
                               "componenti vale solo per la maggioranza assoluta o qualificata.")
        if errori:
            raise ValidationError(errori)

    def come_regola(self) -> voto.Regola:
        return voto.Regola(
            modalita=self.modalita,
            quorum=Fraction(self.quorum_numeratore, self.quorum_denominatore),
            quorum_strettamente=self.quorum_strettamente,
            maggioranza=self.maggioranza,
            frazione_qualificata=Fraction(self.qualificata_numeratore, self.qualificata_denominatore),
            base=self.base,
            astenuti_contano=self.astenuti_contano,
        )

    @property
    def testo(self) -> str:
        testo = voto.testo_regola(self.come_regola())
        if self.riferimento:
            testo = _("%(regola)s Riferimento: %(riferimento)s.") % {
                "regola": testo, "riferimento": self.riferimento.rstrip(".")}
        return testo


class Delega(models.Model):
    """A written delegation: the mayor of a Comune lets another person hold the Comune's seat,
    for one session or for a period. The signed delegation is attached."""

    assemblea = models.ForeignKey(Assemblea, on_delete=models.PROTECT, related_name="deleghe")
    comune = models.ForeignKey(Comune, on_delete=models.PROTECT, related_name="+")
    delegato = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="deleghe_ricevute",
                                 verbose_name=_("delegato"))
    seduta = models.ForeignKey("Seduta", on_delete=models.PROTECT, null=True, blank=True, related_name="deleghe",
                               verbose_name=_("per la seduta"))
    dal = models.DateField(_("valida dal"), null=True, blank=True)
    al = models.DateField(_("valida fino al"), null=True, blank=True)
    atto = models.FileField(_("atto di delega"), upload_to="deleghe/%Y/", max_length=255)
    registrata_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    registrata_il = models.DateTimeField(auto_now_add=True)
    revocata_il = models.DateTimeField(_("revocata il"), null=True, blank=True)

    class Meta:
        verbose_name = _("delega")
        verbose_name_plural = _("deleghe")
        ordering = ["-registrata_il"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(seduta__isnull=False, dal__isnull=True, al__isnull=True)
                           | Q(seduta__isnull=True, dal__isnull=False, al__isnull=False, al__gte=models.F("dal"))),
                name="delega_seduta_o_periodo",
            ),
        ]

    def __str__(self):
        return _("Delega di %(comune)s a %(delegato)s") % {
            "comune": self.comune, "delegato": self.delegato.get_full_name() or self.delegato}

    def vale_per(self, seduta) -> bool:
        if self.revocata_il is not None:
            return False
        if self.seduta_id:
            return self.seduta_id == seduta.pk
        giorno = timezone.localtime(seduta.data).date()
        return self.dal <= giorno <= self.al


class UfficioDiPiano(models.Model):
    """The technical office that drafts the plan, as constituted by an act: its responsible
    person, its members and its seat at the ente capofila."""

    ambito = models.OneToOneField(Ambito, on_delete=models.PROTECT, related_name="ufficio_di_piano")
    responsabile = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("responsabile"))
    sede = models.ForeignKey(Ente, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("sede presso l'ente"))
    atto_costitutivo = models.CharField(
        _("atto costitutivo"), max_length=255,
        help_text=_("Estremi dell'atto che ha costituito l'Ufficio di Piano (es.: deliberazione "
                    "dell'Assemblea dei Sindaci n. 2/2026 del 15/01/2026)."),
    )
    deliberazione = models.ForeignKey("Deliberazione", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name=_("deliberazione costitutiva"))
    allegato = models.FileField(_("copia dell'atto"), upload_to="udp/%Y/", max_length=255, blank=True)
    costituito_il = models.DateField(_("costituito il"))
    registrato_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    aggiornato_il = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Ufficio di Piano")
        verbose_name_plural = _("Uffici di Piano")

    def __str__(self):
        return _("Ufficio di Piano – %(ambito)s") % {"ambito": self.ambito.nome}


class ComponenteUfficio(models.Model):
    """A member of the Ufficio di Piano, with the body they come from and their function."""

    ufficio = models.ForeignKey(UfficioDiPiano, on_delete=models.CASCADE, related_name="componenti")
    nominativo = models.CharField(_("nome e cognome"), max_length=200)
    utente = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("utente PianoZona"))
    ente = models.ForeignKey(Ente, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("ente di provenienza"))
    funzione = models.CharField(_("funzione"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("componente dell'Ufficio di Piano")
        verbose_name_plural = _("componenti dell'Ufficio di Piano")
        ordering = ["ufficio", "nominativo"]

    def __str__(self):
        return self.nominativo
