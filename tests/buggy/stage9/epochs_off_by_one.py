"""fit runs one epoch too few (range(1, epochs))."""
EXPECT_FAIL = ["fit_full_batch"]
FOCUS = "fit"


def fit(X, Y, *, seed, learning_rate=0.1, epochs=500, batch_size=None):
    rngs = nnx.Rngs(seed)
    model = MLP(X.shape[1], rngs=rngs)
    optimizer = make_optimizer(model, learning_rate)
    for _epoch in range(1, epochs):
        if batch_size is None:
            train_step(model, optimizer, X, Y)
            continue
        for rows in batch_indices(rngs(), X.shape[0], batch_size):
            train_step(model, optimizer, X[rows], Y[rows])
    return model
