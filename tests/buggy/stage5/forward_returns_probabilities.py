"""A stage-3 habit: forward still ends with softmax, so it returns probabilities instead of logits."""
EXPECT_FAIL = ["forward_logits"]
FOCUS = "forward"


def forward(W1, b1, W2, b2, x):
    return softmax(W2 @ relu(W1 @ x + b1) + b2)
