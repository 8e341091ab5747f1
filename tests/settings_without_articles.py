"""The demo host's settings with the articles app left out, as a careless host might."""

from rls_cms.settings import *  # noqa: F403
from rls_cms.settings import INSTALLED_APPS

INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "articles"]
