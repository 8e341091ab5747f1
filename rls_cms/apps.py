from django.apps import AppConfig


class RlsCmsConfig(AppConfig):
    name = "rls_cms"
    verbose_name = "rls_cms"

    def ready(self) -> None:
        # The kept reader pages are dropped on every change, in every process
        # that makes one (the server, task workers, commands), not only where
        # the URLs are loaded. The host's rows join the daily housekeeping.
        from rls_cms import housekeeping, reader  # noqa: F401
