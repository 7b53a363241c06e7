"""No ReLU between the layers: the two linear maps collapse into one."""
EXPECT_FAIL = ["call_reference"]
FOCUS = "MLP"


class MLP(nnx.Module):
    def __init__(self, n_in=784, n_hidden=10, n_out=10, *, rngs):
        self.hidden = nnx.Linear(n_in, n_hidden, rngs=rngs)
        self.output = nnx.Linear(n_hidden, n_out, rngs=rngs)

    def __call__(self, x):
        return self.output(self.hidden(x))
