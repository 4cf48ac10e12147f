"""The upload corpus, through the documents page: judged by content, limited in size and number.

Every test runs on both storages (``storage_backend``): the local disk and an S3 bucket.
"""

import hashlib
import re
import struct
import zlib
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from loans.applications import services
from loans.choices import ApplicationStatus
from loans.models import ApplicationDocument
from portal.storage import walk
from portal.uploads import one_page_pdf
from tests.loans.helpers import add_documents

pytestmark = pytest.mark.usefixtures("storage_backend")

NOT_ACCEPTED = "Only PDF, JPEG or PNG files are accepted. This file is not one of them, whatever its name says."
STORAGE_NAME = re.compile(r"^documents/[0-9a-f]{2}/[0-9a-f]{32}$")


_pdf = one_page_pdf


def _png() -> bytes:
    """A real 1×1 red PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


# A real 1×1 baseline JPEG (JFIF, standard Huffman tables), as a phone camera would write it.
JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300100b0c0e0c0a100e0d0e1211101318281a181616183123251d"
    "283a333d3c3933383740485c4e404457453738506d51575f626768673e4d71797064785c656763ffdb0043011112121815182f"
    "1a1a2f634238426363636363636363636363636363636363636363636363636363636363636363636363636363636363636363"
    "636363636363ffc00011080001000103012200021101031101ffc4001f0000010501010101010100000000000000000102030405"
    "060708090a0bffc400b5100002010303020403050504040000017d01020300041105122131410613516107227114328191a108"
    "2342b1c11552d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a535455565758595a6364"
    "65666768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3"
    "c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffc4001f0100030101010101010101"
    "010000000000000102030405060708090a0bffc400b511000201020404030407050404000102770001020311040521310612"
    "41510761711322328108144291a1b1c109233352f0156272d10a162434e125f11718191a262728292a35363738393a43444546"
    "4748494a535455565758595a636465666768696a737475767778797a82838485868788898a92939495969798999aa2a3a4a5a6"
    "a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae2e3e4e5e6e7e8e9eaf2f3f4f5f6f7f8f9faffda"
    "000c03010002110311003f00c5a28a2bcb3ef0ffd9"
)
PDF = _pdf()
PNG = _png()
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 100
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + b"\x80\x00\x00\x00" + b"PE\x00\x00"
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x00\x00" + b"\x00" * 20 + b"a.txtPK\x05\x06" + b"\x00" * 18


@pytest.fixture
def draft(owner, product):
    application = services.application_create(applicant=owner)
    services.application_set_loan_request(
        application=application, product=product, amount=10_000_000, term_months=24, grace_months=3
    )
    return application


@pytest.fixture
def english(owner_client):
    owner_client.cookies["django_language"] = "en"
    return owner_client


def _upload(client, application, name, content, content_type, kind="id_document"):
    return client.post(
        reverse("loans:application_documents", args=[application.public_id]),
        {"kind": kind, "file": SimpleUploadedFile(name, content, content_type=content_type)},
    )


def _stored_files(settings) -> list[str]:
    """The names of every file in the default storage (the disk under MEDIA_ROOT, or the bucket)."""
    return sorted(walk(default_storage))


def test_the_fixtures_are_what_they_claim():
    assert PDF.startswith(b"%PDF-1.4\n") and PDF.endswith(b"%%EOF\n")
    start = int(PDF.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert PDF[start:].startswith(b"xref\n")
    assert PNG.startswith(b"\x89PNG\r\n\x1a\n") and PNG.endswith(b"IEND\xaeB`\x82")
    assert JPEG.startswith(b"\xff\xd8\xff\xe0") and JPEG.endswith(b"\xff\xd9")


@pytest.mark.parametrize(
    ("name", "content", "declared", "stored_type"),
    [
        ("cédula escaneada.pdf", PDF, "application/pdf", "application/pdf"),
        ("foto cedula.jpg", JPEG, "image/jpeg", "image/jpeg"),
        ("captura.png", PNG, "image/png", "image/png"),
        # Judged by content: a PNG named .pdf and declared as PDF is stored as what it is.
        ("certificado.pdf", PNG, "application/pdf", "image/png"),
        ("sin-extension", JPEG, "application/octet-stream", "image/jpeg"),
    ],
)
def test_real_documents_are_accepted_and_stored_under_a_random_name(
    name, content, declared, stored_type, english, draft, owner, settings, storage_backend
):
    response = _upload(english, draft, name, content, declared)

    assert response.status_code == 302
    assert response["Location"] == reverse("loans:application_documents", args=[draft.public_id])
    document = ApplicationDocument.objects.get()
    assert document.application == draft
    assert document.kind == "id_document"
    assert document.original_name == name
    assert document.content_type == stored_type
    assert document.size == len(content)
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.uploaded_by == owner
    # Nothing of the user's file name (nor its extension) reaches the disk.
    assert STORAGE_NAME.match(document.file.name), document.file.name
    stem = name.rsplit(".", 1)[0]
    assert stem not in document.file.name and not document.file.name.endswith((".pdf", ".jpg", ".png"))
    with default_storage.open(document.file.name, "rb") as stored:
        assert stored.read() == content
    assert _stored_files(settings) == [document.file.name]
    if storage_backend == "filesystem":
        path = Path(document.file.path)
        assert path.is_relative_to(Path(settings.MEDIA_ROOT))
        assert not path.is_relative_to(Path(settings.STATIC_ROOT))
    else:
        # A private object: nobody but the bucket's owner may read it, and no public URL exists.
        grants = default_storage.bucket.Object(default_storage._normalize_name(document.file.name)).Acl().grants
        assert {grant["Grantee"].get("URI") for grant in grants} == {None}
    follow = english.get(response["Location"])
    assert "Document uploaded." in follow.content.decode()


@pytest.mark.parametrize(
    ("name", "content", "declared"),
    [
        ("cedula.pdf", HTML, "application/pdf"),  # the declared type lies
        ("cedula.pdf", HTML, "text/html"),
        ("cedula.html", HTML, "text/html"),
        # HTML that mentions %PDF- further in is still HTML.
        ("cedula.pdf", b"<html>%PDF-1.4</html>", "application/pdf"),
        ("cedula.pdf", ELF, "application/pdf"),
        ("cedula.pdf", PE, "application/pdf"),
        ("setup.exe", PE, "application/x-msdownload"),
        ("documentos.zip", ZIP, "application/zip"),
        ("cedula.pdf", ZIP, "application/pdf"),
        ("notas.txt", b"solo texto", "text/plain"),
    ],
)
def test_files_that_are_not_pdf_jpeg_or_png_are_refused(name, content, declared, english, draft, settings):
    response = _upload(english, draft, name, content, declared)

    assert response.status_code == 200
    assert response.context["form"].errors == {"file": [NOT_ACCEPTED]}
    assert NOT_ACCEPTED in response.content.decode()
    assert not ApplicationDocument.objects.exists()
    assert _stored_files(settings) == []


def test_an_empty_file_is_refused(english, draft, settings):
    response = _upload(english, draft, "cedula.pdf", b"", "application/pdf")

    assert response.status_code == 200
    assert response.context["form"].errors == {"file": ["The submitted file is empty."]}
    assert not ApplicationDocument.objects.exists()
    assert _stored_files(settings) == []


def test_a_file_one_byte_over_10_mb_is_refused(english, draft, settings):
    content = PDF + b"0" * (10 * 1024 * 1024 + 1 - len(PDF))

    response = _upload(english, draft, "cedula.pdf", content, "application/pdf")

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "file": [
            "The file is 10.1\xa0MB; the limit is 10.0\xa0MB. Take the photo at a lower resolution or split the PDF."
        ]
    }
    assert not ApplicationDocument.objects.exists()
    assert _stored_files(settings) == []


def test_a_file_of_exactly_10_mb_is_accepted(english, draft):
    content = PDF + b"0" * (10 * 1024 * 1024 - len(PDF))

    response = _upload(english, draft, "cedula.pdf", content, "application/pdf")

    assert response.status_code == 302
    document = ApplicationDocument.objects.get()
    assert (document.size, document.content_type) == (10 * 1024 * 1024, "application/pdf")


def test_an_application_holds_at_most_20_documents(english, draft, settings):
    add_documents(draft, 20, 1000)

    response = _upload(english, draft, "cedula.pdf", PDF, "application/pdf")

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "file": ["An application can have at most 20 documents. Remove one first."]
    }
    assert ApplicationDocument.objects.count() == 20
    assert _stored_files(settings) == []


def test_an_application_holds_at_most_50_mb(english, draft, settings):
    add_documents(draft, 4, 10 * 1024 * 1024)
    add_documents(draft, 1, 10 * 1024 * 1024 - len(PDF) + 1)  # one byte short of room for the PDF

    response = _upload(english, draft, "cedula.pdf", PDF, "application/pdf")

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "file": ["The documents of an application can add up to at most 50 MB. Remove one first."]
    }
    assert ApplicationDocument.objects.count() == 5
    assert _stored_files(settings) == []


def test_the_last_byte_of_the_50_mb_quota_can_be_used(english, draft):
    add_documents(draft, 4, 10 * 1024 * 1024)
    add_documents(draft, 1, 10 * 1024 * 1024 - len(PDF))

    response = _upload(english, draft, "cedula.pdf", PDF, "application/pdf")

    assert response.status_code == 302
    assert ApplicationDocument.objects.count() == 6


def test_uploading_to_a_submitted_application_is_refused(english, ready_draft, owner, settings):
    services.application_submit(application=ready_draft, user=owner)
    before = list(ApplicationDocument.objects.values_list("pk", flat=True))
    files_before = _stored_files(settings)

    response = _upload(english, ready_draft, "otro.pdf", PDF, "application/pdf")

    assert response.status_code == 302
    assert response["Location"] == reverse("loans:application_detail", args=[ready_draft.public_id])
    assert list(ApplicationDocument.objects.values_list("pk", flat=True)) == before
    assert _stored_files(settings) == files_before
    page = english.get(response["Location"])
    assert "Documents can be added to a draft, or when an officer asks for information." in page.content.decode()
    ready_draft.refresh_from_db()
    assert ready_draft.status == ApplicationStatus.SUBMITTED


def test_the_service_refuses_a_document_for_a_submitted_application(ready_draft, owner):
    from loans.applications.documents import check_upload

    services.application_submit(application=ready_draft, user=owner)
    ready_draft.refresh_from_db()

    with pytest.raises(services.ApplicationError) as error:
        services.document_add(
            application=ready_draft,
            kind="other",
            upload=check_upload(SimpleUploadedFile("x.pdf", PDF, content_type="application/pdf")),
            user=owner,
        )

    assert str(error.value) == "Documents can be added to a draft, or when an officer asks for information."
    assert ready_draft.documents.count() == 1


def test_a_spanish_speaker_reads_the_refusal_in_spanish(owner_client, draft):
    response = _upload(owner_client, draft, "cedula.pdf", HTML, "application/pdf")

    assert response.status_code == 200
    assert not ApplicationDocument.objects.exists()
    assert response.context["form"].errors == {
        "file": [
            "Solo se aceptan archivos PDF, JPEG o PNG. Este archivo no es de ninguno de esos tipos, "
            "aunque su nombre diga otra cosa."
        ]
    }
