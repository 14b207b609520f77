"""URLs of the monitoraggio pages (included by risorse.urls)."""

urlpatterns = []
