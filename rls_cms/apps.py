from django.apps import AppConfig


class RlsCmsConfig(AppConfig):
    name = "rls_cms"
    verbose_name = "rls_cms"
