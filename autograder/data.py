"""MNIST for the exercises: full MNIST from data/mnist/ when downloaded, else the bundled 5,000-digit subset.

Nothing here touches the network; `python -m autograder data` fetches full MNIST.
"""

import functools
import gzip
import math
import struct
import zlib
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = REPO_ROOT / "data"
SUBSET_FILE = "mnist_5k.npz"
FULL_MNIST_DIR = "mnist"
FULL_MNIST_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
SPLITS = ("train", "validation", "test")
LAYOUTS = ("rows", "columns")
VALIDATION_SIZE = 1000
SPLIT_SEED = 0
IMAGE_SIDE = 28
PIXELS = IMAGE_SIDE * IMAGE_SIDE
UNSIGNED_BYTE = 0x08  # the IDX type code MNIST uses


def _data_dir(data_dir) -> Path:
    """Resolve data_dir, defaulting to the repository's data/ folder."""
    return Path(data_dir).resolve() if data_dir is not None else DEFAULT_DATA_DIR


def _full_mnist_paths(data_dir: Path) -> list[Path]:
    """The four full-MNIST file paths under data_dir."""
    return [data_dir / FULL_MNIST_DIR / name for pair in FULL_MNIST_FILES.values() for name in pair]


def _has_full_mnist(data_dir: Path) -> bool:
    """True when all four full-MNIST files are present."""
    return all(path.is_file() for path in _full_mnist_paths(data_dir))


def _display(path: Path) -> str:
    """Path relative to the repository when inside it, else absolute."""
    try:
        return path.relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return str(path)


def _parse_idx(raw: bytes, source: str) -> np.ndarray:
    """Decode an unsigned-byte IDX blob into an array, or raise ValueError naming source."""
    if len(raw) < 4 or raw[:2] != b"\x00\x00" or raw[2] != UNSIGNED_BYTE or raw[3] == 0:
        raise ValueError(f"{source}: not an unsigned-byte IDX file (magic number 0x{raw[:4].hex()})")
    ndim = raw[3]
    header_size = 4 + 4 * ndim
    if len(raw) < header_size:
        raise ValueError(f"{source}: IDX header truncated ({len(raw)} bytes, need {header_size})")
    shape = struct.unpack(f">{ndim}I", raw[4:header_size])
    payload = len(raw) - header_size
    if payload != math.prod(shape):
        raise ValueError(f"{source}: IDX dimensions {shape} need {math.prod(shape)} data bytes, found {payload}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header_size).reshape(shape)


def _read_idx_gz(path: Path) -> np.ndarray:
    """Read one gzipped IDX file."""
    try:
        raw = gzip.decompress(path.read_bytes())
    except (OSError, EOFError, zlib.error) as error:
        raise ValueError(f"{path}: not a readable gzip file ({error})") from error
    return _parse_idx(raw, str(path))


def _read_idx_pair(images_path: Path, labels_path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Read matching image and label IDX files as (m, 784) and (m,) uint8 arrays."""
    images, labels = _read_idx_gz(images_path), _read_idx_gz(labels_path)
    if images.ndim != 3 or images.shape[1:] != (IMAGE_SIDE, IMAGE_SIDE):
        raise ValueError(f"{images_path}: expected images of 28x28 pixels, got shape {images.shape}")
    if labels.ndim != 1 or len(labels) != len(images):
        raise ValueError(f"{labels_path}: expected {len(images)} labels, got shape {labels.shape}")
    return images.reshape(len(images), PIXELS), labels


def _read_subset(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Read the bundled .npz subset as (m, 784) and (m,) uint8 arrays."""
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: regenerate it with data/prepare_subset.py "
                                "or fetch full MNIST with `python -m autograder data`")
    with np.load(path, allow_pickle=False) as archive:
        images, labels = archive["images"], archive["labels"]
    well_formed = images.ndim == 2 and images.shape[1] == PIXELS and labels.shape == images.shape[:1]
    if not well_formed or images.dtype != np.uint8 or labels.dtype != np.uint8:
        raise ValueError(f"{path}: expected uint8 images (m, {PIXELS}) and labels (m,)")
    return images, labels


def _check_labels(labels: np.ndarray, source: str) -> None:
    """Raise ValueError unless every label is a digit 0-9."""
    if labels.size and labels.max() > 9:
        raise ValueError(f"{source}: label {int(labels.max())} is not a digit 0-9")


@functools.lru_cache(maxsize=None)
def _load_pools(data_dir: Path, full: bool) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Read-only uint8 (images, labels) per pool ("train", and "test" for full MNIST), cached per process."""
    if full:
        folder = data_dir / FULL_MNIST_DIR
        pools = {pool: _read_idx_pair(folder / images, folder / labels)
                 for pool, (images, labels) in FULL_MNIST_FILES.items()}
    else:
        pools = {"train": _read_subset(data_dir / SUBSET_FILE)}
    for pool, (images, labels) in pools.items():
        _check_labels(labels, f"{pool} labels in {data_dir}")
        images.flags.writeable = False
        labels.flags.writeable = False
    return pools


@functools.lru_cache(maxsize=None)
def _split_indices(pool_size: int) -> tuple[np.ndarray, np.ndarray]:
    """(train, validation) indices: a seeded permutation, its first 1,000 entries held out."""
    if pool_size <= VALIDATION_SIZE:
        raise ValueError(f"a training pool of {pool_size} images is too small to hold out {VALIDATION_SIZE}")
    order = np.random.default_rng(SPLIT_SEED).permutation(pool_size)
    return order[VALIDATION_SIZE:], order[:VALIDATION_SIZE]


def _check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    """Raise ValueError unless value is one of choices."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, not {value!r}")


def _select(split: str, data_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    """uint8 images and labels of one split."""
    full = _has_full_mnist(data_dir)
    if split == "test":
        if not full:
            raise ValueError("the 'test' split needs full MNIST in data/mnist/ (run `python -m autograder data`); "
                             "the bundled subset only has 'train' and 'validation'")
        return _load_pools(data_dir, True)["test"]
    images, labels = _load_pools(data_dir, full)["train"]
    train, validation = _split_indices(len(labels))
    chosen = train if split == "train" else validation
    return images[chosen], labels[chosen]


def load_mnist(split: str = "train", layout: str = "rows", data_dir=None) -> tuple[np.ndarray, np.ndarray]:
    """Return (X, y): float32 pixels in [0, 1], (m, 784) for "rows" or (784, m) for "columns", and int32 labels."""
    _check_choice("split", split, SPLITS)
    _check_choice("layout", layout, LAYOUTS)
    images, labels = _select(split, _data_dir(data_dir))
    X = images.astype(np.float32) / np.float32(255)
    if layout == "columns":
        X = np.ascontiguousarray(X.T)
    return X, labels.astype(np.int32)


def dataset_description(data_dir=None) -> str:
    """One line naming the dataset load_mnist uses for data_dir."""
    directory = _data_dir(data_dir)
    if _has_full_mnist(directory):
        pools = _load_pools(directory, True)
        sizes = f"{len(pools['train'][1]):,} + {len(pools['test'][1]):,} digits"
        return f"full MNIST ({sizes}, {_display(directory / FULL_MNIST_DIR)}/)"
    subset = directory / SUBSET_FILE
    count = len(_load_pools(directory, False)["train"][1])
    return f"bundled MNIST subset ({count:,} digits, {_display(subset)})"
