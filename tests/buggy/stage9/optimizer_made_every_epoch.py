"""fit makes a new optimizer at the start of every epoch: harmless for SGD's numbers, but Adam
would forget its moments, and nnx.jit traces train_step again for each new optimizer."""
EXPECT_FAIL = ["fit_steps"]
FOCUS = "fit"


def fit(X, Y, *, seed, learning_rate=0.1, epochs=500, batch_size=None):
    rngs = nnx.Rngs(seed)
    model = MLP(X.shape[1], rngs=rngs)
    for _epoch in range(epochs):
        optimizer = make_optimizer(model, learning_rate)
        if batch_size is None:
            train_step(model, optimizer, X, Y)
            continue
        for rows in batch_indices(rngs(), X.shape[0], batch_size):
            train_step(model, optimizer, X[rows], Y[rows])
    return model
