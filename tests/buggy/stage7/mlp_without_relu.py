"""MLP forgets the ReLU: two stacked linear layers, which collapse into one."""
EXPECT_FAIL = ["apply_reference"]
FOCUS = "MLP"


class MLP(hk.Module):
    def __init__(self, n_hidden=10, n_out=10, name=None):
        super().__init__(name=name)
        self.n_hidden = n_hidden
        self.n_out = n_out

    def __call__(self, x):
        return hk.Linear(self.n_out)(hk.Linear(self.n_hidden)(x))
