"""URLs of the cruscotti pages (included by risorse.urls)."""

urlpatterns = []
