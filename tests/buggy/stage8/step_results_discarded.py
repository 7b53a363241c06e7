"""fit unpacks each step into new names and keeps training (and returning) the initial params."""
EXPECT_FAIL = ["training_accuracy", "fit_steps"]
FOCUS = "fit"


def fit(X, Y, *, key, learning_rate=0.1, epochs=500, batch_size=None):
    init_key, shuffle_key = jax.random.split(key)
    params = model.init(init_key, X[:1])
    optimizer = make_optimizer(learning_rate)
    opt_state = optimizer.init(params)
    train_step = make_train_step(optimizer)
    for epoch in range(epochs):
        if batch_size is None:
            new_params, opt_state, _loss = train_step(params, opt_state, X, Y)
            continue
        for rows in batch_indices(jax.random.fold_in(shuffle_key, epoch), X.shape[0], batch_size):
            new_params, opt_state, _loss = train_step(params, opt_state, X[rows], Y[rows])
    return params
