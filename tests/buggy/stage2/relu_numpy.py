"""relu left as np.maximum from stage 1: it works on a jax array but hands back
a NumPy array."""
EXPECT_FAIL = ["returns_jax_float32"]
FOCUS = "relu"
import numpy as np


def relu(Z):
    return np.maximum(Z, 0)
