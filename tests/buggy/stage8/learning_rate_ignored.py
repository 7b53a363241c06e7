"""fit builds its optimizer with a hard-coded 0.1 instead of learning_rate."""
EXPECT_FAIL = ["fit_steps"]
FOCUS = "fit"


def fit(X, Y, *, key, learning_rate=0.1, epochs=500, batch_size=None):
    init_key, shuffle_key = jax.random.split(key)
    params = model.init(init_key, X[:1])
    optimizer = make_optimizer(0.1)
    opt_state = optimizer.init(params)
    train_step = make_train_step(optimizer)
    for epoch in range(epochs):
        if batch_size is None:
            params, opt_state, _loss = train_step(params, opt_state, X, Y)
            continue
        for rows in batch_indices(jax.random.fold_in(shuffle_key, epoch), X.shape[0], batch_size):
            params, opt_state, _loss = train_step(params, opt_state, X[rows], Y[rows])
    return params
