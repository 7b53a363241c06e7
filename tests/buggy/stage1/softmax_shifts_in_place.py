"""softmax subtracts the column max with -=, which rewrites the caller's logits
(forward_prop's Z2, for one) in place."""
EXPECT_FAIL = ["no_mutation", "softmax_reference"]
FOCUS = "softmax"


def softmax(Z):
    Z -= Z.max(axis=0, keepdims=True)
    E = np.exp(Z)
    return E / E.sum(axis=0, keepdims=True)
