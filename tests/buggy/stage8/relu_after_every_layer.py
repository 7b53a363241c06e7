"""MLP loops over its layers applying ReLU after each one, the output layer included."""
EXPECT_FAIL = ["apply_reference"]
FOCUS = "MLP"


class MLP(hk.Module):
    def __init__(self, n_hidden=10, n_out=10, name=None):
        super().__init__(name=name)
        self.sizes = (n_hidden, n_out)

    def __call__(self, x):
        for size in self.sizes:
            x = jax.nn.relu(hk.Linear(size)(x))
        return x
