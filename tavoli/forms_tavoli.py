"""Forms of the tavoli tematici pages. They only shape the input: every rule (who, when, what
is allowed) is checked by the tavoli services (``tavoli.services_tavoli`` and its siblings).
Querysets are passed in by the views, which take them from ``tavoli.selectors_tavoli``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ambiti.models import Utente

from .forms import SedutaForm, StileItalia
from .models import LivelloPriorita, VerbaleTavolo


def _nome_utente(u) -> str:
    return f"{u.get_full_name() or u.username} ({u.username})"


def _nome_membro(m) -> str:
    nome = m.utente.get_full_name() or m.utente.username
    return f"{nome} – {m.ente}" if m.ente_id else nome


class SceltaMultipla(forms.CheckboxSelectMultiple):
    """Checkboxes rendered by ``tavoli/tavoli/_scelta_multipla.html`` (fieldset and legend)."""

    def __init__(self, attrs=None, choices=()):
        super().__init__(attrs={"class": "form-check-input", **(attrs or {})}, choices=choices)


class TavoloForm(StileItalia, forms.Form):
    area = forms.ModelChoiceField(label=_("Area di intervento"), queryset=None,
                                  help_text=_("Le aree che hanno già un tavolo in questo piano non sono elencate."),
                                  error_messages={"required": _("Scegli l'area di intervento del tavolo.")})
    nome = forms.CharField(label=_("Nome del tavolo"), max_length=200, required=False,
                           help_text=_("Se lo lasci vuoto: «Tavolo» seguito dal nome dell'area."))
    mandato = forms.CharField(label=_("Mandato"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("Che cosa il tavolo deve produrre e per quando."))
    coordinatore = forms.ModelChoiceField(label=_("Coordinatore"), queryset=None,
                                          help_text=_("Una persona con un incarico negli ambiti del piano."),
                                          error_messages={"required": _("Scegli il coordinatore del tavolo.")})
    ente_coordinatore = forms.ModelChoiceField(label=_("Ente del coordinatore"), queryset=None, required=False)

    def __init__(self, *args, aree, utenti, enti, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = aree
        self.fields["coordinatore"].queryset = utenti
        self.fields["coordinatore"].label_from_instance = _nome_utente
        self.fields["ente_coordinatore"].queryset = enti

    def clean(self):
        dati = super().clean()
        if not (dati.get("nome") or "").strip() and dati.get("area"):
            dati["nome"] = _("Tavolo %(area)s") % {"area": dati["area"].nome}
        return dati


class TavoloModificaForm(StileItalia, forms.Form):
    """Name and mandate; the Ufficio di Piano also names the coordinator (and their body) and
    closes or reopens the tavolo."""

    nome = forms.CharField(label=_("Nome del tavolo"), max_length=200,
                           error_messages={"required": _("Indica il nome del tavolo.")})
    mandato = forms.CharField(label=_("Mandato"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
                              help_text=_("Che cosa il tavolo deve produrre e per quando."))
    coordinatore = forms.ModelChoiceField(label=_("Coordinatore"), queryset=None,
                                          error_messages={"required": _("Scegli il coordinatore del tavolo.")})
    ente_coordinatore = forms.ModelChoiceField(label=_("Ente del coordinatore"), queryset=None, required=False)
    chiuso = forms.BooleanField(label=_("Tavolo chiuso"), required=False,
                                help_text=_("Un tavolo chiuso resta leggibile ma non accetta nuovi componenti, "
                                            "focus-group e sedute."))

    def __init__(self, *args, utenti=None, enti=None, **kwargs):
        super().__init__(*args, **kwargs)
        if utenti is None:  # only the Ufficio di Piano names the coordinator and closes the tavolo
            for nome in ("coordinatore", "ente_coordinatore", "chiuso"):
                del self.fields[nome]
        else:
            self.fields["coordinatore"].queryset = utenti
            self.fields["coordinatore"].label_from_instance = _nome_utente
            self.fields["ente_coordinatore"].queryset = enti


class InvitoForm(StileItalia, forms.Form):
    invitato = forms.ModelChoiceField(
        label=_("Persona da invitare"), queryset=None,
        help_text=_("Persone con un incarico negli ambiti del piano e referenti del Terzo Settore registrati."),
        error_messages={"required": _("Scegli la persona da invitare.")})
    ente = forms.ModelChoiceField(label=_("Per l'ente"), queryset=None, required=False)

    def __init__(self, *args, utenti, enti, **kwargs):
        kwargs.setdefault("prefix", "invito")
        super().__init__(*args, **kwargs)
        self.fields["invitato"].queryset = utenti
        self.fields["invitato"].label_from_instance = _nome_utente
        self.fields["ente"].queryset = enti


class AdesioneForm(StileItalia, forms.Form):
    ente = forms.ModelChoiceField(label=_("Per l'ente"), queryset=None,
                                  help_text=_("Uno degli enti per cui hai un incarico."),
                                  error_messages={"required": _("Scegli l'ente per cui chiedi di partecipare.")})
    messaggio = forms.CharField(label=_("Che cosa porta l'ente al tavolo"), widget=forms.Textarea(attrs={"rows": 4}),
                                help_text=_("Competenze, servizi, dati che l'ente mette a disposizione."),
                                error_messages={"required": _("Scrivi che cosa porta l'ente al tavolo.")})

    def __init__(self, *args, enti, **kwargs):
        kwargs.setdefault("prefix", "adesione")
        super().__init__(*args, **kwargs)
        self.fields["ente"].queryset = enti
        primi = list(enti[:2])
        if len(primi) == 1:  # the usual case: a referente acts for one body
            self.fields["ente"].initial = primi[0].pk


class FocusGroupForm(StileItalia, forms.Form):
    nome = forms.CharField(label=_("Nome del focus-group"), max_length=200,
                           error_messages={"required": _("Indica il nome del focus-group.")})
    tema = forms.CharField(label=_("Tema"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    referente = forms.ModelChoiceField(label=_("Referente"), queryset=None, required=False,
                                       help_text=_("Uno dei componenti del tavolo."))
    membri = forms.ModelMultipleChoiceField(label=_("Componenti del focus-group"), queryset=None, required=False,
                                            widget=SceltaMultipla)

    def __init__(self, *args, membri, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membri"].queryset = membri
        self.fields["membri"].label_from_instance = _nome_membro
        self.fields["referente"].queryset = Utente.objects.filter(pk__in=membri.values("utente_id")).order_by(
            "last_name", "first_name")
        self.fields["referente"].label_from_instance = _nome_utente


class FocusGroupMembriForm(forms.Form):
    membri = forms.ModelMultipleChoiceField(label=_("Componenti del focus-group"), queryset=None, required=False,
                                            widget=SceltaMultipla)

    def __init__(self, *args, membri, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membri"].queryset = membri
        self.fields["membri"].label_from_instance = _nome_membro


class SedutaTavoloForm(SedutaForm):
    """The Assemblea's session form (date, duration, place or link) with the agenda and, for
    a focus-group's session, the focus-group."""

    ordine_del_giorno = forms.CharField(label=_("Ordine del giorno"), widget=forms.Textarea(attrs={"rows": 5}),
                                        help_text=_("Un punto per riga."),
                                        error_messages={"required": _("Scrivi almeno un punto all'ordine del giorno.")})
    focus_group = forms.ModelChoiceField(label=_("Seduta del focus-group"), queryset=None, required=False,
                                         empty_label=_("No: seduta dell'intero tavolo"))

    def __init__(self, *args, focus_group, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["focus_group"].queryset = focus_group
        if not focus_group.exists():
            del self.fields["focus_group"]


class PresenzeForm(forms.Form):
    membri = forms.ModelMultipleChoiceField(queryset=None, required=False)

    def __init__(self, *args, membri, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membri"].queryset = membri


class OspiteForm(StileItalia, forms.Form):
    nominativo = forms.CharField(label=_("Nome e cognome"), max_length=200, required=False)
    ente_nome = forms.CharField(label=_("Per l'ente"), max_length=200, required=False)

    def clean(self):
        dati = super().clean()
        if dati.get("ente_nome") and not dati.get("nominativo"):
            raise forms.ValidationError(_("Indica il nome e cognome dell'ospite."))
        return dati


OspitiFormSet = forms.formset_factory(OspiteForm, extra=3, max_num=100, absolute_max=100)


class _ContributoForm(StileItalia, forms.Form):
    """Fields every contribution has: the person who raised it, if not the one recording it."""

    proposto_da = forms.CharField(label=_("Proposto da (persona)"), max_length=200, required=False,
                                  help_text=_("Se a proporlo è stato un altro partecipante."))


class BisognoForm(_ContributoForm):
    area = forms.ModelChoiceField(label=_("Area di intervento"), queryset=None,
                                  error_messages={"required": _("Scegli l'area di intervento.")})
    destinatari = forms.CharField(label=_("Destinatari"), max_length=200,
                                  help_text=_("Il gruppo di persone interessato, per esempio: anziani soli non "
                                              "autosufficienti."),
                                  error_messages={"required": _("Indica i destinatari.")})
    descrizione = forms.CharField(label=_("Descrizione del bisogno"), widget=forms.Textarea(attrs={"rows": 3}),
                                  error_messages={"required": _("Descrivi il bisogno.")})
    evidenza = forms.CharField(label=_("Evidenza o fonte"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                               help_text=_("Dati, servizi o esperienze che documentano il bisogno."))
    priorita = forms.ChoiceField(label=_("Priorità"), choices=LivelloPriorita.choices, initial=LivelloPriorita.MEDIA)
    comuni = forms.ModelMultipleChoiceField(
        label=_("Comuni interessati"), queryset=None, required=False,
        widget=SceltaMultipla, help_text=_("Nessuno: tutto l'ambito."))
    ente = forms.ModelChoiceField(label=_("Ente che lo propone"), queryset=None, required=False)

    def __init__(self, *args, aree, comuni, enti, **kwargs):
        kwargs.setdefault("prefix", "bisogno")
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = aree
        self.fields["comuni"].queryset = comuni
        self.fields["comuni"].label_from_instance = lambda c: c.denominazione
        self.fields["ente"].queryset = enti
        self.order_fields(["area", "destinatari", "descrizione", "evidenza", "priorita", "comuni", "ente",
                           "proposto_da"])


class OffertaForm(_ContributoForm):
    tipo = forms.ModelChoiceField(label=_("Tipo di unità di offerta"), queryset=None,
                                  error_messages={"required": _("Scegli il tipo dal catalogo.")})
    denominazione = forms.CharField(label=_("Denominazione"), max_length=200,
                                    error_messages={"required": _("Indica la denominazione del servizio.")})
    gestore = forms.ModelChoiceField(label=_("Ente gestore"), queryset=None, required=False)
    gestore_nome = forms.CharField(label=_("Ente gestore (se non in elenco)"), max_length=200, required=False)
    capacita = forms.IntegerField(label=_("Capacità"), required=False, min_value=0,
                                  help_text=_("Posti, utenti o ore, secondo il tipo di servizio."),
                                  error_messages={"invalid": _("La capacità è un numero intero."),
                                                  "min_value": _("La capacità non può essere negativa.")})
    comune = forms.ModelChoiceField(label=_("Comune"), queryset=None,
                                    error_messages={"required": _("Scegli il Comune in cui si trova.")})
    indirizzo = forms.CharField(label=_("Indirizzo"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, tipi, comuni, enti, **kwargs):
        kwargs.setdefault("prefix", "offerta")
        super().__init__(*args, **kwargs)
        self.fields["tipo"].queryset = tipi
        self.fields["comune"].queryset = comuni
        self.fields["comune"].label_from_instance = lambda c: c.denominazione
        self.fields["gestore"].queryset = enti
        self.order_fields(["tipo", "denominazione", "gestore", "gestore_nome", "capacita", "comune", "indirizzo",
                           "note", "proposto_da"])

    def clean(self):
        dati = super().clean()
        if dati.get("gestore") and (dati.get("gestore_nome") or "").strip():
            raise forms.ValidationError(_("Scegli l'ente gestore dall'elenco oppure scrivine il nome, non entrambi."))
        return dati


class PropostaForm(_ContributoForm):
    titolo = forms.CharField(label=_("Titolo"), max_length=200,
                             error_messages={"required": _("Indica il titolo della proposta.")})
    descrizione = forms.CharField(label=_("Descrizione"), widget=forms.Textarea(attrs={"rows": 3}),
                                  error_messages={"required": _("Descrivi la proposta.")})
    bisogni = forms.ModelMultipleChoiceField(label=_("Bisogni a cui risponde"), queryset=None, required=False,
                                             widget=SceltaMultipla)

    def __init__(self, *args, bisogni, **kwargs):
        kwargs.setdefault("prefix", "proposta")
        super().__init__(*args, **kwargs)
        self.fields["bisogni"].queryset = bisogni
        self.fields["bisogni"].label_from_instance = lambda b: f"{b.destinatari}: {b.descrizione[:80]}"
        self.order_fields(["titolo", "descrizione", "bisogni", "proposto_da"])


class VerbaleForm(StileItalia, forms.Form):
    """One text per agenda item (labelled with the item), decisions, next steps, and the
    version the editor loaded (stale saves are refused by the service)."""

    versione = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    decisioni = forms.CharField(label=_("Decisioni e indicazioni emerse"), required=False,
                                widget=forms.Textarea(attrs={"rows": 4}))
    prossimi_passi = forms.CharField(label=_("Prossimi passi"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, punti: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.punti = punti
        campi = {}
        for i, punto in enumerate(punti):
            campi[f"punto_{i}"] = forms.CharField(
                label=punto, required=False, widget=forms.Textarea(attrs={"rows": 5, "class": "form-control"}))
        self.fields = {**campi, **self.fields}

    @classmethod
    def iniziale(cls, verbale: VerbaleTavolo) -> dict:
        dati = {"versione": verbale.versione, "decisioni": verbale.decisioni, "prossimi_passi": verbale.prossimi_passi}
        for i, voce in enumerate(verbale.discussione or []):
            dati[f"punto_{i}"] = voce.get("testo", "")
        return dati

    def discussione(self) -> list[dict]:
        return [{"punto": p, "testo": self.cleaned_data.get(f"punto_{i}", "")} for i, p in enumerate(self.punti)]


class ApprovazioneForm(forms.Form):
    modalita = forms.ChoiceField(label=_("Come è stato approvato"), choices=VerbaleTavolo.Approvazione.choices,
                                 initial=VerbaleTavolo.Approvazione.COORDINATORE, widget=forms.RadioSelect(
                                     attrs={"class": "form-check-input"}))
    seduta_approvazione = forms.ModelChoiceField(label=_("Approvato nella seduta"), queryset=None, required=False,
                                                 widget=forms.Select(attrs={"class": ""}))

    def __init__(self, *args, sedute, **kwargs):
        kwargs.setdefault("prefix", "approva")
        super().__init__(*args, **kwargs)
        self.fields["seduta_approvazione"].queryset = sedute

    def clean(self):
        dati = super().clean()
        if dati.get("modalita") == VerbaleTavolo.Approvazione.SEDUTA and not dati.get("seduta_approvazione"):
            self.add_error("seduta_approvazione", _("Scegli la seduta in cui il verbale è stato approvato."))
        return dati


class OsservazioneForm(StileItalia, forms.Form):
    testo = forms.CharField(label=_("La tua osservazione"), widget=forms.Textarea(attrs={"rows": 4}),
                            error_messages={"required": _("Scrivi l'osservazione.")})

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "osservazione")
        super().__init__(*args, **kwargs)
