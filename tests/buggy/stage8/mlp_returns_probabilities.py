"""MLP ends with a softmax, so apply returns probabilities and the loss takes a softmax twice."""
EXPECT_FAIL = ["apply_reference", "apply_returns_logits"]
FOCUS = "MLP"


class MLP(hk.Module):
    def __init__(self, n_hidden=10, n_out=10, name=None):
        super().__init__(name=name)
        self.n_hidden = n_hidden
        self.n_out = n_out

    def __call__(self, x):
        hidden = jax.nn.relu(hk.Linear(self.n_hidden)(x))
        return jax.nn.softmax(hk.Linear(self.n_out)(hidden))
