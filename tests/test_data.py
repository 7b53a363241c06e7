"""Tests for autograder.data: the bundled subset, the train/validation split and the full-MNIST path."""

import gzip
import shutil
import struct

import numpy as np
import pytest

from autograder import data

BUNDLED_NPZ = data.DEFAULT_DATA_DIR / data.SUBSET_FILE
TINY_TRAIN, TINY_TEST = 1_050, 30


def idx_bytes(array: np.ndarray) -> bytes:
    """Encode a uint8 array as an IDX blob."""
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def write_full_mnist(folder, train_size=TINY_TRAIN, test_size=TINY_TEST):
    """Write four small, valid gzipped IDX files named like full MNIST; return the raw arrays."""
    rng = np.random.default_rng(123)
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {}
    for pool, size in (("train", train_size), ("test", test_size)):
        images = rng.integers(0, 256, size=(size, 28, 28), dtype=np.uint8)
        labels = (np.arange(size) % 10).astype(np.uint8)
        images_name, labels_name = data.FULL_MNIST_FILES[pool]
        (folder / images_name).write_bytes(gzip.compress(idx_bytes(images)))
        (folder / labels_name).write_bytes(gzip.compress(idx_bytes(labels)))
        arrays[pool] = (images.reshape(size, 784), labels)
    return arrays


@pytest.fixture(scope="module")
def subset_dir(tmp_path_factory):
    """A data folder holding only a copy of the bundled subset, whatever lies in the real data/."""
    folder = tmp_path_factory.mktemp("subset")
    shutil.copy(BUNDLED_NPZ, folder / data.SUBSET_FILE)
    return folder


@pytest.fixture(scope="module")
def pool(subset_dir):
    """The raw uint8 (images, labels) of the subset."""
    with np.load(subset_dir / data.SUBSET_FILE) as archive:
        return archive["images"], archive["labels"]


@pytest.fixture
def full_dir(tmp_path):
    """A data folder with tiny full-MNIST files (and no subset); yields (folder, raw arrays)."""
    arrays = write_full_mnist(tmp_path / data.FULL_MNIST_DIR)
    return tmp_path, arrays


def row_keys(images: np.ndarray) -> list[bytes]:
    """Sorted byte strings of each image row, for multiset comparisons."""
    return sorted(row.tobytes() for row in images)


def test_bundled_file_has_expected_contents():
    with np.load(BUNDLED_NPZ) as archive:
        assert sorted(archive.files) == ["images", "labels"]
        images, labels = archive["images"], archive["labels"]
    assert images.shape == (5000, 784) and images.dtype == np.uint8
    assert labels.shape == (5000,) and labels.dtype == np.uint8
    assert np.bincount(labels).tolist() == [500] * 10


@pytest.mark.parametrize("split, size", [("train", 4000), ("validation", 1000)])
@pytest.mark.parametrize("layout", ["rows", "columns"])
def test_shapes_dtypes_and_ranges(subset_dir, split, size, layout):
    X, y = data.load_mnist(split, layout, data_dir=subset_dir)
    assert X.shape == ((size, 784) if layout == "rows" else (784, size))
    assert X.dtype == np.float32 and y.dtype == np.int32
    assert y.shape == (size,)
    assert 0.0 <= X.min() and X.max() <= 1.0
    assert X.max() == 1.0  # scaled by 255, not by the batch maximum
    assert set(np.unique(y)) == set(range(10))


def test_columns_layout_is_the_transpose_of_rows(subset_dir):
    rows, y_rows = data.load_mnist("validation", "rows", data_dir=subset_dir)
    columns, y_columns = data.load_mnist("validation", "columns", data_dir=subset_dir)
    np.testing.assert_array_equal(columns, rows.T)
    np.testing.assert_array_equal(y_columns, y_rows)


def test_pixels_are_the_stored_bytes_over_255(subset_dir, pool):
    X, y = data.load_mnist("validation", data_dir=subset_dir)
    held_out = np.random.default_rng(0).permutation(len(pool[1]))[:1000]
    np.testing.assert_array_equal(np.rint(X * 255).astype(np.uint8), pool[0][held_out])
    np.testing.assert_array_equal(y, pool[1][held_out])


def test_train_and_validation_partition_the_pool(subset_dir, pool):
    X_train, y_train = data.load_mnist("train", data_dir=subset_dir)
    X_val, y_val = data.load_mnist("validation", data_dir=subset_dir)
    train_bytes = np.rint(X_train * 255).astype(np.uint8)
    val_bytes = np.rint(X_val * 255).astype(np.uint8)
    assert not set(map(bytes, train_bytes)) & set(map(bytes, val_bytes))
    assert row_keys(np.vstack([train_bytes, val_bytes])) == row_keys(pool[0])
    assert np.bincount(np.concatenate([y_train, y_val])).tolist() == np.bincount(pool[1]).tolist()


def test_split_is_deterministic_across_cache_clears(subset_dir):
    first = data.load_mnist("train", data_dir=subset_dir)
    data._load_pools.cache_clear()
    data._split_indices.cache_clear()
    second = data.load_mnist("train", data_dir=subset_dir)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def test_train_split_is_shuffled_not_sorted_by_label(subset_dir):
    _, y = data.load_mnist("train", data_dir=subset_dir)
    assert len(set(y[:50].tolist())) > 1


def test_returned_arrays_do_not_alias_the_cache(subset_dir):
    X, y = data.load_mnist("validation", data_dir=subset_dir)
    X[:] = 0.5
    y[:] = 0
    X_again, y_again = data.load_mnist("validation", data_dir=subset_dir)
    assert X_again.max() == 1.0 and set(np.unique(y_again)) == set(range(10))


def test_test_split_needs_full_mnist(subset_dir):
    with pytest.raises(ValueError, match="full MNIST"):
        data.load_mnist("test", data_dir=subset_dir)


@pytest.mark.parametrize("kwargs", [{"split": "dev"}, {"layout": "rowz"}])
def test_unknown_split_or_layout_is_rejected(subset_dir, kwargs):
    with pytest.raises(ValueError, match="must be one of"):
        data.load_mnist(data_dir=subset_dir, **kwargs)


def test_description_of_bundled_subset(subset_dir):
    text = data.dataset_description(subset_dir)
    assert text.startswith("bundled MNIST subset (5,000 digits, ")
    assert text.endswith("mnist_5k.npz)")


def test_default_data_dir_is_the_repository_data_folder():
    assert data.DEFAULT_DATA_DIR == data.REPO_ROOT / "data"
    assert "mnist" in data.dataset_description()


def test_missing_subset_gives_a_helpful_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="prepare_subset.py"):
        data.load_mnist(data_dir=tmp_path)


def test_full_mnist_is_used_when_all_four_files_exist(full_dir):
    folder, arrays = full_dir
    X_train, _ = data.load_mnist("train", data_dir=folder)
    X_val, _ = data.load_mnist("validation", data_dir=folder)
    X_test, y_test = data.load_mnist("test", "columns", data_dir=folder)
    assert X_train.shape == (TINY_TRAIN - 1000, 784) and X_val.shape == (1000, 784)
    assert X_test.shape == (784, TINY_TEST)
    np.testing.assert_array_equal(np.rint(X_test.T * 255).astype(np.uint8), arrays["test"][0])
    np.testing.assert_array_equal(y_test, arrays["test"][1])
    assert data.dataset_description(folder) == (
        f"full MNIST (1,050 + 30 digits, {folder.resolve() / data.FULL_MNIST_DIR}/)")


def test_subset_is_used_when_a_full_mnist_file_is_missing(full_dir, subset_dir):
    folder, _ = full_dir
    shutil.copy(subset_dir / data.SUBSET_FILE, folder / data.SUBSET_FILE)
    (folder / data.FULL_MNIST_DIR / "t10k-labels-idx1-ubyte.gz").unlink()
    assert data.dataset_description(folder).startswith("bundled MNIST subset")
    assert data.load_mnist("train", data_dir=folder)[0].shape == (4000, 784)


@pytest.mark.parametrize("corrupt, message", [
    (lambda raw: b"\x00\x00\x09\x03" + raw[4:], "magic number"),
    (lambda raw: raw[:6], "header truncated"),
    (lambda raw: raw[:-1], "data bytes"),
    (lambda raw: b"", "magic number"),
])
def test_malformed_idx_file_gives_a_clear_error(full_dir, corrupt, message):
    folder, _ = full_dir
    path = folder / data.FULL_MNIST_DIR / "train-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(corrupt(gzip.decompress(path.read_bytes()))))
    with pytest.raises(ValueError, match=message) as caught:
        data.load_mnist("train", data_dir=folder)
    assert "train-images-idx3-ubyte.gz" in str(caught.value)


def test_file_that_is_not_gzip_gives_a_clear_error(full_dir):
    folder, _ = full_dir
    (folder / data.FULL_MNIST_DIR / "train-labels-idx1-ubyte.gz").write_bytes(b"<html>not found</html>")
    with pytest.raises(ValueError, match="not a readable gzip file"):
        data.load_mnist("train", data_dir=folder)


def test_images_and_labels_of_different_length_are_rejected(full_dir):
    folder, _ = full_dir
    labels = (np.arange(TINY_TRAIN - 1) % 10).astype(np.uint8)
    (folder / data.FULL_MNIST_DIR / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(labels)))
    with pytest.raises(ValueError, match="expected 1050 labels"):
        data.load_mnist("train", data_dir=folder)


def test_label_that_is_not_a_digit_is_rejected(full_dir):
    folder, _ = full_dir
    labels = np.full(TINY_TRAIN, 10, dtype=np.uint8)
    (folder / data.FULL_MNIST_DIR / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(labels)))
    with pytest.raises(ValueError, match="not a digit"):
        data.load_mnist("train", data_dir=folder)
