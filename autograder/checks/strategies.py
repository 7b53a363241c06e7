"""Hypothesis strategies shared by every stage's checks.

Sizes come from small fixed sets so that a JAX submission compiles for a
handful of shapes only; each set starts with its simplest value, where
Hypothesis shrinks to. Every strategy that feeds `Context.forall` returns a
dict of named inputs, which is also how a failing case is reported.
"""
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

# (n_in, n_hidden, n_out, m): a batch of one, a single feature or unit, odd
# sizes that expose transposes, and the real 10 classes.
NETWORK_SHAPES = ((1, 1, 2, 1), (3, 2, 3, 1), (2, 5, 10, 4), (5, 3, 3, 7), (8, 4, 10, 2))
# (n, m): rows by columns of a logit or activation matrix.
MATRIX_SHAPES = ((1, 1), (3, 1), (2, 5), (10, 3), (4, 8))
WIDTHS = (1, 3, 5, 8)
BATCHES = (1, 4, 7)
CLASSES = (2, 3, 10)


def float_arrays(shape, dtype=np.float64, bound=5.0):
    """Finite floats in [-bound, bound], zeros and bounds included often."""
    elements = st.floats(-bound, bound, allow_nan=False, allow_subnormal=False,
                         width=np.dtype(dtype).itemsize * 8)
    # Magnitudes like 1e-86 are legal float64 but round to 0 in a float32
    # submission, which would then be judged on the rounding, not the maths.
    elements = elements.map(lambda x: 0.0 if abs(x) < 1e-6 else x)
    return hnp.arrays(dtype, shape, elements=elements)


def labels(m, num_classes):
    """Integer labels of shape (m,) in [0, num_classes)."""
    return hnp.arrays(np.int32, (m,), elements=st.integers(0, num_classes - 1))


def example_matrix(n, m, layout):
    """The shape of n features by m examples in the given layout."""
    return (n, m) if layout == "columns" else (m, n)


@st.composite
def matrices(draw, dtype=np.float64, bound=5.0, layout="columns"):
    """{'Z': (n, m) or (m, n) floats} for any width and batch size."""
    n, m = draw(st.sampled_from(MATRIX_SHAPES))
    return {"Z": draw(float_arrays(example_matrix(n, m, layout), dtype, bound))}


@st.composite
def vectors(draw, dtype=np.float32, bound=5.0):
    """{'z': (n,) floats} for one example."""
    return {"z": draw(float_arrays((draw(st.sampled_from(WIDTHS)),), dtype, bound))}


@st.composite
def label_batches(draw):
    """{'Y': labels, 'num_classes': int}; small batches often miss some classes."""
    num_classes = draw(st.sampled_from(CLASSES))
    m = draw(st.sampled_from(BATCHES))
    return {"Y": draw(labels(m, num_classes)), "num_classes": num_classes}


def param_shapes(n_in, n_hidden, n_out, layout="columns"):
    """SPEC shapes of W1, b1, W2, b2: column biases in the column layout, else vectors."""
    bias = (lambda n: (n, 1)) if layout == "columns" else (lambda n: (n,))
    return {"W1": (n_hidden, n_in), "b1": bias(n_hidden), "W2": (n_out, n_hidden), "b2": bias(n_out)}


@st.composite
def sizes(draw):
    """{'n_in', 'n_hidden', 'n_out'} of one of the network shapes."""
    n_in, n_hidden, n_out, _m = draw(st.sampled_from(NETWORK_SHAPES))
    return {"n_in": n_in, "n_hidden": n_hidden, "n_out": n_out}


@st.composite
def networks(draw, dtype=np.float64, layout="columns", bound=2.0):
    """Parameters, a batch X and labels Y for a random small network."""
    n_in, n_hidden, n_out, m = draw(st.sampled_from(NETWORK_SHAPES))
    size = {"n_in": n_in, "n_hidden": n_hidden, "n_out": n_out}
    case = {name: draw(float_arrays(shape, dtype, bound))
            for name, shape in param_shapes(**size, layout=layout).items()}
    case["X"] = draw(float_arrays(example_matrix(size["n_in"], m, layout), dtype, bound))
    case["Y"] = draw(labels(m, size["n_out"]))
    return case


def alphas():
    """Learning rates, never 0.1 alone, so that a hard-coded 0.1 is caught."""
    return st.sampled_from((0.5, 0.1, 0.03, 1.7))


@st.composite
def updates(draw, dtype=np.float64, layout="columns"):
    """Parameters, gradients of the same shapes, and a learning rate alpha."""
    n_in, n_hidden, n_out, _m = draw(st.sampled_from(NETWORK_SHAPES))
    shapes = param_shapes(n_in, n_hidden, n_out, layout=layout)
    case = {name: draw(float_arrays(shape, dtype)) for name, shape in shapes.items()}
    case.update({"d" + name: draw(float_arrays(shape, dtype)) for name, shape in shapes.items()})
    case["alpha"] = draw(alphas())
    return case
