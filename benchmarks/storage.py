"""Document upload and download throughput: S3 (moto's server over HTTP) against the local disk.

Both go through what the portal runs: ``Storage.save`` for an upload and
``portal.storage.download_response`` (the permission-checked views' response, consumed to the
last byte) for a download. Same run, same files, rounds interleaved; the result is a ratio.
Downloads are also measured with Django's default 4 KB read size, against the 64 KB that
``download_response`` uses (``DOWNLOAD_BLOCK_BYTES``).

    .venv/bin/python benchmarks/storage.py [--rounds 5] [--files 20] [--size-kb 700]

700 KB is a typical phone photo of an ID document; 10 MB is the upload limit.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")


def _measure(storage, payloads: list[bytes], block_size: int | None = None) -> tuple[float, float]:
    """(upload MB/s, download MB/s) for these payloads on this storage."""
    from django.core.files.base import ContentFile

    from portal.storage import download_response

    total_mb = sum(len(p) for p in payloads) / 1024 / 1024
    prefix = uuid.uuid4().hex
    started = time.perf_counter()
    names = [storage.save(f"bench/{prefix}/{i}", ContentFile(payload)) for i, payload in enumerate(payloads)]
    upload = time.perf_counter() - started
    started = time.perf_counter()
    for name, payload in zip(names, payloads, strict=True):
        response = download_response(name, filename="x.pdf", content_type="application/pdf", storage=storage)
        if block_size:
            response.block_size = block_size
        received = sum(len(chunk) for chunk in response.streaming_content)
        response.close()
        assert received == len(payload)
    download = time.perf_counter() - started
    for name in names:
        storage.delete(name)
    return total_mb / upload, total_mb / download


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--size-kb", type=int, default=700)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.files.storage import FileSystemStorage
    from storages.backends.s3 import S3Storage

    from tests import services

    s3 = S3Storage(**services.s3_storage_settings()["OPTIONS"])
    payloads = [os.urandom(args.size_kb * 1024) for _ in range(args.files)]
    results: dict[str, list[tuple[float, float]]] = {"local": [], "s3": [], "local 4 KB": [], "s3 4 KB": []}
    with tempfile.TemporaryDirectory() as directory:
        local = FileSystemStorage(location=directory)
        _measure(local, payloads[:2]), _measure(s3, payloads[:2])  # warm-up: connections, imports
        for _ in range(args.rounds):
            results["local"].append(_measure(local, payloads))
            results["s3"].append(_measure(s3, payloads))
            results["local 4 KB"].append(_measure(local, payloads, block_size=4096))
            results["s3 4 KB"].append(_measure(s3, payloads, block_size=4096))

    def median(kind: str, index: int) -> float:
        return statistics.median(r[index] for r in results[kind])

    print(f"{args.files} files of {args.size_kb} KB, {args.rounds} rounds, medians")
    print(f"{'':10} {'upload MB/s':>12} {'download MB/s':>14}")
    for kind in results:
        print(f"{kind:10} {median(kind, 0):12.1f} {median(kind, 1):14.1f}")
    per_round_up = statistics.median(s[0] / loc[0] for s, loc in zip(results["s3"], results["local"], strict=True))
    per_round_down = statistics.median(s[1] / loc[1] for s, loc in zip(results["s3"], results["local"], strict=True))
    print(f"S3 / local: upload {per_round_up:.3f}, download {per_round_down:.3f} (median of per-round ratios)")
    for kind in ("local", "s3"):
        gain = statistics.median(
            new[1] / old[1] for new, old in zip(results[kind], results[f"{kind} 4 KB"], strict=True)
        )
        print(f"{kind}: download with 64 KB reads / with 4 KB reads: {gain:.2f}")
    per_file_up = args.size_kb / 1024 / median("s3", 0) * 1000
    per_file_down = args.size_kb / 1024 / median("s3", 1) * 1000
    print(f"S3 per document: upload {per_file_up:.1f} ms, download {per_file_down:.1f} ms")


if __name__ == "__main__":
    main()
