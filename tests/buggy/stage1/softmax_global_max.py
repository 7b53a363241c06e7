"""softmax subtracts the max of the whole batch (np.max(Z)) instead of each
column's: a column far below the batch's top logit underflows to 0 / 0."""
EXPECT_FAIL = ["softmax_large_logits"]
FOCUS = "softmax"


def softmax(Z):
    E = np.exp(Z - np.max(Z))
    return E / E.sum(axis=0, keepdims=True)
