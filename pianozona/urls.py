from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("risorse.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("account/", include("ambiti.urls_account")),
    path("", include("tavoli.urls")),
    path("", include("accordi.urls")),
    path("", include("risorse.urls")),
]

handler403 = "accordi.views.errore_403"
handler404 = "accordi.views.errore_404"
