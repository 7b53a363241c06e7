"""Comparisons that fail with feedback: what differs, where, by how much."""
import numpy as np

from autograder.checks.tolerances import tolerance
from autograder.grading.failures import CheckFailed


def _fmt(x):
    return np.array2string(np.asarray(x), precision=5, threshold=8, edgeitems=2).replace("\n", "")


def as_array(value, what):
    """The value as a numeric NumPy array, or CheckFailed saying what it was."""
    if isinstance(value, dict) and "__opaque__" in value:
        raise CheckFailed(f"{what} is a {value['__opaque__']}, expected an array")
    if isinstance(value, (tuple, list, dict)):
        raise CheckFailed(f"{what} is a {type(value).__name__}, expected an array")
    array = np.asarray(value)
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise CheckFailed(f"{what} has dtype {array.dtype}, expected numbers")
    return array


def expect_shape(got, shape, what):
    got = as_array(got, what)
    if got.shape != tuple(shape):
        swapped = got.ndim == 2 and got.shape == tuple(shape)[::-1]
        raise CheckFailed(f"{what} has shape {got.shape}, expected {tuple(shape)}"
                          + (": its axes are swapped (rows where columns belong, or the "
                             "reverse)" if swapped else ""))
    return got


def expect_finite(got, what):
    got = as_array(got, what)
    bad = ~np.isfinite(got)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        raise CheckFailed(f"{what} contains {got[index]} at index {index}, where the reference "
                          "is finite: inf and nan usually come from exp of a large number, "
                          "log(0) or 0/0")
    return got


def _factor(k):
    """What a constant ratio k between a value and the reference's usually means."""
    if np.isclose(k, -1, rtol=1e-3):
        return "every entry has the reference's size but the opposite sign"
    n = round(k)
    if n >= 2 and abs(k - n) < 1e-3 * n:
        return (f"every entry is exactly {n} times the reference's: if {n} is the number "
                "of examples, a sum stands where a mean belongs")
    n = round(1 / k) if k else 0
    if n >= 2 and abs(1 / k - n) < 1e-3 * n:
        return (f"every entry is exactly 1/{n} of the reference's: if {n} is the number of "
                "examples, you divide by it once too often (or average what should be summed)")
    return f"every entry is {k:.4g} times the reference's: a constant factor is off"


def symptom(got, expected, rtol, atol):
    """A short diagnosis of how `got` differs from `expected`, or ''."""
    if got.ndim == 2 and got.shape[0] == got.shape[1] > 1 and np.allclose(
            got, expected.T, rtol=rtol, atol=atol):
        return "it equals the reference transposed: a matrix where its transpose belongs?"
    scale = np.abs(expected).max(initial=0.0)
    significant = np.abs(expected) > 1e-6 * scale
    if scale == 0 or significant.sum() < 2 or not np.isfinite(got).all():
        return ""
    ratio = got[significant] / expected[significant]
    k = float(np.median(ratio))
    if k != 0 and np.allclose(ratio, k, rtol=1e-3) and not np.isclose(k, 1, rtol=1e-3):
        return _factor(k)
    return ""


def expect_close(got, expected, what, kind="equivalence", against="the reference"):
    """Fail unless `got` matches `expected` in shape and, within tolerance, in value."""
    expected = np.asarray(expected)
    got = expect_shape(got, expected.shape, what)
    if np.isfinite(expected).all():
        expect_finite(got, what)
    rtol, atol = tolerance(kind, got, expected)
    g, e = got.astype(np.float64), expected.astype(np.float64)
    close = np.isclose(g, e, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return got
    index = tuple(int(i) for i in np.argwhere(~close)[0])
    abs_err = np.abs(g - e)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        rel_err = abs_err / np.maximum(np.abs(e), np.finfo(np.float64).tiny)
    diagnosis = symptom(g, e, rtol, atol)
    raise CheckFailed(
        f"{what} differs from {against}" + (f": {diagnosis}" if diagnosis else ""),
        f"first difference at index {index}: expected {e[index]:.6g}, got {g[index]:.6g}; "
        f"max abs error {np.nanmax(abs_err):.3g}, max rel error {np.nanmax(rel_err):.3g} "
        f"(tolerance rtol={rtol:g}, atol={atol:g})\n"
        f"expected {_fmt(e)}\ngot      {_fmt(g)}",
    )


def expect_all_close(got, expected, names, what, kind="equivalence"):
    """expect_close on each element of a tuple of arrays, naming each one."""
    if not isinstance(got, (tuple, list)) or len(got) != len(expected):
        count = len(got) if isinstance(got, (tuple, list)) else "not a tuple"
        raise CheckFailed(f"{what} should return {len(expected)} arrays "
                          f"({', '.join(names)}), got {count}")
    for g, e, name in zip(got, expected, names):
        expect_close(g, e, f"{name} from {what}", kind)


def expect_unchanged(before, after, names, what):
    """Fail if a function modified one of its array arguments in place."""
    for b, a, name in zip(before, after, names):
        if isinstance(b, np.ndarray) and not np.array_equal(b, np.asarray(a), equal_nan=True):
            raise CheckFailed(f"{what} modified its argument `{name}` in place",
                              advice="return new arrays (p - alpha * dp) instead of updating "
                                     "with -= or [...] =")


def expect_tree_close(got, expected, names, what, kind="equivalence"):
    """Compare parameter tuples or dicts leaf by leaf, naming each leaf."""
    if isinstance(expected, dict):
        if not isinstance(got, dict) or set(got) != set(expected):
            keys = sorted(got) if isinstance(got, dict) else type(got).__name__
            raise CheckFailed(f"{what} should return a dict with keys {sorted(expected)}, got {keys}")
        for name in names:
            expect_close(got[name], expected[name], f"{name} from {what}", kind)
        return
    expect_all_close(got, expected, names, what, kind)
