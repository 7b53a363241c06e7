"""batched_forward is written for the whole batch by hand (X @ W1.T) and never uses jax.vmap."""
EXPECT_FAIL = ["batched_forward_uses_vmap"]
FOCUS = "batched_forward"


def batched_forward(W1, b1, W2, b2, X):
    return relu(X @ W1.T + b1) @ W2.T + b2
