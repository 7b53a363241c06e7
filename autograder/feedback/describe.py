"""Short descriptions of inputs and arrays for the score report."""
import re

import numpy as np

SHOW_VALUES_UP_TO = 12
# numpy pads numbers to align its columns ("[ 0.    ]"): a space that does not follow
# a separator's comma is padding.
_PADDING = re.compile(r"(?<!,) +")


def values_text(a):
    """The values of a small array on one line, as nested lists, without numpy's padding.

    Spaces appear only after the commas between elements, so a report that
    wraps this text can break it between elements, never inside one.
    """
    text = np.array2string(a, precision=4, separator=", ", max_line_width=1 << 30)
    text = text.replace("\n", "")
    if a.dtype == bool or np.issubdtype(a.dtype, np.number):
        text = _PADDING.sub("", text)
    return text


def describe_array(a):
    """Shape and dtype; the values when few, else their range."""
    a = np.asarray(a)
    head = f"{a.dtype} {a.shape}"
    if a.size == 0:
        return head + " (empty)"
    if a.size <= SHOW_VALUES_UP_TO:
        return head + " = " + values_text(a)
    if np.issubdtype(a.dtype, np.number):
        return head + f", values in [{a.min():.4g}, {a.max():.4g}]"
    return head


def describe_value(value):
    if isinstance(value, np.ndarray):
        return describe_array(value)
    if isinstance(value, np.random.Generator):
        return "np.random.default_rng(...)"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (tuple, list)) and value and all(isinstance(v, np.ndarray) for v in value):
        return "(" + ", ".join(f"{v.dtype} {v.shape}" for v in value) + ")"
    if isinstance(value, dict) and all(isinstance(v, np.ndarray) for v in value.values()):
        return "{" + ", ".join(f"{k}: {v.dtype} {v.shape}" for k, v in value.items()) + "}"
    return repr(value)[:200]


def describe_inputs(case):
    """'name: description' per input, one per line, for a failing case (or '')."""
    if not case:
        return ""
    return "\n".join(f"{name}: {describe_value(value)}" for name, value in case.items())
