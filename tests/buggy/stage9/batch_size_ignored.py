"""fit always takes one full-batch step per epoch, whatever batch_size says."""
EXPECT_FAIL = ["fit_minibatches"]
FOCUS = "fit"


def fit(X, Y, *, seed, learning_rate=0.1, epochs=500, batch_size=None):
    model = MLP(X.shape[1], rngs=nnx.Rngs(seed))
    optimizer = make_optimizer(model, learning_rate)
    for _epoch in range(epochs):
        train_step(model, optimizer, X, Y)
    return model
