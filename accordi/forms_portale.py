"""The public registration form of the Terzo Settore portal. Identifiers are checked with
python-stdnum (through ``ambiti.validators``); the password with Django's validators. What happens
to a valid form is ``accordi.services_registrazione``'s business, and the view never says."""

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.utils.translation import gettext_lazy as _
from stdnum.it import codicefiscale, iva

from ambiti import validators
from ambiti.models import Ente
from tavoli.forms import StileItalia
from tavoli.forms_tavoli import SceltaMultipla

F = Ente.FormaGiuridica
S = Ente.SezioneRUNTS
# Art. 46 D.Lgs. 117/2017: the RUNTS section of each legal form.
SEZIONE_DELLA_FORMA = {
    F.ODV: S.A, F.APS: S.B, F.ENTE_FILANTROPICO: S.C, F.IMPRESA_SOCIALE: S.D, F.COOPERATIVA_SOCIALE: S.D,
    F.RETE_ASSOCIATIVA: S.E, F.MUTUO_SOCCORSO: S.F, F.ALTRO_ETS: S.G,
}
# The honeypot's name: a field people never see and simple robots fill in.
TRAPPOLA = "sito_web"


def _scelte(choices):
    return [("", _("Scegli…")), *choices]


class RegistrazioneForm(StileItalia, forms.Form):
    # the body
    denominazione = forms.CharField(label=_("Denominazione dell'ente"), max_length=255)
    forma_giuridica = forms.ChoiceField(label=_("Forma giuridica"), choices=_scelte(F.choices),
                                        help_text=_("Le forme previste dal Codice del Terzo Settore "
                                                    "(D.Lgs. 117/2017)."))
    codice_fiscale = forms.CharField(label=_("Codice fiscale dell'ente"), max_length=20,
                                     help_text=_("11 cifre."))
    partita_iva = forms.CharField(label=_("Partita IVA"), max_length=20, required=False,
                                  help_text=_("Facoltativa: solo se l'ente ne ha una."))
    sezione_runts = forms.ChoiceField(label=_("Sezione del RUNTS"), choices=_scelte(S.choices),
                                      help_text=_("Registro unico nazionale del Terzo Settore."))
    numero_runts = forms.CharField(label=_("Numero di iscrizione al RUNTS"), max_length=30)
    sede = forms.CharField(label=_("Sede legale"), max_length=255,
                           help_text=_("Indirizzo, CAP e Comune."))
    ambiti = forms.ModelMultipleChoiceField(
        label=_("Ambiti territoriali in cui l'ente opera"), queryset=None, required=False, widget=SceltaMultipla,
        help_text=_("Facoltativo: si possono indicare anche in seguito."))
    # the referent, who gets the account
    nome = forms.CharField(label=_("Nome"), max_length=150)
    cognome = forms.CharField(label=_("Cognome"), max_length=150)
    codice_fiscale_referente = forms.CharField(label=_("Codice fiscale"), max_length=20)
    email = forms.EmailField(label=_("E-mail"), max_length=150,
                             help_text=_("Riceverai qui il collegamento per confermare la registrazione; "
                                         "sarà anche il nome utente per accedere."))
    password1 = forms.CharField(label=_("Password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Ripeti la password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    # the legal representative, who signs the adesione acts
    referente_legale = forms.BooleanField(label=_("Il referente è il legale rappresentante"), required=False)
    legale_rappresentante = forms.CharField(
        label=_("Nome e cognome del legale rappresentante"), max_length=200, required=False,
        help_text=_("Da compilare se il legale rappresentante è un'altra persona."))
    legale_rappresentante_cf = forms.CharField(
        label=_("Codice fiscale del legale rappresentante"), max_length=20, required=False,
        help_text=_("Firmerà gli atti di adesione: il codice fiscale deve essere quello del suo certificato "
                    "di firma."))
    privacy = forms.BooleanField(
        label=_("Ho letto come vengono trattati i dati personali indicati in questo modulo"),
        error_messages={"required": _("Per registrare l'ente occorre prendere visione del trattamento dei dati.")})
    sito_web = forms.CharField(label=_("Non compilare questo campo"), required=False)

    def __init__(self, *args, ambiti, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ambiti"].queryset = ambiti
        # the validators' own rules, in the language of the request
        self.fields["password1"].help_text = " ".join(password_validation.password_validators_help_texts())
        self.fields["password1"].widget.attrs["aria-describedby"] = f"aiuto-{self['password1'].auto_id}"
        self.fields["sito_web"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        for nome in ("nome", "cognome"):
            self.fields[nome].widget.attrs["autocomplete"] = {"nome": "given-name", "cognome": "family-name"}[nome]
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["denominazione"].widget.attrs["autocomplete"] = "organization"

    def e_un_robot(self) -> bool:
        """The honeypot was filled in: the caller pretends success and keeps nothing."""
        return bool((self.data.get(TRAPPOLA) or "").strip())

    # --- identifiers --------------------------------------------------------------------------

    def clean_codice_fiscale(self):
        valore = iva.compact(self.cleaned_data["codice_fiscale"])
        if not (len(valore) == 11 and valore.isdigit()):
            raise forms.ValidationError(_("Il codice fiscale di un ente è formato da 11 cifre."))
        validators.codice_fiscale_ente(valore)
        return valore

    def clean_partita_iva(self):
        valore = iva.compact(self.cleaned_data.get("partita_iva") or "")
        validators.partita_iva(valore)
        return valore

    def _cf_persona(self, nome):
        valore = codicefiscale.compact(self.cleaned_data.get(nome) or "")
        validators.codice_fiscale_persona(valore)
        return valore

    def clean_codice_fiscale_referente(self):
        return self._cf_persona("codice_fiscale_referente")

    def clean_legale_rappresentante_cf(self):
        return self._cf_persona("legale_rappresentante_cf")

    def clean_email(self):
        return self.cleaned_data["email"].strip()

    # --- the whole form -----------------------------------------------------------------------

    def clean(self):
        dati = super().clean()
        forma, sezione = dati.get("forma_giuridica"), dati.get("sezione_runts")
        if forma and sezione and SEZIONE_DELLA_FORMA.get(forma) != sezione:
            self.add_error("sezione_runts", _("La sezione «%(sezione)s» non corrisponde alla forma giuridica "
                                              "«%(forma)s»: la sezione giusta è «%(giusta)s».") % {
                "sezione": S(sezione).label, "forma": F(forma).label, "giusta": S(SEZIONE_DELLA_FORMA[forma]).label})
        if dati.get("referente_legale"):
            # copied on the server: whatever the page sent in the legal representative's fields
            # does not count, errors included
            for nome in ("legale_rappresentante", "legale_rappresentante_cf"):
                self.errors.pop(nome, None)
            if dati.get("nome") and dati.get("cognome"):
                dati["legale_rappresentante"] = f"{dati['nome']} {dati['cognome']}"
            if "codice_fiscale_referente" in dati:
                dati["legale_rappresentante_cf"] = dati["codice_fiscale_referente"]
        else:
            if not dati.get("legale_rappresentante") and "legale_rappresentante" not in self.errors:
                self.add_error("legale_rappresentante", _(
                    "Indica il legale rappresentante, oppure segna che è il referente."))
            if not dati.get("legale_rappresentante_cf") and "legale_rappresentante_cf" not in self.errors:
                self.add_error("legale_rappresentante_cf", _(
                    "Indica il codice fiscale del legale rappresentante, oppure segna che è il referente."))
        uno, due = dati.get("password1"), dati.get("password2")
        if uno and due and uno != due:
            self.add_error("password2", _("Le due password non coincidono."))
        elif uno:
            prova = get_user_model()(username=dati.get("email", ""), email=dati.get("email", ""),
                                     first_name=dati.get("nome", ""), last_name=dati.get("cognome", ""))
            try:
                password_validation.validate_password(uno, prova)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return dati

    def dati_registrazione(self) -> dict:
        """The fields a registration request keeps (the password goes apart, to be hashed)."""
        d = self.cleaned_data
        return {
            **{k: d.get(k) or "" for k in (
                "denominazione", "forma_giuridica", "codice_fiscale", "partita_iva", "sezione_runts",
                "numero_runts", "sede", "legale_rappresentante", "legale_rappresentante_cf", "nome", "cognome",
                "codice_fiscale_referente", "email")},
            "ambiti": [a.pk for a in d.get("ambiti") or []],
        }
