"""Fetch full MNIST (the four gzipped IDX files) into data/mnist/, checking each file's SHA-256.

A file is only ever moved into place after its SHA-256 matched, so data/mnist/ never
holds a partial or unverified file. Uses urllib only. The bundled 5,000-digit subset
works without any of this.
"""

import argparse
import contextlib
import hashlib
import http.client
import os
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

DEFAULT_DEST = Path(__file__).resolve().parents[1] / "data" / "mnist"
MIRRORS = (
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
)
# SHA-256 of the files as published (same values in tensorflow-datasets' url_checksums/mnist.txt).
FILES = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}
CHUNK_BYTES = 1 << 16
PARTIAL_SUFFIX = ".part"


class DownloadError(RuntimeError):
    """A file could not be fetched and verified from any mirror."""


class ChecksumMismatch(Exception):
    """A mirror served bytes whose SHA-256 differs from the expected one."""


# URLError, HTTPError and timeouts are OSErrors; a connection cut mid-body raises IncompleteRead.
FETCH_ERRORS = (OSError, http.client.HTTPException, ChecksumMismatch)


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _is_verified(path: Path, expected_sha256: str) -> bool:
    """True when path exists and has the expected SHA-256."""
    return path.is_file() and file_sha256(path) == expected_sha256


def _remove_stale_partials(dest: Path, name: str) -> None:
    """Delete temp files a killed earlier run may have left for name."""
    for leftover in dest.glob(f".{name}.*{PARTIAL_SUFFIX}"):
        with contextlib.suppress(OSError):
            leftover.unlink()


def _stream_to_file(response, out) -> int:
    """Copy an HTTP response body into out; return the byte count."""
    total = 0
    for chunk in iter(lambda: response.read(CHUNK_BYTES), b""):
        out.write(chunk)
        total += len(chunk)
    return total


def _check_complete(response, size: int) -> None:
    """Raise ConnectionError when the body ended before its declared Content-Length."""
    declared = response.headers.get("Content-Length")
    if declared is not None and declared.isdigit() and int(declared) != size:
        raise ConnectionError(f"connection closed after {size:,} of {int(declared):,} bytes")


def _fetch_verified(url: str, target: Path, expected_sha256: str, timeout: float) -> int:
    """Download url into target via a same-folder temp file, replacing target only if the hash matches."""
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=PARTIAL_SUFFIX, dir=target.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            size = _stream_to_file(response, out)
            _check_complete(response, size)
        actual = file_sha256(temp)
        if actual != expected_sha256:
            raise ChecksumMismatch(f"SHA-256 mismatch for {url} "
                                   f"(got {actual[:12]}..., want {expected_sha256[:12]}...)")
        os.chmod(temp, 0o644)  # mkstemp creates files readable by the owner only
        os.replace(temp, target)
        return size
    except BaseException:  # KeyboardInterrupt included: never leave the temp file behind
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise


def _describe(error: BaseException, url: str) -> str:
    """One-line reason for a failed attempt."""
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code} for {url}"
    if isinstance(error, urllib.error.URLError):
        return f"{error.reason} for {url}"
    if isinstance(error, ChecksumMismatch):
        return str(error)
    return f"{type(error).__name__}: {error} for {url}"


def _worth_retrying(error: BaseException) -> bool:
    """Whether the same mirror might succeed on another try (not for 4xx or wrong bytes)."""
    if isinstance(error, ChecksumMismatch):
        return False
    if isinstance(error, urllib.error.HTTPError):
        return error.code >= 500 or error.code == 429
    return True


def _fetch_from_mirror(url, target, expected_sha256, retries, timeout, backoff) -> int:
    """Try one mirror up to retries times with exponential backoff; return the byte count."""
    for attempt in range(max(1, retries) - 1):
        try:
            return _fetch_verified(url, target, expected_sha256, timeout)
        except FETCH_ERRORS as error:
            if not _worth_retrying(error):
                raise
            time.sleep(backoff * 2 ** attempt)
    return _fetch_verified(url, target, expected_sha256, timeout)


def _fetch_any_mirror(name, target, expected_sha256, mirrors, retries, timeout, backoff) -> str:
    """Fetch name from the first mirror that delivers it intact; return "URL (size)" of that copy."""
    last_error = "no mirrors given"
    for mirror in mirrors:
        url = mirror.rstrip("/") + "/" + name
        try:
            size = _fetch_from_mirror(url, target, expected_sha256, retries, timeout, backoff)
            return f"{url} ({size:,} bytes)"
        except FETCH_ERRORS as error:
            last_error = _describe(error, url)
    reason = " ".join(last_error.split())  # keep the message on one line
    raise DownloadError(f"could not download {name} from any mirror (last error: {reason}); "
                        "the bundled 5,000-image subset still works")


def download_mnist(dest=None, mirrors=MIRRORS, files=FILES, retries=3, timeout=30, log=print,
                   backoff=0.5) -> Path:
    """Ensure each file in files is in dest (default data/mnist/) with its SHA-256; retries = tries per mirror."""
    dest = Path(dest) if dest is not None else DEFAULT_DEST
    dest.mkdir(parents=True, exist_ok=True)
    for name, expected_sha256 in files.items():
        target = dest / name
        _remove_stale_partials(dest, name)
        if _is_verified(target, expected_sha256):
            log(f"{name}: already present, SHA-256 ok")
            continue
        source = _fetch_any_mirror(name, target, expected_sha256, mirrors, retries, timeout, backoff)
        log(f"{name}: downloaded from {source}, SHA-256 ok")
    return dest


def _parse_args(argv):
    """Command-line options of `python -m autograder data`."""
    parser = argparse.ArgumentParser(prog="python -m autograder data",
                                     description="Download full MNIST into data/mnist/ and verify it.")
    parser.add_argument("--dest", type=Path, default=None, help="target folder (default: data/mnist/)")
    parser.add_argument("--mirror", action="append", dest="mirrors", metavar="URL",
                        help="base URL to try, in order; repeat for several (default: the built-in mirrors)")
    parser.add_argument("--retries", type=int, default=3, help="attempts per mirror (default: 3)")
    parser.add_argument("--timeout", type=float, default=30, help="seconds per network operation (default: 30)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    """CLI entry point: download and verify, print one line per file; 1 on failure."""
    args = _parse_args(argv)
    try:
        download_mnist(args.dest, mirrors=args.mirrors or MIRRORS, files=FILES,
                       retries=args.retries, timeout=args.timeout)
    except DownloadError as error:
        print(error, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; no partial file was kept", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
