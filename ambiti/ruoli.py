"""The roles of ITER.md as django-guardian object permissions.

A role held in an ambito grants object permissions on that Ambito; the regional officer's role
grants ``consulta_regione`` on the Regione, which reads every ambito of it. Checks go through
``ha_permesso`` so that the regional read-through lives in one place.
"""

from __future__ import annotations

from collections.abc import Iterable

from guardian.core import ObjectPermissionChecker

from .models import Ambito, Incarico

R = Incarico.Ruolo

PERMESSI_PER_RUOLO: dict[str, tuple[str, ...]] = {
    R.RESPONSABILE_UDP: ("consulta_ambito", "gestisci_piano"),
    R.OPERATORE_UDP: ("consulta_ambito", "gestisci_piano"),
    R.PRESIDENTE_ASSEMBLEA: ("consulta_ambito", "presiedi_assemblea"),
    R.SINDACO: ("consulta_ambito", "vota_assemblea"),
    R.REFERENTE_ASL: ("consulta_ambito", "esprimi_intesa"),
    # Unions read only what is sent to them: no general read on the ambito.
    R.REFERENTE_SINDACATO: ("esprimi_parere",),
    R.REFERENTE_TERZO_SETTORE: ("partecipa_tavoli",),
    R.COMPONENTE_TAVOLO: ("partecipa_tavoli",),
}
PERMESSI_REGIONALI: tuple[str, ...] = ("consulta_regione",)

# Permissions that let a user open the plan page of an ambito (its state and timeline).
PERMESSI_DI_LETTURA = (
    "consulta_ambito", "gestisci_piano", "presiedi_assemblea", "vota_assemblea",
    "esprimi_intesa", "esprimi_parere", "partecipa_tavoli",
)


class Permessi:
    """Object-permission answers for one user, cached: one query for the user's ambito
    permissions and one for their regions, whatever the number of plans on a page."""

    def __init__(self, utente):
        self.utente = utente
        self._checker = ObjectPermissionChecker(utente) if utente.is_authenticated else None
        self._regioni: set[int] | None = None

    def _regioni_consultabili(self) -> set[int]:
        if self._regioni is None:
            self._regioni = set()
            if self.utente.is_authenticated and self.utente.is_active:
                from guardian.shortcuts import get_objects_for_user

                from .models import Regione

                self._regioni = set(
                    get_objects_for_user(
                        self.utente, "ambiti.consulta_regione", klass=Regione, accept_global_perms=False
                    ).values_list("pk", flat=True)
                )
        return self._regioni

    def ha(self, perm: str, ambito: Ambito) -> bool:
        if self._checker is None or not self.utente.is_active:
            return False
        if self.utente.is_superuser:
            return True
        return self._checker.has_perm(perm, ambito)

    def ha_su_alcuno(self, perm: str, ambiti: Iterable[Ambito]) -> bool:
        return any(self.ha(perm, a) for a in ambiti)

    def legge(self, ambiti: Iterable[Ambito]) -> bool:
        """May read the private pages of (a plan of) these ambiti."""
        ambiti = list(ambiti)
        if any(self.ha(p, a) for a in ambiti for p in PERMESSI_DI_LETTURA):
            return True
        regioni = self._regioni_consultabili()
        return any(a.asl.regione_id in regioni for a in ambiti)

    def consulta_regione(self, regione_id: int) -> bool:
        return self.utente.is_superuser or regione_id in self._regioni_consultabili()

    def prefetch(self, ambiti: Iterable[Ambito]) -> None:
        if self._checker is not None:
            ambiti = list(ambiti)
            if ambiti:
                self._checker.prefetch_perms(ambiti)
