"""Port documents on either storage the portal can be configured with: the private directory (the
default) and an S3-compatible bucket (PORTAL_S3_BUCKET, for several web hosts). The same page
uploads, the same view streams, the same scoping decides; the bucket is a real S3 server (moto's,
in this process), configured through the same environment variables a deployment sets."""

import logging
import runpy
import uuid
from pathlib import Path

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from moto.server import ThreadedMotoServer

from accounts.choices import Role
from expoe_portal.settings import base as base_settings
from porting.choices import PortStatus
from porting.models import PortDocument

from .walk import port_in_state

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
REGION = "eu-west-2"
ACCESS_KEY_ID, SECRET_ACCESS_KEY = "AKIAPORTALTEST000001", "Secret-Access-Key-Never-Logged-77"


def settings_from_environment(monkeypatch, **environment) -> dict:
    """The settings base.py makes from these environment variables (run afresh, not the loaded ones)."""
    monkeypatch.delenv("PORTAL_S3_BUCKET", raising=False)  # the filesystem unless named here
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(Path(base_settings.__file__)), run_name="settings_probe")


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


class Filesystem:
    def __init__(self, root: Path):
        self.root = root

    def objects(self) -> dict[str, bytes]:
        return {str(p.relative_to(self.root)): p.read_bytes() for p in self.root.rglob("*") if p.is_file()}


class Bucket:
    def __init__(self, endpoint: str, name: str, prefix: str):
        self.name, self.prefix = name, prefix
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY_ID,
            aws_secret_access_key=SECRET_ACCESS_KEY,
        )
        self.client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})

    def objects(self) -> dict[str, bytes]:
        listed = self.client.list_objects_v2(Bucket=self.name).get("Contents", [])
        return {
            item["Key"].removeprefix(f"{self.prefix}/"): self.client.get_object(Bucket=self.name, Key=item["Key"])[
                "Body"
            ].read()
            for item in listed
        }


@pytest.fixture(params=["filesystem", "s3"])
def storage(request, settings, tmp_path, monkeypatch):
    """Where this test's documents go, configured as a deployment would configure it."""
    if request.param == "filesystem":
        settings.PORTING_DOCUMENT_ROOT = str(tmp_path / "private")
        configured = settings_from_environment(monkeypatch)
        where: Filesystem | Bucket = Filesystem(tmp_path / "private")
    else:
        endpoint = request.getfixturevalue("s3_endpoint")
        bucket = f"portal-documents-{uuid.uuid4().hex[:12]}"
        configured = settings_from_environment(
            monkeypatch,
            PORTAL_S3_BUCKET=bucket,
            PORTAL_S3_PREFIX="uploads",
            PORTAL_S3_ENDPOINT_URL=endpoint,
            PORTAL_S3_REGION=REGION,
            PORTAL_S3_ACCESS_KEY_ID=ACCESS_KEY_ID,
            PORTAL_S3_SECRET_ACCESS_KEY=SECRET_ACCESS_KEY,
        )
        where = Bucket(endpoint, bucket, "uploads")
    settings.STORAGES = {**settings.STORAGES, "documents": configured["STORAGES"]["documents"]}
    return where


def upload(client, port_request, name="LoA signed.pdf", content=PDF):
    return client.post(
        reverse("porting:document_add", args=[port_request.pk]),
        {"kind": "letter_of_authority", "file": SimpleUploadedFile(name, content)},
    )


def test_a_document_goes_up_through_the_page_comes_back_only_through_the_scoped_view_and_is_removed(
    client, world, storage, django_capture_on_commit_callbacks
):
    draft = port_in_state(world, PortStatus.DRAFT)
    client.force_login(world.user(Role.PARTNER_USER))
    assert upload(client, draft).status_code == 302

    document = PortDocument.objects.get()
    (name,) = storage.objects()
    assert name == document.file.name and "LoA" not in name, "stored under a random name, not the uploader's"
    assert name.startswith(f"porting/{world.partner_a.pk}/{draft.pk}/") and name.endswith(".pdf")
    assert storage.objects()[name] == PDF

    download_url = reverse("porting:document_download", args=[draft.pk, document.pk])
    download = client.get(download_url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment") and download["Content-Type"] == "application/pdf"
    assert "Location" not in download, "streamed by the portal, never a redirect to the storage"

    client.force_login(world.user("partner_b_user"))
    assert client.get(download_url).status_code == 404
    assert client.post(reverse("porting:document_remove", args=[draft.pk, document.pk])).status_code == 404
    client.force_login(world.user(Role.COORDINATOR))
    assert b"".join(client.get(download_url).streaming_content) == PDF

    client.force_login(world.user(Role.PARTNER_USER))
    with django_capture_on_commit_callbacks(execute=True):
        removed = client.post(reverse("porting:document_remove", args=[draft.pk, document.pk]))
    assert removed.status_code == 302
    assert not PortDocument.objects.exists() and storage.objects() == {}


def test_refused_uploads_store_nothing_and_two_files_of_one_name_are_both_kept(client, world, storage, settings):
    draft = port_in_state(world, PortStatus.DRAFT)
    client.force_login(world.user(Role.PARTNER_USER))
    assert upload(client, draft, name="bill.pdf", content=b"MZ\x90\x00 not a pdf").status_code == 400
    settings.PORTING_DOCUMENT_MAX_BYTES = 10
    assert upload(client, draft, name="bill.pdf").status_code == 400
    assert storage.objects() == {}
    del settings.PORTING_DOCUMENT_MAX_BYTES

    assert upload(client, draft, name="bill.pdf", content=PDF).status_code == 302
    assert upload(client, draft, name="bill.pdf", content=PDF + b"%second").status_code == 302
    assert sorted(storage.objects().values()) == [PDF, PDF + b"%second"]


def test_on_s3_a_document_has_no_url_is_not_public_and_the_secret_key_is_never_logged(
    client, world, settings, s3_endpoint, monkeypatch, caplog
):
    caplog.set_level(logging.DEBUG)  # botocore's own request logging included
    bucket_name = f"portal-documents-{uuid.uuid4().hex[:12]}"
    configured = settings_from_environment(
        monkeypatch,
        PORTAL_S3_BUCKET=bucket_name,
        PORTAL_S3_ENDPOINT_URL=s3_endpoint,
        PORTAL_S3_REGION=REGION,
        PORTAL_S3_ACCESS_KEY_ID=ACCESS_KEY_ID,
        PORTAL_S3_SECRET_ACCESS_KEY=SECRET_ACCESS_KEY,
    )
    settings.STORAGES = {**settings.STORAGES, "documents": configured["STORAGES"]["documents"]}
    bucket = Bucket(s3_endpoint, bucket_name, "")
    draft = port_in_state(world, PortStatus.DRAFT)
    client.force_login(world.user(Role.PARTNER_USER))

    assert upload(client, draft).status_code == 302
    document = PortDocument.objects.get()
    assert b"".join(client.get(reverse("porting:document_download", args=[draft.pk, document.pk])).streaming_content)
    with pytest.raises(ValueError, match="no URL"):
        document.file.url  # noqa: B018
    grants = bucket.client.get_object_acl(Bucket=bucket_name, Key=document.file.name)["Grants"]
    assert [grant["Grantee"].get("URI") for grant in grants] == [None], "only the owner, no group such as AllUsers"
    assert "botocore" in caplog.text, "the S3 client's debug logging was captured"
    assert SECRET_ACCESS_KEY not in caplog.text
