"""Where uploaded port documents live: private storage with no URL of its own.

Which storage is the `documents` entry of settings.STORAGES: by default a private directory
(PrivateDocumentStorage below); with PORTAL_S3_BUCKET set, an S3-compatible bucket
(porting/storage_s3.py), so that every web and worker host sees the same files. Either way a
document has no public address: it is only ever streamed by a permission-checked view.

MEDIA_ROOT is not set by the project's settings (nothing else uploads files), so on the filesystem
documents go to PORTING_DOCUMENT_ROOT, else MEDIA_ROOT, else var/private/ beside the code."""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty

DOCUMENTS = "documents"  # the alias in settings.STORAGES


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


class DocumentStorage(LazyObject):
    """settings.STORAGES["documents"], looked up when first used (as Django's default_storage is),
    so the model field does not fix the backend at import time."""

    def _setup(self):
        self._wrapped = storages[DOCUMENTS]


documents_storage = DocumentStorage()


@receiver(setting_changed)
def _storages_changed(*, setting, **kwargs):
    # Django forgets its storages when STORAGES changes (tests); this one follows.
    if setting == "STORAGES":
        documents_storage._wrapped = empty


def private_document_storage():
    """The port document field's storage (a callable, so migrations name this, not a backend)."""
    return documents_storage
