"""Downloads from the bucket: streamed by default, or a short-lived presigned URL that forces a download.

Either way the permission check comes first: a stranger gets 404 and never a URL.
"""

import hashlib
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

pytestmark = pytest.mark.needs_s3


@pytest.fixture
def document(s3_storage, ready_draft):
    return ready_draft.documents.get()


def test_a_download_streams_from_the_bucket_by_default(s3_storage, owner_client, document, settings):
    assert settings.STORAGE_DOWNLOADS == "stream"

    response = owner_client.get(reverse("loans:document_download", args=[document.public_id]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="cedula.pdf"'
    assert response["Content-Length"] == str(document.size)
    assert (response["Cache-Control"], response["X-Content-Type-Options"]) == ("no-store", "nosniff")
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == document.sha256


def test_a_presigned_download_redirects_to_a_short_lived_attachment_url(s3_storage, owner_client, document, settings):
    settings.STORAGE_DOWNLOADS = "presigned"
    settings.S3_PRESIGNED_SECONDS = 60

    response = owner_client.get(reverse("loans:document_download", args=[document.public_id]))

    assert response.status_code == 302
    assert response["Cache-Control"] == "no-store"
    url = response["Location"]
    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Expires"] == ["60"]
    assert query["response-content-disposition"] == ['attachment; filename="cedula.pdf"']
    assert query["response-content-type"] == ["application/pdf"]
    with urllib.request.urlopen(url) as bucket:  # noqa: S310 - the test server's URL
        assert bucket.headers["Content-Disposition"] == 'attachment; filename="cedula.pdf"'
        assert hashlib.sha256(bucket.read()).hexdigest() == document.sha256


def test_the_object_itself_has_no_public_url(s3_storage, document):
    endpoint = s3_storage.endpoint_url
    public = f"{endpoint}/{s3_storage.bucket_name}/{s3_storage._normalize_name(document.file.name)}"

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(public)  # noqa: S310

    assert refused.value.code == 403


def test_a_stranger_gets_404_and_no_url(s3_storage, stranger_client, document, settings):
    settings.STORAGE_DOWNLOADS = "presigned"

    response = stranger_client.get(reverse("loans:document_download", args=[document.public_id]))

    assert response.status_code == 404
    assert "Location" not in response
