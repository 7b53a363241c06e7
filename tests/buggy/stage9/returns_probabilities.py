"""MLP ends with a softmax, as the original notebook's forward pass did: it returns
probabilities, not logits."""
EXPECT_FAIL = ["call_reference"]
FOCUS = "MLP"


class MLP(nnx.Module):
    def __init__(self, n_in=784, n_hidden=10, n_out=10, *, rngs):
        self.hidden = nnx.Linear(n_in, n_hidden, rngs=rngs)
        self.output = nnx.Linear(n_hidden, n_out, rngs=rngs)

    def __call__(self, x):
        return jax.nn.softmax(self.output(jax.nn.relu(self.hidden(x))))
