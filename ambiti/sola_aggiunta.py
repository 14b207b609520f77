"""Append-only logs: rows are written once and never updated or deleted, neither one by one
nor in bulk. Shared by the iter's log, the signing audit and the Assemblea's log."""

from django.db import models

MODIFICA = "Registro in sola aggiunta: le voci non si modificano."
CANCELLAZIONE = "Registro in sola aggiunta: le voci non si cancellano."


class SolaAggiuntaQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError(MODIFICA)

    def delete(self):
        raise TypeError(CANCELLAZIONE)


class SolaAggiunta(models.Model):
    objects = SolaAggiuntaQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError(MODIFICA)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(CANCELLAZIONE)
