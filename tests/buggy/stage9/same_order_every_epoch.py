"""fit shuffles every epoch with the same key, made from the seed inside the loop: every epoch
repeats the first one's order."""
EXPECT_FAIL = ["fit_shuffles_each_epoch"]
FOCUS = "fit"


def fit(X, Y, *, seed, learning_rate=0.1, epochs=500, batch_size=None):
    model = MLP(X.shape[1], rngs=nnx.Rngs(seed))
    optimizer = make_optimizer(model, learning_rate)
    for _epoch in range(epochs):
        if batch_size is None:
            train_step(model, optimizer, X, Y)
            continue
        for rows in batch_indices(jax.random.key(seed), X.shape[0], batch_size):
            train_step(model, optimizer, X[rows], Y[rows])
    return model
