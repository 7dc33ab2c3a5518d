"""Views: documents."""

urlpatterns: list = []
