"""``/api/v1/``: the open API, its OpenAPI schema and its documentation page (Swagger UI from
the vendored assets of drf-spectacular-sidecar: no CDN). An id is matched as any path segment, so
that the view, not the URL resolver, answers a wrong one (with JSON, not the site's HTML 404)."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

app_name = "api"

ID = r"(?P<pk>[^/]+)"

v1 = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # the split view serves its start-up script as a file: the CSP refuses inline scripts
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("ambiti/", views.AmbitiView.as_view(), name="ambiti"),
    re_path(rf"^ambiti/{ID}/$", views.AmbitoView.as_view(), name="ambito"),
    path("pubblico/piani/", views.PianiPubbliciView.as_view(), name="pubblico_piani"),
    re_path(rf"^pubblico/piani/{ID}/$", views.PianoPubblicoView.as_view(), name="pubblico_piano"),
    path("pubblico/accordi/", views.AccordiPubbliciView.as_view(), name="pubblico_accordi"),
    re_path(rf"^pubblico/accordi/{ID}/$", views.AccordoPubblicoView.as_view(), name="pubblico_accordo"),
    path("piani/", views.PianiView.as_view(), name="piani"),
    re_path(rf"^piani/{ID}/$", views.PianoView.as_view(), name="piano"),
    re_path(rf"^piani/{ID}/risorse/$", views.RisorsePianoView.as_view(), name="piano_risorse"),
    re_path(rf"^piani/{ID}/adesioni/$", views.AdesioniPianoView.as_view(), name="piano_adesioni"),
]

urlpatterns = [path("v1/", include(v1))]
