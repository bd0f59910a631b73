"""Where uploaded port documents live: a private directory with no URL of its own.

MEDIA_ROOT is not set by the project's settings (nothing else uploads files), so documents go to
PORTING_DOCUMENT_ROOT, else MEDIA_ROOT, else var/private/ beside the code. `base_url` is None,
so a document has no public address: it is only ever streamed by a permission-checked view."""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateDocumentStorage(FileSystemStorage):
    # Read the setting on every use (not once at import), so tests and deployments can move it.
    @property
    def base_location(self):
        configured = getattr(settings, "PORTING_DOCUMENT_ROOT", None) or settings.MEDIA_ROOT
        return configured or str(Path(settings.BASE_DIR) / "var" / "private")

    @property
    def location(self):
        return str(Path(self.base_location).resolve())

    @property
    def base_url(self):
        return None


def private_document_storage():
    return PrivateDocumentStorage()
