from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    name = "cdrp.partnerships"
    label = "partnerships"
    verbose_name = "Partnership registry"
