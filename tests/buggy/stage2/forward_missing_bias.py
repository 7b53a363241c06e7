"""forward_prop forgets the output layer's bias: Z2 = W2 @ A1."""
EXPECT_FAIL = ["forward_prop"]
FOCUS = "forward_prop"


def forward_prop(W1, b1, W2, b2, X):
    Z1 = W1 @ X + b1
    A1 = relu(Z1)
    Z2 = W2 @ A1
    A2 = softmax(Z2)
    return Z1, A1, Z2, A2
