"""The pages of ``risorse``: the quadro delle risorse and the Comuni's spending, monitoring, and
the dashboards. One namespace, one module per concern."""

from django.urls import include, path

from . import urls_cruscotti, urls_monitoraggio, urls_quadro, urls_spesa

app_name = "risorse"

urlpatterns = [
    path("", include(urls_quadro)),
    path("", include(urls_monitoraggio)),
    path("", include(urls_cruscotti)),
    path("", include(urls_spesa)),
]
