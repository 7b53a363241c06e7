"""MLP builds its output layer with a hard-coded 10 classes instead of n_out."""
EXPECT_FAIL = ["init_param_shapes"]
FOCUS = "MLP"


class MLP(hk.Module):
    def __init__(self, n_hidden=10, n_out=10, name=None):
        super().__init__(name=name)
        self.n_hidden = n_hidden
        self.n_out = n_out

    def __call__(self, x):
        hidden = jax.nn.relu(hk.Linear(self.n_hidden)(x))
        return hk.Linear(10)(hidden)
