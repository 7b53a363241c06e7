"""one_hot builds the (m, num_classes) matrix and forgets the final .T, so the
examples end up in rows instead of columns."""
EXPECT_FAIL = ["one_hot"]
FOCUS = "one_hot"


def one_hot(Y, num_classes=10):
    encoded = np.zeros((Y.size, num_classes))
    encoded[np.arange(Y.size), Y] = 1.0
    return encoded
