"""fit draws a permutation and throws it away, as the original notebook did: batches keep the
data's order."""
EXPECT_FAIL = ["fit_shuffles_each_epoch"]
FOCUS = "fit"


def fit(X, Y, *, seed, learning_rate=0.1, epochs=500, batch_size=None):
    rngs = nnx.Rngs(seed)
    model = MLP(X.shape[1], rngs=rngs)
    optimizer = make_optimizer(model, learning_rate)
    m = X.shape[0]
    size = batch_size or m
    for _epoch in range(epochs):
        jax.random.permutation(rngs(), X)  # result unused
        for start in range(0, m, size):
            train_step(model, optimizer, X[start:start + size], Y[start:start + size])
    return model
