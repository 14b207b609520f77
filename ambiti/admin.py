from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from guardian.admin import GuardedModelAdmin

from . import services
from .models import ASL, Ambito, Comune, Ente, Incarico, Provincia, Regione, Utente


class IncaricoInline(admin.TabularInline):
    model = Incarico
    fk_name = "utente"
    extra = 0
    autocomplete_fields = ["ambito", "ente"]
    readonly_fields = ["ruolo", "ambito", "regione", "ente", "dal", "al", "attivo"]
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Utente)
class UtenteAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + ((_("Identità"), {"fields": ("codice_fiscale",)}),)
    add_fieldsets = UserAdmin.add_fieldsets + ((_("Identità"), {"fields": ("codice_fiscale", "email")}),)
    list_display = ["username", "first_name", "last_name", "email", "codice_fiscale", "is_active"]
    search_fields = ["username", "first_name", "last_name", "email", "codice_fiscale"]
    inlines = [IncaricoInline]


@admin.register(Regione)
class RegioneAdmin(GuardedModelAdmin):
    list_display = ["nome", "codice_istat"]
    search_fields = ["nome", "codice_istat"]


@admin.register(Provincia)
class ProvinciaAdmin(admin.ModelAdmin):
    list_display = ["nome", "sigla", "codice_istat", "regione"]
    list_filter = ["regione"]
    search_fields = ["nome", "sigla", "codice_istat"]


@admin.register(Comune)
class ComuneAdmin(admin.ModelAdmin):
    list_display = ["denominazione", "codice_istat", "codice_catastale", "provincia", "popolazione", "popolazione_al"]
    list_filter = ["provincia__regione", "provincia"]
    search_fields = ["denominazione", "codice_istat", "codice_catastale"]
    list_select_related = ["provincia"]


@admin.register(ASL)
class ASLAdmin(admin.ModelAdmin):
    list_display = ["nome", "tipo", "regione"]
    list_filter = ["tipo", "regione"]
    search_fields = ["nome", "codice_fiscale"]


@admin.register(Ambito)
class AmbitoAdmin(GuardedModelAdmin):
    """Roles are granted as object permissions on the Ambito: through Incarichi (preferred, they
    keep history) or directly with the «Permessi oggetto» button."""

    list_display = ["nome", "codice", "asl"]
    list_filter = ["asl__regione", "asl"]
    search_fields = ["nome", "codice"]
    filter_horizontal = ["comuni"]
    list_select_related = ["asl"]


@admin.register(Ente)
class EnteAdmin(admin.ModelAdmin):
    list_display = ["denominazione", "tipo", "codice_fiscale", "forma_giuridica", "sezione_runts"]
    list_filter = ["tipo", "forma_giuridica", "sezione_runts"]
    search_fields = ["denominazione", "codice_fiscale", "partita_iva", "numero_runts"]
    autocomplete_fields = ["comune", "asl", "provincia"]
    filter_horizontal = ["ambiti"]


@admin.register(Incarico)
class IncaricoAdmin(admin.ModelAdmin):
    """Saving an Incarico grants (or, when made inactive, revokes) its object permissions."""

    list_display = ["utente", "ruolo", "ambito", "regione", "ente", "dal", "al", "attivo"]
    list_filter = ["ruolo", "attivo", "ambito__asl__regione"]
    search_fields = ["utente__username", "utente__last_name", "ambito__nome", "ente__denominazione"]
    autocomplete_fields = ["utente", "ambito", "ente"]
    list_select_related = ["utente", "ambito", "regione", "ente"]

    def save_model(self, request, obj, form, change):
        era_attivo = None
        if change:
            era_attivo = Incarico.objects.filter(pk=obj.pk).values_list("attivo", flat=True).first()
        super().save_model(request, obj, form, change)
        services.incarico_salva_da_admin(incarico=obj, era_attivo=era_attivo)

    def has_delete_permission(self, request, obj=None):
        return False  # end an incarico instead: history stays
