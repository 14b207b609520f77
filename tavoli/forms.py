from django import forms
from django.utils.translation import gettext_lazy as _

from ambiti.models import Ente, Utente

from .models import RegolaVoto, Seggio, TipoDeliberazione, Voto


class StileItalia:
    """Bootstrap Italia classes and the ARIA links between a field, its help and its errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for nome, campo in self.fields.items():
            w = campo.widget
            if isinstance(w, forms.CheckboxInput):
                w.attrs.setdefault("class", "form-check-input")
            elif isinstance(w, forms.Select):
                w.attrs.setdefault("class", "")
            else:
                w.attrs.setdefault("class", "form-control")
            if campo.help_text:
                w.attrs["aria-describedby"] = f"aiuto-id_{self.add_prefix(nome)}"
        for nome, (guida, valori) in getattr(self, "mostra_se", {}).items():
            # read by static/js/campi_condizionali.js: without JavaScript every field shows
            self.fields[nome].widget.attrs.update({
                "data-mostra-se": f"id_{self.add_prefix(guida)}", "data-mostra-valori": " ".join(valori)})

    def full_clean(self):
        super().full_clean()
        for nome in self.errors:
            if nome in self.fields:
                w = self.fields[nome].widget
                w.attrs["aria-invalid"] = "true"
                w.attrs["class"] = (w.attrs.get("class", "") + " is-invalid").strip()
                descritto = w.attrs.get("aria-describedby", "")
                w.attrs["aria-describedby"] = f"{descritto} err-id_{self.add_prefix(nome)}".strip()


class RegolaForm(StileItalia, forms.ModelForm):
    mostra_se = {
        "qualificata_numeratore": ("maggioranza", [RegolaVoto.Maggioranza.QUALIFICATA]),
        "qualificata_denominatore": ("maggioranza", [RegolaVoto.Maggioranza.QUALIFICATA]),
    }

    class Meta:
        model = RegolaVoto
        fields = ["modalita", "quorum_numeratore", "quorum_denominatore", "quorum_strettamente", "maggioranza",
                  "qualificata_numeratore", "qualificata_denominatore", "base", "astenuti_contano", "riferimento"]


class SedutaForm(StileItalia, forms.Form):
    data = forms.DateTimeField(
        label=_("Data e ora"), input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": _("Indica data e ora della seduta."),
                        "invalid": _("Data e ora non valide.")},
    )
    durata_minuti = forms.IntegerField(label=_("Durata prevista (minuti)"), min_value=15, max_value=720, initial=120)
    luogo = forms.CharField(label=_("Luogo"), max_length=255, required=False,
                            help_text=_("Indirizzo della sala; lascia vuoto se la seduta è solo online."))
    collegamento = forms.URLField(label=_("Collegamento online"), required=False, assume_scheme="https",
                                  help_text=_("Link della videoconferenza, se la seduta è (anche) online."),
                                  error_messages={"invalid": _("Indica un indirizzo web completo (https://…).")})

    def clean(self):
        dati = super().clean()
        if not dati.get("luogo") and not dati.get("collegamento") and not self.errors:
            raise forms.ValidationError(_("Indica il luogo della seduta oppure il collegamento online."))
        return dati


class PuntoForm(StileItalia, forms.Form):
    mostra_se = {
        "piano": ("tipo", list(TipoDeliberazione.values)),
        "documento_piano": ("tipo", [TipoDeliberazione.APPROVAZIONE_PIANO]),
        "ente_capofila": ("tipo", [TipoDeliberazione.DESIGNAZIONE_CAPOFILA]),
        "priorita": ("tipo", [TipoDeliberazione.ATTO_INDIRIZZO]),
    }
    oggetto = forms.CharField(label=_("Oggetto"), max_length=255,
                              error_messages={"required": _("Indica l'oggetto del punto.")})
    tipo = forms.ChoiceField(label=_("Deliberazione proposta"), required=False,
                             choices=[("", _("Nessuna: punto informativo"))] + list(TipoDeliberazione.choices))
    proposta = forms.CharField(label=_("Testo della proposta"), required=False,
                               widget=forms.Textarea(attrs={"rows": 5}))
    piano = forms.ModelChoiceField(label=_("Piano di Zona"), required=False, queryset=None,
                                   help_text=_("Obbligatorio per atto di indirizzo, approvazione del piano, "
                                               "designazione del capofila e criteri di ripartizione."))
    documento_piano = forms.ModelChoiceField(label=_("Testo definitivo da approvare"), required=False, queryset=None,
                                             help_text=_("Solo per l'approvazione del piano: la versione esatta."))
    ente_capofila = forms.ModelChoiceField(label=_("Ente capofila proposto"), required=False, queryset=None)
    priorita = forms.CharField(
        label=_("Priorità e obiettivi"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Per l'atto di indirizzo: una priorità per riga, con gli obiettivi dopo i due punti. "
                    "Es.: «Non autosufficienza: potenziare l'assistenza domiciliare»."),
    )

    def __init__(self, *args, piani, documenti, enti, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["piano"].queryset = piani
        self.fields["documento_piano"].queryset = documenti
        self.fields["documento_piano"].label_from_instance = lambda d: f"{d.titolo} – v{d.versione} ({d.protocollo})"
        self.fields["ente_capofila"].queryset = enti

    def priorita_elenco(self) -> list[tuple[str, str]]:
        righe = []
        for riga in (self.cleaned_data.get("priorita") or "").splitlines():
            if not riga.strip():
                continue
            titolo, _sep, obiettivi = riga.partition(":")
            righe.append((titolo.strip(), obiettivi.strip()))
        return righe


class PresenzaForm(forms.Form):
    comune = forms.IntegerField()
    presenza = forms.ChoiceField(choices=Seggio.Presenza.choices)
    rappresentante = forms.ModelChoiceField(queryset=Utente.objects.filter(is_active=True), required=False)


class VotoForm(forms.Form):
    espressione = forms.ChoiceField(choices=Voto.Espressione.choices,
                                    error_messages={"required": _("Scegli il voto.")})
    comune = forms.IntegerField(required=False)


class DelegaForm(StileItalia, forms.Form):
    comune = forms.ModelChoiceField(label=_("Comune"), queryset=None,
                                    error_messages={"required": _("Scegli il Comune.")})
    delegato = forms.ModelChoiceField(label=_("Delegato"), queryset=None,
                                      help_text=_("La persona deve avere un account PianoZona."),
                                      error_messages={"required": _("Scegli il delegato.")})
    seduta = forms.ModelChoiceField(label=_("Per la seduta"), queryset=None, required=False)
    dal = forms.DateField(label=_("Oppure valida dal"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    al = forms.DateField(label=_("al"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    atto = forms.FileField(label=_("Atto di delega firmato (PDF)"),
                           error_messages={"required": _("Allega l'atto di delega firmato.")})

    def __init__(self, *args, comuni, utenti, sedute, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comune"].queryset = comuni
        self.fields["delegato"].queryset = utenti
        self.fields["delegato"].label_from_instance = lambda u: f"{u.get_full_name() or u.username} ({u.username})"
        self.fields["seduta"].queryset = sedute

    def clean_atto(self):
        atto = self.cleaned_data["atto"]
        if atto and not (atto.name.lower().endswith(".pdf") or atto.name.lower().endswith(".p7m")):
            raise forms.ValidationError(_("L'atto di delega deve essere un PDF (anche firmato .p7m)."))
        return atto


def _nome_utente(u) -> str:
    return f"{u.get_full_name() or u.username} ({u.username})"


class UfficioForm(StileItalia, forms.Form):
    responsabile = forms.ModelChoiceField(label=_("Responsabile"), queryset=None,
                                          error_messages={
                                              "required": _("Indica il responsabile dell'Ufficio di Piano.")})
    sede = forms.ModelChoiceField(label=_("Sede presso l'ente"), queryset=None, required=False,
                                  empty_label=_("— nessun ente —"))
    atto_costitutivo = forms.CharField(label=_("Atto costitutivo"), max_length=255,
                                       help_text=_("Es.: deliberazione dell'Assemblea dei Sindaci n. 2/2026 "
                                                   "del 15/01/2026."),
                                       error_messages={"required": _("Indica gli estremi dell'atto costitutivo.")})
    costituito_il = forms.DateField(label=_("Costituito il"), widget=forms.DateInput(attrs={"type": "date"}),
                                    error_messages={"required": _("Indica la data di costituzione."),
                                                    "invalid": _("Data non valida.")})
    allegato = forms.FileField(label=_("Copia dell'atto (PDF, facoltativa)"), required=False)

    def __init__(self, *args, utenti, enti, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsabile"].queryset = utenti
        self.fields["responsabile"].label_from_instance = _nome_utente
        self.fields["sede"].queryset = enti


class ComponenteForm(StileItalia, forms.Form):
    """One member of the Ufficio di Piano: a PianoZona user and/or a name, the ente they come
    from, their function."""

    utente = forms.ModelChoiceField(label=_("Utente PianoZona"), queryset=None, required=False,
                                    empty_label=_("— nessun utente —"))
    nominativo = forms.CharField(label=_("Nome e cognome"), max_length=200, required=False,
                                 help_text=_("Se scegli un utente PianoZona puoi lasciarlo vuoto: vale il suo "
                                             "nome."))
    ente = forms.ModelChoiceField(label=_("Ente di provenienza"), queryset=None, required=False,
                                  empty_label=_("— nessun ente —"))
    funzione = forms.CharField(label=_("Funzione"), max_length=200, required=False,
                               help_text=_("Es.: assistente sociale, amministrativo."))

    def __init__(self, *args, utenti, enti, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["utente"].queryset = utenti
        self.fields["utente"].label_from_instance = _nome_utente
        self.fields["ente"].queryset = enti

    def clean(self):
        dati = super().clean()
        persona = dati.get("utente")
        if persona is not None and not dati.get("nominativo"):
            dati["nominativo"] = persona.get_full_name() or persona.username
        if not dati.get("nominativo") and (dati.get("ente") or dati.get("funzione")):
            self.add_error("nominativo", _("Indica nome e cognome oppure scegli un utente PianoZona."))
        return dati

    def vuoto(self) -> bool:
        d = getattr(self, "cleaned_data", {})
        return not any(d.get(c) for c in ("utente", "nominativo", "ente", "funzione"))


class BaseComponentiFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Togli dall'Ufficio di Piano")
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"

    def clean(self):
        if any(self.errors):
            return
        righe = self.componenti()
        if not righe:
            raise forms.ValidationError(_("Indica almeno un componente dell'Ufficio di Piano."))
        visti = set()
        for riga in righe:
            persona = riga["utente"]
            if persona is not None and persona.pk in visti:
                raise forms.ValidationError(_("%(p)s è indicato in più righe: lascialo in una sola.")
                                            % {"p": persona.get_full_name() or persona.username})
            if persona is not None:
                visti.add(persona.pk)

    def componenti(self) -> list[dict]:
        """The members as the service takes them, without empty or removed rows."""
        return [
            {c: f.cleaned_data.get(c) for c in ("utente", "nominativo", "ente", "funzione")}
            for f in self.forms
            if hasattr(f, "cleaned_data") and not f.cleaned_data.get("DELETE") and not f.vuoto()
        ]


ComponentiFormSet = forms.formset_factory(ComponenteForm, formset=BaseComponentiFormSet, extra=3, can_delete=True)


ENTI_CAPOFILA = (Ente.Tipo.COMUNE, Ente.Tipo.ASL)
