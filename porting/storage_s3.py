"""Port documents in an S3-compatible bucket (settings.STORAGES["documents"] when PORTAL_S3_BUCKET
is set). The same rules as the private directory: objects are private (the bucket's own default,
no ACL granted by us), never overwritten, named by porting.models (random, never the uploader's
name), and without any URL, signed or not: a document reaches a user only through the
permission-checked download view, which streams it.

Its own module, so that boto3 is imported only by processes configured to use it."""

from storages.backends.s3 import S3Storage


class PrivateS3Storage(S3Storage):
    default_acl = None  # what the bucket says (private unless someone opened it)
    file_overwrite = False  # as on the filesystem: a name already taken gets another
    querystring_auth = True  # if a URL were ever made, it would at least be signed and short-lived
    querystring_expire = 60
    custom_domain = None

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise ValueError("Port documents have no URL; they are streamed by porting.views.port_document_download.")
