"""fit draws every epoch's permutation from the same key, so every epoch has the same order."""
EXPECT_FAIL = ["fit_shuffles_each_epoch"]
FOCUS = "fit"


def fit(X, Y, *, key, learning_rate=0.1, epochs=500, batch_size=None):
    init_key, shuffle_key = jax.random.split(key)
    params = model.init(init_key, X[:1])
    optimizer = make_optimizer(learning_rate)
    opt_state = optimizer.init(params)
    train_step = make_train_step(optimizer)
    for _ in range(epochs):
        if batch_size is None:
            params, opt_state, _loss = train_step(params, opt_state, X, Y)
            continue
        for rows in batch_indices(shuffle_key, X.shape[0], batch_size):
            params, opt_state, _loss = train_step(params, opt_state, X[rows], Y[rows])
    return params
