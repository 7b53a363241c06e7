"""fit always takes one full-batch step per epoch, whatever batch_size says."""
EXPECT_FAIL = ["fit_minibatches", "training_minibatches"]
FOCUS = "fit"


def fit(X, Y, *, key, learning_rate=0.1, epochs=500, batch_size=None):
    params = model.init(key, X[:1])
    optimizer = make_optimizer(learning_rate)
    opt_state = optimizer.init(params)
    train_step = make_train_step(optimizer)
    for _ in range(epochs):
        params, opt_state, _loss = train_step(params, opt_state, X, Y)
    return params
