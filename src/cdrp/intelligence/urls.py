from django.urls import path  # noqa: F401  (pages are added here as the intelligence app grows)

app_name = "intelligence"
urlpatterns: list = []
