"""fit shuffles the rows of X but slices Y in its original order, so batches get the wrong labels."""
EXPECT_FAIL = ["fit_full_batch", "fit_minibatches"]
FOCUS = "fit"


def fit(X, Y, *, key, learning_rate=0.1, epochs=500, batch_size=None):
    init_key, shuffle_key = jax.random.split(key)
    params = model.init(init_key, X[:1])
    optimizer = make_optimizer(learning_rate)
    opt_state = optimizer.init(params)
    train_step = make_train_step(optimizer)
    m = X.shape[0]
    batch_size = batch_size or m
    for epoch in range(epochs):
        order = jax.random.permutation(jax.random.fold_in(shuffle_key, epoch), m)
        for start in range(0, m, batch_size):
            rows = order[start:start + batch_size]
            params, opt_state, _loss = train_step(params, opt_state, X[rows], Y[start:start + batch_size])
    return params
