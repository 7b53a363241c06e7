"""forward_prop feeds Z1 (the pre-activation) into the second layer instead of
A1 = relu(Z1)."""
EXPECT_FAIL = ["forward_prop"]
FOCUS = "forward_prop"


def forward_prop(W1, b1, W2, b2, X):
    Z1 = W1 @ X + b1
    A1 = relu(Z1)
    Z2 = W2 @ Z1 + b2
    A2 = softmax(Z2)
    return Z1, A1, Z2, A2
