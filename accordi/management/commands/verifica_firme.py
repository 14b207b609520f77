"""Verify the signatures of a PDF (PAdES) or .p7m (CAdES) file and print the report as JSON.
Exit code 0 only when every signature is good."""

import json
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accordi.firme import verifica as v
from accordi.services_firme import radici_fiducia


class Command(BaseCommand):
    help = "Verifica le firme di un file PDF o .p7m e stampa il rapporto in JSON."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--trust", type=Path, help="Cartella di certificati delle CA attendibili.")

    def handle(self, *args, file: Path, trust: Path | None = None, **options):
        if not file.is_file():
            raise CommandError(f"File non trovato: {file}")
        radici = v.carica_radici(trust) if trust else radici_fiducia()
        try:
            esito = v.verifica_file(file.read_bytes(), file.name, radici=radici,
                                    max_bytes=settings.PIANOZONA_MAX_UPLOAD_BYTES)
            rapporto = esito.as_dict()
        except v.FileNonAccettato as exc:
            rapporto = {"ok": False, "errori": [exc.messaggio], "firme": []}
        for firma in rapporto.get("firme", []):
            firma.setdefault("signer", firma.get("firmatario"))
        self.stdout.write(json.dumps(rapporto, ensure_ascii=False, indent=2))
        if not rapporto["ok"]:
            sys.exit(1)
