"""A Haiku habit: MLP remembers its sizes and creates its layers in __call__, so it holds no
parameters, and every call draws fresh random weights."""
EXPECT_FAIL = ["module_structure"]
FOCUS = "MLP"


class MLP(nnx.Module):
    def __init__(self, n_in=784, n_hidden=10, n_out=10, *, rngs):
        self.n_hidden, self.n_out, self.rngs = n_hidden, n_out, rngs

    def __call__(self, x):
        hidden = nnx.Linear(x.shape[1], self.n_hidden, rngs=self.rngs)(x)
        return nnx.Linear(self.n_hidden, self.n_out, rngs=self.rngs)(jax.nn.relu(hidden))
