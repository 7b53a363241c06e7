"""The original notebook's relu_deriv: `return Z > 0`, a boolean array rather
than floats."""
EXPECT_FAIL = ["relu_deriv"]
FOCUS = "relu_deriv"


def relu_deriv(Z):
    return Z > 0
