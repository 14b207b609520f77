from django.contrib import admin

from .models import CicloProgrammazione, PianoAmbito, PianoDiZona, TransizionePiano


@admin.register(CicloProgrammazione)
class CicloAdmin(admin.ModelAdmin):
    list_display = ["__str__", "atto_linee_indirizzo", "scadenza_approvazione", "validita_inizio", "validita_fine"]
    list_filter = ["regione"]
    search_fields = ["atto_linee_indirizzo"]


class PianoAmbitoInline(admin.TabularInline):
    model = PianoAmbito
    extra = 0
    autocomplete_fields = ["ambito"]


class TransizioneInline(admin.TabularInline):
    model = TransizionePiano
    extra = 0
    can_delete = False
    readonly_fields = ["quando", "nome", "da_stato", "a_stato", "utente", "ruolo", "nota", "revisione"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PianoDiZona)
class PianoAdmin(admin.ModelAdmin):
    """State changes happen only on the plan page (through the services), never here."""

    list_display = ["titolo", "ciclo", "stato", "revisione", "vigente_dal"]
    list_filter = ["stato", "ciclo"]
    search_fields = ["titolo", "ambiti__nome"]
    readonly_fields = ["stato", "revisione", "vigente_dal", "revisione_vigente", "motivo_annullamento", "creato_da"]
    inlines = [PianoAmbitoInline, TransizioneInline]


@admin.register(TransizionePiano)
class TransizioneAdmin(admin.ModelAdmin):
    list_display = ["quando", "piano", "nome", "da_stato", "a_stato", "utente", "ruolo"]
    list_filter = ["nome", "a_stato"]
    search_fields = ["piano__titolo", "nota"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
