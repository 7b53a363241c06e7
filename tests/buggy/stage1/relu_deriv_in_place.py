"""relu_deriv overwrites its argument with the 0/1 mask and returns it, so
backward_prop destroys the Z1 it was given."""
EXPECT_FAIL = ["no_mutation", "relu_deriv"]
FOCUS = "relu_deriv"


def relu_deriv(Z):
    Z[Z > 0] = 1.0
    Z[Z <= 0] = 0.0
    return Z
