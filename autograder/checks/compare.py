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
    if not np.isfinite(got).all():
        return ""
    return _ratio_symptom(got, expected) or _shift_symptom(got, expected, rtol, atol)


def _ratio_symptom(got, expected):
    """The diagnosis of a constant ratio between `got` and `expected`, or ''."""
    scale = np.abs(expected).max(initial=0.0)
    significant = np.abs(expected) > 1e-6 * scale
    if scale == 0 or significant.sum() < 2:
        return ""
    ratio = got[significant] / expected[significant]
    k = float(np.median(ratio))
    if k != 0 and np.allclose(ratio, k, rtol=1e-3) and not np.isclose(k, 1, rtol=1e-3):
        return _factor(k)
    return ""


def _shift_symptom(got, expected, rtol, atol):
    """The diagnosis of a difference that is one constant along an axis, or ''.

    A constant along the class axis of logits is what a log-softmax adds: the
    numbers show it when the shift is minus the log-sum-exp of the reference.
    """
    shift = got - expected
    noise = atol + rtol * np.abs(expected)  # what the tolerance lets through, entry by entry
    for axis in sorted({got.ndim - 1, 0}, reverse=True):
        if got.ndim == 0 or got.shape[axis] < 2:
            continue
        along = shift.mean(axis=axis, keepdims=True)
        if (np.abs(shift - along) > noise).any() or not (np.abs(along) > 10 * noise).any():
            continue  # not one constant, or one too small to tell from rounding
        top = expected.max(axis=axis, keepdims=True)
        log_sum_exp = top + np.log(np.exp(expected - top).sum(axis=axis, keepdims=True))
        if np.allclose(along, -log_sum_exp, rtol=10 * rtol, atol=10 * atol):
            if got.ndim == 1:
                return ("it is the log-softmax of the reference: the reference minus one "
                        "constant, its log-sum-exp")
            line = _line(got, axis)
            return (f"each {line} is the log-softmax of the reference's: the reference minus "
                    f"one constant per {line}, its log-sum-exp")
        if np.allclose(along, along.flat[0], rtol=rtol, atol=atol):
            return f"every entry is off by the same amount, {float(along.flat[0]):.4g}"
        return f"it is off by one constant per {_line(got, axis)}"
    return ""


def _line(array, axis):
    """'row' or 'column': what a constant along `axis` of a matrix is constant over."""
    return "row" if axis == array.ndim - 1 else "column"


def _zeros_only(e, close):
    """True when every difference sits where the reference is exactly 0."""
    wrong = ~close
    return bool(wrong.any() and (e[wrong] == 0).all())


# The float dtypes a result may have: float32 or float64 (stage 1 allows both,
# the JAX stages compute in float32); float16, bfloat16 or float128 are no part
# of any stage's contract.
FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def expect_float_dtype(got, what):
    """Fail unless a floating result is float32 or float64 (the contract's dtypes)."""
    dtype = np.asarray(got).dtype
    if dtype.kind in "fc" and dtype not in FLOAT_DTYPES:
        raise CheckFailed(f"{what} has dtype {dtype}, which the contract does not allow: "
                          "it allows float32 or float64", idea="dtype")


def expect_close(got, expected, what, kind="equivalence", against="the reference"):
    """Fail unless `got` matches `expected` in shape, in a dtype the contract allows and,
    within tolerance, in value."""
    expected = np.asarray(expected)
    got = expect_shape(got, expected.shape, what)
    if expected.dtype.kind == "f":
        expect_float_dtype(got, what)
    if np.isfinite(expected).all():
        expect_finite(got, what)
    rtol, atol = tolerance(kind, got, expected)
    g, e = got.astype(np.float64), expected.astype(np.float64)
    close = np.isclose(g, e, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return got
    index = tuple(int(i) for i in np.argwhere(~close)[0])
    diagnosis = symptom(g, e, rtol, atol)
    if not diagnosis and _zeros_only(e, close):
        diagnosis = f"only where the reference is 0 (yours has {g[index]:.4g} there)"
    raise CheckFailed(
        f"{what} differs from {against}" + (f": {diagnosis}" if diagnosis else ""),
        f"first difference at index {index}: expected {e[index]:.6g}, got {g[index]:.6g}; "
        f"{_errors(g, e)} (tolerance rtol={rtol:g}, atol={atol:g})\n"
        f"expected {_fmt(e)}\ngot      {_fmt(g)}",
    )


def _errors(g, e):
    """The largest absolute error, and the largest relative one where the reference is not 0.

    Relative to an exact 0 an error is meaningless (it reads 1e+305): there the
    absolute difference is what tells.
    """
    abs_err = np.abs(g - e)
    text = f"max abs error {np.nanmax(abs_err):.3g}"
    nonzero = e != 0
    if nonzero.any():
        with np.errstate(over="ignore", invalid="ignore"):
            rel_err = abs_err[nonzero] / np.abs(e[nonzero])
        text += f", max rel error {np.nanmax(rel_err):.3g}"
        if not nonzero.all():
            text += " where the reference is not 0"
    return text


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
            raise CheckFailed(f"{what} modified its argument `{name}` in place", idea="mutation",
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
