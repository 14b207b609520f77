import datetime

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import RichiestaFirma
from .services_firme import messaggio_file_troppo_grande


class RichiestaFirmaForm(forms.Form):
    firmatari = forms.MultipleChoiceField(
        label=_("Firmatari"), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Scegli almeno un firmatario.")},
    )
    modalita = forms.ChoiceField(label=_("Modalità"), choices=RichiestaFirma.Modalita.choices,
                                 initial=RichiestaFirma.Modalita.PARALLELA, widget=forms.RadioSelect)
    scadenza = forms.DateField(label=_("Scadenza"), widget=forms.DateInput(attrs={"type": "date"}),
                               error_messages={"required": _("Indica la scadenza."),
                                               "invalid": _("Data non valida.")})

    def __init__(self, *args, proposti, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposti = {str(u.pk): (u, ente, obbl) for u, ente, obbl in proposti}
        self.fields["firmatari"].choices = [
            (str(u.pk), f"{u} – {ente or ''} ({u.codice_fiscale or _('senza codice fiscale')})")
            for u, ente, _obbl in proposti
        ]
        self.fields["firmatari"].initial = list(self.proposti)
        self.fields["scadenza"].initial = timezone.localdate() + datetime.timedelta(days=15)

    def clean_scadenza(self):
        scadenza = self.cleaned_data["scadenza"]
        if scadenza < timezone.localdate():
            raise forms.ValidationError(_("La scadenza non può essere nel passato."))
        return scadenza

    def firmatari_scelti(self):
        # keep the proposed order (mayors by Comune, then the ASL)
        scelti = set(self.cleaned_data["firmatari"])
        return [valore for chiave, valore in self.proposti.items() if chiave in scelti]


class CaricaFirmaForm(forms.Form):
    file = forms.FileField(
        label=_("File firmato (.pdf PAdES o .p7m CAdES)"),
        error_messages={"required": _("Scegli il file firmato da caricare."),
                        "empty": _("Il file caricato è vuoto.")},
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > settings.PIANOZONA_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(messaggio_file_troppo_grande())
        return f


class VerificaForm(forms.Form):
    codice = forms.CharField(label=_("Codice di verifica"), required=False, max_length=12)
    file = forms.FileField(label=_("Oppure carica il file (.pdf o .p7m)"), required=False)

    def clean(self):
        dati = super().clean()
        if not dati.get("codice") and not dati.get("file") and "file" not in self.errors:
            raise forms.ValidationError(_("Indica il codice di verifica o carica un file."))
        f = dati.get("file")
        if f and f.size > settings.PIANOZONA_MAX_UPLOAD_BYTES:
            self.add_error("file", messaggio_file_troppo_grande())
        return dati
