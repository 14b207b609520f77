"""Errors of the services (iter, Assemblea, documents). Each carries an Italian message fit to
show the user."""


class IterError(Exception):
    """Base class: ``messaggi`` lists what the user must read."""

    def __init__(self, *messaggi: str):
        self.messaggi = [str(m) for m in messaggi]
        super().__init__("; ".join(self.messaggi))


class PermessoNegato(IterError):
    """The user may not make this change (a forged request: answer 403)."""


class PianoCambiato(IterError):
    """Someone else changed the plan since the user loaded it."""


class TransizioneNonAmmessa(IterError):
    """The transition does not start from the plan's current state."""


class GuardieNonSoddisfatte(IterError):
    """The state is right but something the transition needs is missing."""


class DatiNonValidi(IterError):
    """The user's input is incomplete or wrong."""


class StatoCambiato(IterError):
    """A session or a vote changed state since the user loaded the page."""
