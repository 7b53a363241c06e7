"""MLP draws its layers from a fixed nnx.Rngs(0) instead of the rngs it is given: every seed
builds the same network."""
EXPECT_FAIL = ["init_from_rngs"]
FOCUS = "MLP"


class MLP(nnx.Module):
    def __init__(self, n_in=784, n_hidden=10, n_out=10, *, rngs):
        own = nnx.Rngs(0)
        self.hidden = nnx.Linear(n_in, n_hidden, rngs=own)
        self.output = nnx.Linear(n_hidden, n_out, rngs=own)

    def __call__(self, x):
        return self.output(jax.nn.relu(self.hidden(x)))
