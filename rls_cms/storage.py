"""Static files for production: whitenoise's hashed, compressed copies."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    # The reader's scripts are ES modules: their imports ("./comments.js")
    # are rewritten to the hashed names too, so every file is cached for a
    # year and a new version is never mixed with an old one.
    support_js_module_import_aggregation = True
