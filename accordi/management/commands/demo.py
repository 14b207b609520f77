from django.core.management import call_command
from django.core.management.base import BaseCommand

from accordi.demo import PASSWORD_DEMO, carica_demo
from ambiti.models import Comune


class Command(BaseCommand):
    help = "Carica i dati dimostrativi (idempotente) e stampa gli accessi."

    def handle(self, *args, **options):
        if not Comune.objects.filter(codice_istat="018110").exists():  # Pavia
            self.stdout.write("Importazione dei comuni ISTAT…")
            call_command("import_comuni", stdout=self.stdout)
        accessi = carica_demo()
        self.stdout.write(self.style.SUCCESS("\nDati dimostrativi pronti. Accessi (password per tutti: "
                                             f"{PASSWORD_DEMO}):"))
        larghezza = max(len(u) for u, _ in accessi)
        for username, descrizione in accessi:
            self.stdout.write(f"  {username.ljust(larghezza)}  {descrizione}")
