"""``manage.py genera_dati_scala [--scala 0.05] [--seme N] [--reset]``: the national-scale
dataset the dashboards and the API are measured on (see ``risorse.scala``)."""

from django.core.management.base import BaseCommand, CommandError

from risorse.scala import genera


class Command(BaseCommand):
    help = (
        "Genera dati di scala nazionale: tutti i comuni in circa 600 ambiti, tre cicli per regione con "
        "i piani in vari stati, 20.000 enti del Terzo Settore, risorse e spesa sociale per ogni ambito "
        "e anno. Senza --reset non tocca dati già generati."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scala", type=float, default=1.0,
                            help="frazione dei dati (0.05: stessa forma, meno province ed enti); predefinita 1")
        parser.add_argument("--seme", type=int, default=2026, help="seme del generatore casuale (2026)")
        parser.add_argument("--reset", action="store_true", help="cancella i dati generati prima e li rigenera")

    def handle(self, *args, scala, seme, reset, **options):
        try:
            esito = genera(scala=scala, seme=seme, reset=reset)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if esito.gia_presenti:
            self.stdout.write("Dati di scala già presenti: nulla da fare (--reset per rigenerarli).")
        for nome, numero in esito.conteggi.items():
            self.stdout.write(f"{nome}: {numero:,}".replace(",", "."))
        self.stdout.write(self.style.SUCCESS(f"Tempo: {esito.secondi:.1f} s"))
