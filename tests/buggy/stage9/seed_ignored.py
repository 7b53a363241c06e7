"""fit builds its model and its shuffles from nnx.Rngs(0) instead of its seed."""
EXPECT_FAIL = ["fit_seed"]
FOCUS = "fit"


def fit(X, Y, *, seed, learning_rate=0.1, epochs=500, batch_size=None):
    rngs = nnx.Rngs(0)
    model = MLP(X.shape[1], rngs=rngs)
    optimizer = make_optimizer(model, learning_rate)
    for _epoch in range(epochs):
        if batch_size is None:
            train_step(model, optimizer, X, Y)
            continue
        for rows in batch_indices(rngs(), X.shape[0], batch_size):
            train_step(model, optimizer, X[rows], Y[rows])
    return model
