"""Forms of the monitoring pages. They only shape the input: the value is kept as typed
("1.234,5") and the rules (dates inside the cycle and not future, one measurement per date,
who and when) are the service's (``risorse.services_monitoraggio``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tavoli.forms import StileItalia

from .models import AttuazioneAzione


class MisurazioneForm(StileItalia, forms.Form):
    data_rilevazione = forms.DateField(label=_("Data della rilevazione"),
                                       widget=forms.DateInput(attrs={"type": "date"}),
                                       help_text=_("Negli anni del ciclo, non futura."))
    valore = forms.CharField(label=_("Valore rilevato"), max_length=25,
                             help_text=_("Per esempio 1.234,5 (punto per le migliaia, virgola per i decimali)."),
                             widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    nota = forms.CharField(label=_("Nota qualitativa"), required=False, max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["data_rilevazione"].widget.format = "%Y-%m-%d"


class AttuazioneForm(forms.Form):
    """The year's grid: for each action a state (empty: not assessed) and an assessment."""

    def __init__(self, *args, azioni, **kwargs):
        super().__init__(*args, **kwargs)
        self.azioni = azioni
        scelte = [("", _("— non indicato —")), *AttuazioneAzione.Stato.choices]
        for azione in azioni:
            attuale = azione.attuazione
            self.fields[self.nome_stato(azione)] = forms.ChoiceField(
                label=_("Stato di attuazione di «%(a)s»") % {"a": azione}, choices=scelte, required=False,
                initial=attuale.stato if attuale else "", widget=forms.Select(attrs={"class": ""}))
            self.fields[self.nome_nota(azione)] = forms.CharField(
                label=_("Valutazione di «%(a)s»") % {"a": azione}, required=False, max_length=5000,
                initial=attuale.nota if attuale else "",
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))

    @staticmethod
    def nome_stato(azione) -> str:
        return f"stato_{azione.pk}"

    @staticmethod
    def nome_nota(azione) -> str:
        return f"nota_{azione.pk}"

    def righe(self):
        """(action, state field, assessment field) for the template."""
        return [(a, self[self.nome_stato(a)], self[self.nome_nota(a)]) for a in self.azioni]

    def valori(self) -> dict:
        return {a.pk: (self.cleaned_data.get(self.nome_stato(a), ""), self.cleaned_data.get(self.nome_nota(a), ""))
                for a in self.azioni}


class SintesiForm(StileItalia, forms.Form):
    sintesi = forms.CharField(label=_("Sintesi della relazione"), required=False, max_length=20000,
                              widget=forms.Textarea(attrs={"rows": 10}),
                              help_text=_("Come è andato l'anno: risultati, difficoltà, correttivi. Entra nella "
                                          "prossima versione generata della relazione."))


class GeneraForm(forms.Form):
    numero = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
