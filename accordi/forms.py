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
