"""Stages 1-6's habit in a hand-written layer: weights and biases uniform on [-0.5, 0.5),
far too wide for 784 inputs."""
EXPECT_FAIL = ["init_flax_defaults"]
FOCUS = "MLP"


class Dense(nnx.Module):
    def __init__(self, n_in, n_out, *, rngs):
        self.w = nnx.Param(jax.random.uniform(rngs.params(), (n_in, n_out)) - 0.5)
        self.b = nnx.Param(jax.random.uniform(rngs.params(), (n_out,)) - 0.5)

    def __call__(self, x):
        return x @ self.w[...] + self.b[...]


class MLP(nnx.Module):
    def __init__(self, n_in=784, n_hidden=10, n_out=10, *, rngs):
        self.hidden = Dense(n_in, n_hidden, rngs=rngs)
        self.output = Dense(n_hidden, n_out, rngs=rngs)

    def __call__(self, x):
        return self.output(jax.nn.relu(self.hidden(x)))
