"""relu written as np.abs(Z): the same as max(Z, 0) for positive inputs only."""
EXPECT_FAIL = ["relu"]
FOCUS = "relu"


def relu(Z):
    return np.abs(Z)
