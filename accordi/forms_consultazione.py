"""Forms of the unions' consultation and of the ASL's intesa: they parse input; the services
decide (accordi/services_consultazione.py)."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tavoli.forms import StileItalia
from tavoli.forms_tavoli import SceltaMultipla

from .models import Intesa, OsservazioneParere, Parere
from .services_consultazione import GIORNI_PER_IL_PARERE

FORMATO_DATA_ORA = "%Y-%m-%dT%H:%M"


def _etichetta_sindacato(ente) -> str:
    return f"{ente.denominazione} ({ente.get_livello_sindacale_display()})" if ente.livello_sindacale else str(ente)


class InvioSindacatiForm(StileItalia, forms.Form):
    sindacati = forms.ModelMultipleChoiceField(
        label=_("Organizzazioni sindacali da consultare"), queryset=None, widget=SceltaMultipla,
        help_text=_("Le organizzazioni sindacali provinciali e dei pensionati che operano negli ambiti del piano."),
        error_messages={"required": _("Scegli almeno un'organizzazione sindacale da consultare.")})
    scadenza = forms.DateTimeField(
        label=_("Termine per il parere"), input_formats=[FORMATO_DATA_ORA],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=FORMATO_DATA_ORA),
        help_text=_("Dopo il termine, chi non ha risposto risulta «parere non espresso»."),
        error_messages={"required": _("Indica il termine per il parere."), "invalid": _("Data e ora non valide.")})
    nota = forms.CharField(label=_("Nota di accompagnamento"), required=False, max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, sindacati, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sindacati"].queryset = sindacati
        self.fields["sindacati"].label_from_instance = _etichetta_sindacato
        if not self.is_bound:
            termine = timezone.localtime() + datetime.timedelta(days=GIORNI_PER_IL_PARERE)
            self.initial.setdefault("scadenza", termine.replace(hour=12, minute=0, second=0, microsecond=0))


class ParereForm(StileItalia, forms.Form):
    esito = forms.ChoiceField(
        label=_("Esito del parere"), widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        choices=[(e.value, e.label) for e in (Parere.Esito.FAVOREVOLE, Parere.Esito.CON_OSSERVAZIONI,
                                              Parere.Esito.CONTRARIO)],
        error_messages={"required": _("Scegli l'esito del parere.")})
    testo = forms.CharField(label=_("Testo del parere"), required=False, max_length=20000,
                            widget=forms.Textarea(attrs={"rows": 6}),
                            help_text=_("Obbligatorio, se non indichi osservazioni, per un parere con osservazioni "
                                        "o contrario."))
    allegato = forms.FileField(label=_("Parere firmato (facoltativo)"), required=False,
                               widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.p7m"}),
                               help_text=_("PDF o file firmato digitalmente .p7m, al massimo 10 MB."))


class OsservazioneForm(StileItalia, forms.Form):
    sezione = forms.ChoiceField(label=_("Sezione a cui si riferisce"), required=False)
    testo = forms.CharField(label=_("Osservazione"), required=False, max_length=10000,
                            widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, sezioni=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sezione"].choices = [("", _("Tutto il piano"))] + list(sezioni)


OsservazioniFormSet = forms.formset_factory(OsservazioneForm, extra=3, max_num=30, validate_max=True)


class RispostaForm(forms.Form):
    risposta = forms.ChoiceField(choices=OsservazioneParere.Risposta.choices)
    motivazione = forms.CharField(required=False, max_length=10000)


class RinvioForm(forms.Form):
    nota = forms.CharField(max_length=20000)
    stato_atteso = forms.CharField(max_length=20)


class ChiusuraForm(forms.Form):
    nota = forms.CharField(required=False, max_length=5000)
    stato_atteso = forms.CharField(max_length=20)


class IntesaForm(StileItalia, forms.Form):
    esito = forms.ChoiceField(label=_("Esito dell'intesa"), choices=Intesa.Esito.choices,
                              widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                              error_messages={"required": _("Scegli l'esito dell'intesa.")})
    motivazione = forms.CharField(label=_("Motivazione"), required=False, max_length=20000,
                                  widget=forms.Textarea(attrs={"rows": 5}),
                                  help_text=_("Obbligatoria per un'intesa negativa: torna all'Ufficio di Piano con "
                                              "la bozza."))
    allegato = forms.FileField(label=_("Atto dell'ASL (facoltativo)"), required=False,
                               widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.p7m"}),
                               help_text=_("PDF o file firmato digitalmente .p7m, al massimo 10 MB."))
