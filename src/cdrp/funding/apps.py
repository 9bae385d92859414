from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "cdrp.funding"
    label = "funding"
    verbose_name = "Funding and commissioning"
