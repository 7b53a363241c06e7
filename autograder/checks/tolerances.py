"""The one tolerance table: (precision, kind of check) -> (rtol, atol).

The precision is the lower of the submission's and the reference's dtypes, so
a float32 NumPy submission is judged at float32 tolerances, a float64 one at
float64 tolerances. JAX checks run with matmul precision "highest" on every
device, so a GPU needs no looser numbers than a CPU.
"""
import numpy as np

TOLERANCES = {
    # same maths, another order of operations
    ("float64", "equivalence"): (1e-7, 1e-9),
    ("float32", "equivalence"): (2e-4, 2e-5),
    # analytic gradients against central differences of the float64 loss
    ("float64", "gradient"): (1e-5, 1e-7),
    ("float32", "gradient"): (2e-3, 2e-4),
    # several training steps, where rounding differences compound
    ("float64", "training"): (1e-6, 1e-8),
    ("float32", "training"): (2e-3, 2e-4),
}


def precision(*arrays):
    """'float32' if any array is float32 or lower (or an int), else 'float64'."""
    for a in arrays:
        dtype = np.asarray(a).dtype
        if not np.issubdtype(dtype, np.floating) or np.finfo(dtype).bits < 64:
            return "float32"
    return "float64"


def tolerance(kind, *arrays):
    """(rtol, atol) for a comparison of `arrays` of the given kind."""
    return TOLERANCES[(precision(*arrays), kind)]
