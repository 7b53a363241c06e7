"""softmax normalises each row (axis=1) instead of each column (one example)."""
EXPECT_FAIL = ["softmax_reference", "softmax_laws"]
FOCUS = "softmax"


def softmax(Z):
    shifted = Z - Z.max(axis=1, keepdims=True)
    E = np.exp(shifted)
    return E / E.sum(axis=1, keepdims=True)
