"""relu zeroes the negative entries of its argument in place and returns it, so
forward_prop's Z1 and A1 become the same, clipped array."""
EXPECT_FAIL = ["relu", "no_mutation", "forward_prop"]
FOCUS = "relu"


def relu(Z):
    Z[Z < 0] = 0
    return Z
