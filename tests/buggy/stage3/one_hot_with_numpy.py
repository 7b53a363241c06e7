"""one_hot is built with NumPy (np.eye): right values, but a float64 NumPy array instead of float32 JAX."""
EXPECT_FAIL = ["returns_jax_float32"]
FOCUS = "one_hot"

import numpy as np


def one_hot(Y, num_classes=10):
    return np.eye(num_classes)[np.asarray(Y)]
