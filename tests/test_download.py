"""Tests for autograder.download against mirrors served from 127.0.0.1 (never the real internet)."""

import collections
import gzip
import hashlib
import http.server
import socket
import struct
import threading

import numpy as np
import pytest

from autograder import data, download

TINY_SIZES = {"train": 1_050, "test": 20}


def idx_bytes(array: np.ndarray) -> bytes:
    """Encode a uint8 array as an IDX blob."""
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def tiny_mnist_payloads() -> dict[str, bytes]:
    """Gzipped, valid IDX files named like full MNIST but only a few kilobytes each."""
    rng = np.random.default_rng(7)
    payloads = {}
    for pool, size in TINY_SIZES.items():
        images_name, labels_name = data.FULL_MNIST_FILES[pool]
        images = rng.integers(0, 4, size=(size, 28, 28), dtype=np.uint8) * 85
        payloads[images_name] = gzip.compress(idx_bytes(images), mtime=0)
        payloads[labels_name] = gzip.compress(idx_bytes(np.arange(size, dtype=np.uint8) % 10), mtime=0)
    return payloads


PAYLOADS = tiny_mnist_payloads()
FILES = {name: hashlib.sha256(payload).hexdigest() for name, payload in PAYLOADS.items()}
FAST = {"retries": 1, "timeout": 5, "backoff": 0}


class MirrorServer:
    """A threaded HTTP server on 127.0.0.1 that serves fixed routes and counts requests per path."""

    def __init__(self):
        self.routes: dict[str, bytes] = {}
        self.short_routes: set[str] = set()  # bodies cut short of their Content-Length
        self.failures_left: collections.Counter = collections.Counter()  # 503s to send before serving
        self.requests: collections.Counter = collections.Counter()
        self._lock = threading.Lock()
        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True)

    def _handler_class(self):
        """A request handler bound to this server's routes."""
        mirror = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                status, body, declared = mirror.respond(self.path)
                self.send_response(status)
                self.send_header("Content-Length", str(declared))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        return Handler

    def respond(self, path: str) -> tuple[int, bytes, int]:
        """Status, body and declared length for path; records the request."""
        with self._lock:
            self.requests[path] += 1
            if self.failures_left[path] > 0:
                self.failures_left[path] -= 1
                return 503, b"busy", 4
        if path not in self.routes:
            return 404, b"not found", 9
        body = self.routes[path]
        if path in self.short_routes:
            return 200, body[: len(body) // 2], len(body)
        return 200, body, len(body)

    def url(self, prefix: str) -> str:
        """Base URL of a mirror folder on this server."""
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/{prefix}/"

    def serve(self, prefix: str, payloads: dict[str, bytes]) -> str:
        """Publish payloads under /prefix/ and return that mirror's base URL."""
        for name, payload in payloads.items():
            self.routes[f"/{prefix}/{name}"] = payload
        return self.url(prefix)

    def count(self, prefix: str) -> int:
        """Requests received under /prefix/."""
        return sum(n for path, n in self.requests.items() if path.startswith(f"/{prefix}/"))

    def start(self):
        """Start serving in a daemon thread."""
        self._thread.start()

    def stop(self):
        """Stop serving and release the port."""
        self._httpd.shutdown()
        self._httpd.server_close()


def corrupted(payloads: dict[str, bytes]) -> dict[str, bytes]:
    """The same payloads with one byte flipped."""
    return {name: payload[:-1] + bytes([payload[-1] ^ 0xFF]) for name, payload in payloads.items()}


def closed_port_url() -> str:
    """A URL on 127.0.0.1 whose port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/mnist/"


@pytest.fixture(autouse=True)
def no_proxies(monkeypatch):
    """Make urllib connect to 127.0.0.1 directly even if a proxy is configured."""
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.setenv("NO_PROXY", "*")


@pytest.fixture
def server():
    """A running MirrorServer."""
    mirror = MirrorServer()
    mirror.start()
    yield mirror
    mirror.stop()


@pytest.fixture
def dest(tmp_path):
    """An empty download folder."""
    folder = tmp_path / "mnist"
    folder.mkdir()
    return folder


def fetch(dest, mirrors, files=FILES, **options):
    """download_mnist with fast settings; returns the log lines."""
    lines = []
    download.download_mnist(dest, mirrors=mirrors, files=files, log=lines.append, **{**FAST, **options})
    return lines


def assert_all_good(dest):
    """Every payload sits in dest with the right bytes, and nothing else does."""
    assert sorted(p.name for p in dest.iterdir()) == sorted(PAYLOADS)
    for name, payload in PAYLOADS.items():
        assert (dest / name).read_bytes() == payload


def test_published_table_lists_the_four_standard_files():
    assert sorted(download.FILES) == sorted(name for pair in data.FULL_MNIST_FILES.values() for name in pair)
    assert all(len(digest) == 64 and int(digest, 16) >= 0 for digest in download.FILES.values())


def test_downloads_every_file_from_the_first_mirror(server, dest):
    first, second = server.serve("first", PAYLOADS), server.serve("second", PAYLOADS)
    lines = fetch(dest, [first, second])
    assert_all_good(dest)
    assert server.count("first") == 4 and server.count("second") == 0
    assert len(lines) == 4 and all("SHA-256 ok" in line for line in lines)


def test_falls_back_when_the_first_mirror_404s_without_retrying_it(server, dest):
    good = server.serve("good", PAYLOADS)
    fetch(dest, [server.url("missing"), good], retries=3)
    assert_all_good(dest)
    assert server.count("missing") == 4  # a 404 is final: one request per file


def test_falls_back_when_the_first_mirror_is_unreachable(server, dest):
    good = server.serve("good", PAYLOADS)
    fetch(dest, [closed_port_url(), good])
    assert_all_good(dest)


def test_corrupted_file_is_rejected_and_the_next_mirror_used(server, dest):
    bad, good = server.serve("bad", corrupted(PAYLOADS)), server.serve("good", PAYLOADS)
    fetch(dest, [bad, good], retries=3)
    assert_all_good(dest)
    assert server.count("bad") == 4  # wrong bytes are not retried on the same mirror


def test_truncated_body_is_rejected_and_the_next_mirror_used(server, dest):
    short, good = server.serve("short", PAYLOADS), server.serve("good", PAYLOADS)
    server.short_routes.update(path for path in server.routes if path.startswith("/short/"))
    with pytest.raises(download.DownloadError, match="connection closed after"):
        fetch(dest, [short])
    assert list(dest.iterdir()) == []
    fetch(dest, [short, good])
    assert_all_good(dest)


def test_transient_server_error_is_retried_on_the_same_mirror(server, dest):
    good = server.serve("good", PAYLOADS)
    server.failures_left["/good/train-images-idx3-ubyte.gz"] = 1
    fetch(dest, [good], retries=2)
    assert_all_good(dest)
    assert server.requests["/good/train-images-idx3-ubyte.gz"] == 2


def test_file_corrupted_on_every_mirror_fails_and_leaves_nothing(server, dest):
    one, two = server.serve("one", corrupted(PAYLOADS)), server.serve("two", corrupted(PAYLOADS))
    with pytest.raises(download.DownloadError, match="SHA-256 mismatch"):
        fetch(dest, [one, two])
    assert list(dest.iterdir()) == []


def test_present_good_files_are_not_downloaded_again(server, dest):
    good = server.serve("good", PAYLOADS)
    fetch(dest, [good])
    server.requests.clear()
    lines = fetch(dest, [good])
    assert server.count("good") == 0
    assert all("already present" in line for line in lines) and len(lines) == 4
    assert_all_good(dest)


def test_present_file_with_wrong_hash_is_replaced(server, dest):
    good = server.serve("good", PAYLOADS)
    (dest / "train-labels-idx1-ubyte.gz").write_bytes(b"half a download")
    (dest / ".train-labels-idx1-ubyte.gz.abc123.part").write_bytes(b"left by a killed run")
    fetch(dest, [good])
    assert_all_good(dest)
    assert server.count("good") == 4


def test_interrupted_download_leaves_no_temp_file(server, dest, monkeypatch):
    good = server.serve("good", PAYLOADS)

    def write_half_then_interrupt(response, out):
        out.write(response.read(10))
        raise KeyboardInterrupt

    monkeypatch.setattr(download, "_stream_to_file", write_half_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        fetch(dest, [good])
    assert list(dest.iterdir()) == []


def test_offline_raises_a_one_line_download_error(dest):
    with pytest.raises(download.DownloadError) as caught:
        fetch(dest, [closed_port_url(), closed_port_url()], retries=2)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("could not download train-images-idx3-ubyte.gz from any mirror (last error: ")
    assert message.endswith("the bundled 5,000-image subset still works")
    assert list(dest.iterdir()) == []


def test_main_offline_prints_one_line_to_stderr_and_returns_1(dest, capsys):
    argv = ["--dest", str(dest), "--mirror", closed_port_url(), "--mirror", closed_port_url(),
            "--retries", "1", "--timeout", "5"]
    assert download.main(argv) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.strip().splitlines()) == 1
    assert captured.err.startswith("could not download ")


def test_main_success_prints_one_line_per_file(server, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(download, "FILES", FILES)
    good = server.serve("good", PAYLOADS)
    target = tmp_path / "fresh" / "mnist"  # created on demand
    assert download.main(["--dest", str(target), "--mirror", good, "--retries", "1"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 4
    assert_all_good(target)


def test_downloaded_files_feed_the_loader(server, tmp_path):
    good = server.serve("good", PAYLOADS)
    fetch(tmp_path / data.FULL_MNIST_DIR, [good])
    X_test, y_test = data.load_mnist("test", data_dir=tmp_path)
    assert X_test.shape == (TINY_SIZES["test"], 784) and y_test.tolist() == list(range(10)) * 2
    assert data.dataset_description(tmp_path).startswith("full MNIST (1,050 + 20 digits, ")
