"""The catalogue of transitions: label, who acts, guards. The FSM decorators on
``PianoDiZona`` declare the graph; this module says who may walk each edge and what it needs;
``accordi.services.esegui_transizione`` tells the story."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from . import guardie as g
from .models import Stato

UDP = "gestisci_piano"
PRESIDENTE = "presiedi_assemblea"
ASL = "esprimi_intesa"

NOMI_PERMESSI = {
    UDP: _("Ufficio di Piano"),
    PRESIDENTE: _("Presidente dell'Assemblea dei Sindaci"),
    ASL: _("Referente ASL"),
}


@dataclass(frozen=True)
class Transizione:
    nome: str
    etichetta: str
    descrizione: str
    permessi: tuple[str, ...]
    guardie: tuple = ()
    nota_obbligatoria: bool = False
    etichetta_nota: str = ""
    # source state -> permissions, where who acts depends on where the plan stands
    permessi_per_stato: dict = field(default_factory=dict)
    automatica: bool = False
    pericolosa: bool = False

    def permessi_da(self, stato: str) -> tuple[str, ...]:
        return self.permessi_per_stato.get(stato, self.permessi)


TRANSIZIONI: dict[str, Transizione] = {
    t.nome: t
    for t in [
        Transizione(
            "approva_atto_indirizzo", _("Approva atto di indirizzo"),
            _("Registra che l'Assemblea dei Sindaci ha approvato l'atto di indirizzo."),
            (UDP,), (g.ATTO_DI_INDIRIZZO,),
        ),
        Transizione(
            "avvia_istruttoria", _("Avvia istruttoria"),
            _("Avvia il lavoro dell'Ufficio di Piano e dei tavoli tematici."),
            (UDP,), (g.UFFICIO_DI_PIANO_COSTITUITO, g.ALMENO_UN_TAVOLO),
        ),
        Transizione(
            "avvia_stesura", _("Avvia stesura"),
            _("Chiude l'istruttoria dei tavoli e apre la stesura della bozza."),
            (UDP,), (g.VERBALI_APPROVATI,),
        ),
        Transizione(
            "invia_ai_sindacati", _("Invia ai sindacati"),
            _("Congela la bozza e la sottopone alle organizzazioni sindacali."),
            (UDP,), (g.BOZZA_CONGELATA, g.SINDACATI_INDICATI),
        ),
        Transizione(
            "chiudi_consultazione", _("Chiudi consultazione"),
            _("Chiude la consultazione sindacale e porta il piano all'approvazione."),
            (UDP,), (g.PARERI_O_SCADENZA,),
        ),
        Transizione(
            "licenzia", _("Licenzia il piano"),
            _("L'Assemblea ha approvato il testo definitivo, sottoscritto dai sindaci."),
            (PRESIDENTE,), (g.LICENZIAMENTO,),
        ),
        Transizione(
            "registra_intesa", _("Registra intesa ASL"),
            _("L'ASL esprime l'intesa positiva sul piano."),
            (ASL,), (g.INTESA_POSITIVA,),
        ),
        Transizione(
            "apri_sottoscrizione", _("Apri sottoscrizione"),
            _("L'Accordo di Programma è completo e va alla firma."),
            (UDP,), (g.CAPOFILA_DESIGNATO, g.ACCORDO_COMPLETO),
        ),
        Transizione(
            "dichiara_vigente", _("Dichiara vigente"),
            _("Tutte le firme obbligatorie sono valide: l'Accordo entra in vigore."),
            (UDP,), (g.FIRME_OBBLIGATORIE,), automatica=True,
        ),
        Transizione(
            "concludi", _("Concludi"),
            _("L'Accordo è giunto alla data di fine."),
            (UDP,), (g.fine_validita_superata,), automatica=True,
        ),
        Transizione(
            "rinvia_alla_stesura", _("Rinvia alla stesura"),
            _("Riapre la bozza con le osservazioni che lo motivano; la versione precedente resta "
              "consultabile."),
            (UDP,), (), nota_obbligatoria=True,
            etichetta_nota=_("Osservazioni che motivano il rinvio"),
            permessi_per_stato={
                Stato.PARERE_SINDACATI: (UDP,),
                Stato.APPROVAZIONE: (UDP, PRESIDENTE),
                Stato.INTESA_ASL: (UDP, ASL),
            },
        ),
        Transizione(
            "aggiorna", _("Aggiorna il piano"),
            _("Apre una nuova revisione del piano vigente; la versione in vigore resta in vigore "
              "fino alla firma dell'aggiornamento."),
            (UDP,), (g.entro_validita,), nota_obbligatoria=True,
            etichetta_nota=_("Motivo dell'aggiornamento"),
        ),
        Transizione(
            "annulla", _("Annulla il piano"),
            _("Solo l'Assemblea dei Sindaci, con un motivo. Nulla viene cancellato."),
            (PRESIDENTE,), (), nota_obbligatoria=True,
            etichetta_nota=_("Motivo dell'annullamento"), pericolosa=True,
        ),
    ]
}

# The main path of the iter, for the stepper.
PERCORSO = [
    Stato.AVVIO, Stato.INDIRIZZO, Stato.ISTRUTTORIA, Stato.BOZZA, Stato.PARERE_SINDACATI,
    Stato.APPROVAZIONE, Stato.INTESA_ASL, Stato.ACCORDO, Stato.SOTTOSCRIZIONE, Stato.VIGENTE,
    Stato.CONCLUSO,
]
