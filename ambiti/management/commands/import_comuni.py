"""``manage.py import_comuni [PATH]``: load or refresh the registry of Italian comuni."""

from django.core.management.base import BaseCommand, CommandError

from ambiti.importazione import FILE_PREDEFINITO, FileNonValido, importa_comuni


class Command(BaseCommand):
    help = (
        "Importa o aggiorna comuni, province e regioni (per codice ISTAT) dal CSV del progetto "
        "o dall'elenco dei comuni pubblicato dall'ISTAT. Si può rieseguire: i dati invariati "
        "non vengono toccati e nessun comune viene cancellato."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "percorso",
            nargs="?",
            default=str(FILE_PREDEFINITO),
            metavar="PATH",
            help="File CSV da importare (predefinito: l'elenco distribuito con PianoZona, "
            "ambiti/data/comuni_istat.csv).",
        )

    def handle(self, *args, percorso, **options):
        try:
            esito = importa_comuni(percorso)
        except FileNonValido as exc:
            raise CommandError(f"{exc} Non è stato importato nulla.") from exc

        for errore in esito.errori:
            self.stderr.write(self.style.WARNING(str(errore)))
        if options["verbosity"] < 1:
            return
        self.stdout.write(f"File: {percorso} ({esito.formato}, {esito.codifica})")
        self.stdout.write(
            f"Comuni: {esito.created} creati, {esito.updated} aggiornati, "
            f"{esito.unchanged} invariati"
        )
        for etichetta, conteggi in (("Regioni", esito.regioni), ("Province", esito.province)):
            self.stdout.write(
                f"{etichetta}: {conteggi.created} create, {conteggi.updated} aggiornate, "
                f"{conteggi.unchanged} invariate"
            )
        if esito.errori:
            self.stdout.write(
                self.style.WARNING(f"Righe scartate: {len(esito.errori)} (elencate sopra)")
            )
        else:
            self.stdout.write("Righe scartate: nessuna")
        if esito.comuni_assenti:
            self.stdout.write(
                f"Comuni in anagrafe che il file non elenca: {esito.comuni_assenti} "
                "(non sono stati cancellati)"
            )
        self.stdout.write(self.style.SUCCESS("Importazione completata."))
