"""loss_fn divides the summed loss by the size of the training set, a number from outside the
function, instead of the rows of the batch it is given."""
EXPECT_FAIL = ["loss_fn_reference"]
FOCUS = "loss_fn"

M_TRAIN = 4000


def loss_fn(model, X, Y):
    return optax.softmax_cross_entropy_with_integer_labels(model(X), Y).sum() / M_TRAIN
