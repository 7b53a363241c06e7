"""one_hot built with NumPy, np.eye(num_classes)[Y].T: right values, but a
float64 NumPy array instead of a float32 jax.Array."""
EXPECT_FAIL = ["returns_jax_float32"]
FOCUS = "one_hot"
import numpy as np


def one_hot(Y, num_classes=10):
    return np.eye(num_classes)[np.asarray(Y)].T
