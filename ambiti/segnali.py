"""Signals of writes that Django's own signals do not report.

``bulk_create`` sends no ``post_save``: a service that adds rows in bulk to a table that pages
keep in a cache says so with ``righe_aggiunte`` (``sender``: the model; ``istanze``: the rows),
so that whoever keeps figures of them hears it (``risorse.versioni``). A test finds every
``bulk_create`` of those tables in the code and checks that the signal follows it."""

from django.dispatch import Signal

righe_aggiunte = Signal()


def aggiunte(modello, istanze) -> list:
    """``istanze`` created in bulk on ``modello``, with the signal sent; returns them."""
    istanze = modello.objects.bulk_create(istanze)
    if istanze:
        righe_aggiunte.send(sender=modello, istanze=istanze)
    return istanze
