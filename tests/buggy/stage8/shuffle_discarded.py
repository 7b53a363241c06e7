"""fit computes a permutation and throws it away, as the original notebook did: batches keep the data's order."""
EXPECT_FAIL = ["fit_shuffles_each_epoch"]
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
        jax.random.permutation(jax.random.fold_in(shuffle_key, epoch), X)  # result unused
        for start in range(0, m, batch_size):
            batch = slice(start, start + batch_size)
            params, opt_state, _loss = train_step(params, opt_state, X[batch], Y[batch])
    return params
