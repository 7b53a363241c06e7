"""relu_deriv calls np.where on a traced array inside a jitted function."""
EXPECT_FAIL = ["relu_deriv", "traces_cleanly"]
FOCUS = "relu_deriv"
import numpy as np


@jax.jit
def relu_deriv(Z):
    return np.where(Z > 0, 1.0, 0.0).astype(np.float32)
