"""Sessions of the Assemblea: agenda, seats with frozen population, votes, deliberations and
the append-only log of every change."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from ambiti.models import Comune, Ente
from ambiti.sola_aggiunta import SolaAggiunta

from .. import voto
from .assemblea import Assemblea, Delega, RegolaVoto


class Seduta(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """A session: prepared (agenda), convened (members invited, population frozen per seat),
    opened once the quorum is present, closed. Its state changes only through
    ``tavoli.services``."""

    class Stato(models.TextChoices):
        BOZZA = "bozza", _("In preparazione")
        CONVOCATA = "convocata", _("Convocata")
        APERTA = "aperta", _("In corso")
        CHIUSA = "chiusa", _("Chiusa")
        ANNULLATA = "annullata", _("Annullata")

    assemblea = models.ForeignKey(Assemblea, on_delete=models.PROTECT, related_name="sedute")
    numero = models.PositiveIntegerField(_("numero"))
    anno = models.PositiveSmallIntegerField(_("anno"))
    data = models.DateTimeField(_("data e ora"))
    durata_minuti = models.PositiveSmallIntegerField(_("durata prevista (minuti)"), default=120)
    luogo = models.CharField(_("luogo"), max_length=255, blank=True)
    collegamento = models.URLField(_("collegamento online"), blank=True)
    stato = FSMField(_("stato"), max_length=12, choices=Stato.choices, default=Stato.BOZZA, protected=True)
    creata_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    convocata_il = models.DateTimeField(_("convocata il"), null=True, blank=True)
    aperta_il = models.DateTimeField(_("aperta il"), null=True, blank=True)
    chiusa_il = models.DateTimeField(_("chiusa il"), null=True, blank=True)
    motivo_annullamento = models.TextField(_("motivo dell'annullamento"), blank=True)
    verbale = models.ForeignKey("accordi.Documento", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name=_("verbale"))

    class Meta:
        verbose_name = _("seduta dell'Assemblea")
        verbose_name_plural = _("sedute dell'Assemblea")
        ordering = ["-data"]
        constraints = [
            models.UniqueConstraint(fields=["assemblea", "anno", "numero"], name="seduta_numero_unico"),
            models.CheckConstraint(condition=~Q(luogo="", collegamento=""), name="seduta_luogo_o_collegamento"),
        ]

    def __str__(self):
        return _("Seduta n. %(n)s/%(a)s del %(d)s") % {
            "n": self.numero, "a": self.anno, "d": self.data.strftime("%d/%m/%Y")}

    @transition(field=stato, source=Stato.BOZZA, target=Stato.CONVOCATA)
    def convoca(self):
        pass

    @transition(field=stato, source=Stato.CONVOCATA, target=Stato.APERTA)
    def apri(self):
        pass

    @transition(field=stato, source=Stato.APERTA, target=Stato.CHIUSA)
    def chiudi(self):
        pass

    @transition(field=stato, source=[Stato.BOZZA, Stato.CONVOCATA], target=Stato.ANNULLATA)
    def annulla(self):
        pass


class Seggio(models.Model):
    """A Comune's seat in one session: its population frozen at convocation (with the date of
    the figure) and its attendance, in person or by delegation."""

    class Presenza(models.TextChoices):
        ASSENTE = "assente", _("Assente")
        PRESENTE = "presente", _("Presente")
        DELEGATO = "delegato", _("Presente per delega")

    seduta = models.ForeignKey(Seduta, on_delete=models.CASCADE, related_name="seggi")
    comune = models.ForeignKey(Comune, on_delete=models.PROTECT, related_name="+")
    popolazione = models.PositiveIntegerField(_("popolazione"), null=True, blank=True)
    popolazione_al = models.DateField(_("popolazione alla data"), null=True, blank=True)
    presenza = models.CharField(_("presenza"), max_length=10, choices=Presenza.choices, default=Presenza.ASSENTE)
    rappresentante = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                       blank=True, related_name="+", verbose_name=_("rappresentato da"))
    delega = models.ForeignKey(Delega, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    aggiornato_il = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("seggio")
        verbose_name_plural = _("seggi")
        ordering = ["seduta", "comune__denominazione"]
        constraints = [
            models.UniqueConstraint(fields=["seduta", "comune"], name="seggio_unico"),
            models.CheckConstraint(condition=Q(presenza="delegato", delega__isnull=False) | ~Q(presenza="delegato"),
                                   name="seggio_delegato_con_delega"),
        ]

    def __str__(self):
        return f"{self.comune} – {self.get_presenza_display()}"

    @property
    def presente(self) -> bool:
        return self.presenza != self.Presenza.ASSENTE


class TipoDeliberazione(models.TextChoices):
    ATTO_INDIRIZZO = "atto_indirizzo", _("Atto di indirizzo (priorità e obiettivi)")
    APPROVAZIONE_PIANO = "approvazione_piano", _("Approvazione del Piano di Zona")
    DESIGNAZIONE_CAPOFILA = "designazione_capofila", _("Designazione dell'ente capofila")
    CRITERI_RIPARTIZIONE = "criteri_ripartizione", _("Criteri di ripartizione degli oneri")
    COSTITUZIONE_UDP = "costituzione_udp", _("Costituzione dell'Ufficio di Piano")
    ALTRO = "altro", _("Altra deliberazione")


class PuntoOrdineDelGiorno(models.Model):
    """An agenda item: a proposal put to the vote (with what it would decide) or, without a
    deliberation kind, an item for information only."""

    seduta = models.ForeignKey(Seduta, on_delete=models.CASCADE, related_name="punti")
    numero = models.PositiveSmallIntegerField(_("numero"))
    oggetto = models.CharField(_("oggetto"), max_length=255)
    proposta = models.TextField(_("testo della proposta"), blank=True)
    tipo = models.CharField(_("tipo di deliberazione"), max_length=30, choices=TipoDeliberazione.choices,
                            blank=True, help_text=_("Lascia vuoto per un punto solo informativo, senza voto."))
    piano = models.ForeignKey("accordi.PianoDiZona", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="punti_assemblea", verbose_name=_("piano"))
    documento_piano = models.ForeignKey(
        "accordi.Documento", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("testo del piano da approvare"),
        help_text=_("La versione esatta del testo definitivo sottoposta al voto."),
    )
    ente_capofila = models.ForeignKey(Ente, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                      verbose_name=_("ente capofila proposto"))

    class Meta:
        verbose_name = _("punto all'ordine del giorno")
        verbose_name_plural = _("punti all'ordine del giorno")
        ordering = ["seduta", "numero"]
        constraints = [models.UniqueConstraint(fields=["seduta", "numero"], name="punto_numero_unico")]

    def __str__(self):
        return f"{self.numero}. {self.oggetto}"

    @property
    def con_voto(self) -> bool:
        return bool(self.tipo)


class Priorita(models.Model):
    """A priority of an atto di indirizzo, with the objectives it sets."""

    punto = models.ForeignKey(PuntoOrdineDelGiorno, on_delete=models.CASCADE, related_name="priorita")
    ordine = models.PositiveSmallIntegerField(_("ordine"))
    titolo = models.CharField(_("priorità"), max_length=255)
    obiettivi = models.TextField(_("obiettivi"), blank=True)

    class Meta:
        verbose_name = pgettext_lazy("singolare", "priorità")
        verbose_name_plural = pgettext_lazy("plurale", "priorità")
        ordering = ["punto", "ordine"]

    def __str__(self):
        return self.titolo


class Votazione(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """The vote on one agenda item, under the rule in force when it opened. Closing computes the
    result; the Presidente's declaration makes it final: nothing changes after."""

    class Stato(models.TextChoices):
        APERTA = "aperta", _("Aperta")
        CHIUSA = "chiusa", _("Chiusa, esito da proclamare")
        PROCLAMATA = "proclamata", _("Esito proclamato")

    punto = models.OneToOneField(PuntoOrdineDelGiorno, on_delete=models.PROTECT, related_name="votazione")
    regola = models.ForeignKey(RegolaVoto, on_delete=models.PROTECT, related_name="votazioni")
    testo_regola = models.TextField(_("regola applicata"))
    stato = FSMField(_("stato"), max_length=12, choices=Stato.choices, default=Stato.APERTA, protected=True)
    aperta_il = models.DateTimeField(auto_now_add=True)
    aperta_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    chiusa_il = models.DateTimeField(null=True, blank=True)
    proclamata_il = models.DateTimeField(null=True, blank=True)
    proclamata_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                      blank=True, related_name="+")
    approvata = models.BooleanField(_("approvata"), null=True)
    risultato = models.JSONField(_("risultato"), default=dict, blank=True)

    class Meta:
        verbose_name = _("votazione")
        verbose_name_plural = _("votazioni")

    def __str__(self):
        return _("Votazione sul punto %(p)s") % {"p": self.punto}

    @transition(field=stato, source=Stato.APERTA, target=Stato.CHIUSA)
    def chiudi(self):
        pass

    @transition(field=stato, source=Stato.CHIUSA, target=Stato.PROCLAMATA)
    def proclama(self):
        pass


class Voto(models.Model):
    """A Comune's vote, cast by its representative in the browser or entered by the
    secretariat. One per Comune per vote, enforced by the database."""

    class Espressione(models.TextChoices):
        FAVOREVOLE = voto.FAVOREVOLE, _("Favorevole")
        CONTRARIO = voto.CONTRARIO, _("Contrario")
        ASTENUTO = voto.ASTENUTO, _("Astenuto")
        NON_VOTANTE = voto.NON_VOTANTE, _("Non votante")

    votazione = models.ForeignKey(Votazione, on_delete=models.PROTECT, related_name="voti")
    comune = models.ForeignKey(Comune, on_delete=models.PROTECT, related_name="+")
    espressione = models.CharField(_("voto"), max_length=12, choices=Espressione.choices)
    espresso_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("espresso da"))
    registrato_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    quando = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("voto")
        verbose_name_plural = _("voti")
        ordering = ["votazione", "comune__denominazione"]
        constraints = [models.UniqueConstraint(fields=["votazione", "comune"], name="voto_unico_per_comune")]

    def __str__(self):
        return f"{self.comune}: {self.get_espressione_display()}"


class Deliberazione(models.Model):
    """A decision the Assemblea adopted: numbered per Assemblea and year, with its kind, text,
    the vote that passed it and its PDF act. Only passed proposals become deliberations."""

    assemblea = models.ForeignKey(Assemblea, on_delete=models.PROTECT, related_name="deliberazioni")
    anno = models.PositiveSmallIntegerField(_("anno"))
    numero = models.PositiveIntegerField(_("numero"))
    tipo = models.CharField(_("tipo"), max_length=30, choices=TipoDeliberazione.choices)
    punto = models.OneToOneField(PuntoOrdineDelGiorno, on_delete=models.PROTECT, related_name="deliberazione")
    votazione = models.OneToOneField(Votazione, on_delete=models.PROTECT, related_name="deliberazione")
    oggetto = models.CharField(_("oggetto"), max_length=255)
    testo = models.TextField(_("testo"), blank=True)
    piano = models.ForeignKey("accordi.PianoDiZona", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="deliberazioni")
    documento_piano = models.ForeignKey("accordi.Documento", on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="deliberazioni_di_approvazione")
    ente_capofila = models.ForeignKey(Ente, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    atto = models.ForeignKey("accordi.Documento", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("atto in PDF"))
    adottata_il = models.DateField(_("adottata il"))

    class Meta:
        verbose_name = _("deliberazione")
        verbose_name_plural = _("deliberazioni")
        ordering = ["-anno", "-numero"]
        constraints = [
            models.UniqueConstraint(fields=["assemblea", "anno", "numero"], name="deliberazione_numero_unico"),
        ]

    def __str__(self):
        return _("Deliberazione n. %(n)s/%(a)s – %(o)s") % {"n": self.numero, "a": self.anno, "o": self.oggetto}


class EventoAssemblea(SolaAggiunta):
    """Append-only log: every state change of a session or a vote, every attendance, vote,
    delegation and rule change, with who and when."""

    assemblea = models.ForeignKey(Assemblea, on_delete=models.PROTECT, related_name="eventi")
    seduta = models.ForeignKey(Seduta, on_delete=models.PROTECT, null=True, blank=True, related_name="eventi")
    votazione = models.ForeignKey(Votazione, on_delete=models.PROTECT, null=True, blank=True, related_name="eventi")
    class Azione(models.TextChoices):
        SEDUTA_CREATA = "seduta_creata", _("Seduta preparata")
        PUNTO_AGGIUNTO = "punto_aggiunto", _("Punto aggiunto all'ordine del giorno")
        PUNTO_RIMOSSO = "punto_rimosso", _("Punto tolto dall'ordine del giorno")
        SEDUTA_CONVOCATA = "seduta_convocata", _("Seduta convocata")
        SEDUTA_ANNULLATA = "seduta_annullata", _("Seduta annullata")
        PRESENZA = "presenza", _("Presenza registrata")
        SEDUTA_APERTA = "seduta_aperta", _("Seduta aperta")
        SEDUTA_CHIUSA = "seduta_chiusa", _("Seduta chiusa")
        VOTAZIONE_APERTA = "votazione_aperta", _("Votazione aperta")
        VOTO = "voto", _("Voto espresso")
        VOTAZIONE_CHIUSA = "votazione_chiusa", _("Votazione chiusa")
        ESITO_PROCLAMATO = "esito_proclamato", _("Esito proclamato")
        DELIBERAZIONE = "deliberazione", _("Deliberazione registrata")
        VERBALE = "verbale", _("Verbale redatto")
        REGOLA_MODIFICATA = "regola_modificata", _("Regola di voto modificata")
        DELEGA_REGISTRATA = "delega_registrata", _("Delega registrata")
        DELEGA_REVOCATA = "delega_revocata", _("Delega revocata")
        UFFICIO_COSTITUITO = "ufficio_costituito", _("Ufficio di Piano costituito")

    azione = models.CharField(_("azione"), max_length=40, choices=Azione.choices)
    da_stato = models.CharField(max_length=20, blank=True)
    a_stato = models.CharField(max_length=20, blank=True)
    utente = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")
    quando = models.DateTimeField(auto_now_add=True)
    descrizione = models.TextField(blank=True)

    class Meta:
        verbose_name = _("evento dell'Assemblea")
        verbose_name_plural = _("eventi dell'Assemblea")
        ordering = ["quando", "pk"]

    def __str__(self):
        return f"{self.quando:%d/%m/%Y %H:%M} {self.azione}"
