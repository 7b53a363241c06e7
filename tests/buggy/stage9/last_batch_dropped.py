"""fit drops the last, shorter batch of each epoch."""
EXPECT_FAIL = ["fit_minibatches"]
FOCUS = "fit"


def fit(X, Y, *, seed, learning_rate=0.1, epochs=500, batch_size=None):
    rngs = nnx.Rngs(seed)
    model = MLP(X.shape[1], rngs=rngs)
    optimizer = make_optimizer(model, learning_rate)
    m = X.shape[0]
    size = batch_size or m
    for _epoch in range(epochs):
        order = jax.random.permutation(rngs(), m)
        for start in range(0, m - size + 1, size):
            rows = order[start:start + size]
            train_step(model, optimizer, X[rows], Y[rows])
    return model
