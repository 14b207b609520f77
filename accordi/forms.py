from django import forms
from django.utils.translation import gettext_lazy as _

from ambiti.models import Ambito

from .models import CicloProgrammazione


class TransizioneForm(forms.Form):
    stato_atteso = forms.CharField(widget=forms.HiddenInput)
    nota = forms.CharField(
        label=_("Nota"), required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PianoForm(forms.Form):
    ciclo = forms.ModelChoiceField(
        label=_("Ciclo di programmazione"), queryset=CicloProgrammazione.objects.none(),
        error_messages={"required": _("Scegli il ciclo di programmazione.")},
    )
    ambiti = forms.ModelMultipleChoiceField(
        label=_("Ambiti"), queryset=Ambito.objects.none(), widget=forms.CheckboxSelectMultiple,
        help_text=_("Più ambiti della stessa ASL formano un piano sovra-distrettuale."),
        error_messages={"required": _("Scegli almeno un ambito.")},
    )
    titolo = forms.CharField(
        label=_("Titolo"), max_length=255,
        error_messages={"required": _("Indica il titolo del piano.")},
    )

    def __init__(self, *args, ambiti, cicli, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ambiti"].queryset = ambiti
        self.fields["ciclo"].queryset = cicli


class CicloForm(forms.ModelForm):
    """A regional officer creates or edits a cycle of their own region."""

    class Meta:
        model = CicloProgrammazione
        fields = [
            "regione", "anno_inizio", "anno_fine", "atto_linee_indirizzo", "data_atto",
            "scadenza_approvazione", "validita_inizio", "validita_fine",
        ]
        widgets = {
            campo: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            for campo in ("data_atto", "scadenza_approvazione", "validita_inizio", "validita_fine")
        }

    def __init__(self, *args, regioni, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regione"].queryset = regioni
        self.fields["regione"].error_messages["required"] = _("Scegli la regione.")

    def clean(self):
        dati = super().clean()
        inizio, fine = dati.get("anno_inizio"), dati.get("anno_fine")
        if inizio and fine and fine < inizio:
            self.add_error("anno_fine", _("L'ultimo anno non può precedere il primo."))
        v_inizio, v_fine = dati.get("validita_inizio"), dati.get("validita_fine")
        if v_inizio and v_fine and v_fine <= v_inizio:
            self.add_error("validita_fine", _("La fine della validità deve seguire l'inizio."))
        if v_fine and fine and v_fine.year > fine:
            self.add_error("validita_fine", _("Gli Accordi non possono valere oltre l'ultimo anno del ciclo."))
        return dati
