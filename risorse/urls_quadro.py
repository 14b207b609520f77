"""URLs of the quadro pages (included by risorse.urls)."""

urlpatterns = []
