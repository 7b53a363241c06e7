"""forward applies a softmax and returns probabilities instead of logits."""
EXPECT_FAIL = ["forward", "batched_forward"]
FOCUS = "forward"


def forward(params, x):
    hidden = jnp.maximum(params["W1"] @ x + params["b1"], 0)
    return jax.nn.softmax(params["W2"] @ hidden + params["b2"])
