"""Stage 10, another idiom: jax.make_mesh with its default Explicit axis type.

Under Explicit axes the sharding of every array is part of its type, and JAX refuses
operations whose result's sharding it cannot tell, such as stage 6's gather of the
true-class log-probabilities from a row-split batch; the loss here multiplies by one-hot
labels instead. The params are replicated with an explicit P(None, None) per leaf, the
shard_map step casts them to varying with pcast and averages with pmean, and fit waits
for each step's loss.
"""
import jax
import jax.numpy as jnp
from jax.sharding import NamedSharding
from jax.sharding import PartitionSpec as P


def init_params(key, n_in=784, n_hidden=10, n_out=10):
    """Stage 6's params dict, every entry float32 and uniform on [-0.5, 0.5) (given)."""
    k1, k2, k3, k4 = jax.random.split(key, 4)
    uniform = lambda k, shape: jax.random.uniform(k, shape, minval=-0.5, maxval=0.5)
    return {
        "W1": uniform(k1, (n_hidden, n_in)),
        "b1": uniform(k2, (n_hidden,)),
        "W2": uniform(k3, (n_out, n_hidden)),
        "b2": uniform(k4, (n_out,)),
    }


def make_mesh(devices=None):
    devices = jax.devices() if devices is None else list(devices)
    return jax.make_mesh((len(devices),), ("data",), devices=devices)


def shard_batch(mesh, X, Y):
    return (jax.device_put(X, NamedSharding(mesh, P("data", None))),
            jax.device_put(Y, NamedSharding(mesh, P("data"))))


def replicate(mesh, params):
    return {name: jax.device_put(leaf, NamedSharding(mesh, P(*[None] * leaf.ndim)))
            for name, leaf in params.items()}


def loss_fn(params, X, Y):
    logits = jax.nn.relu(X @ params["W1"].T + params["b1"]) @ params["W2"].T + params["b2"]
    labels = jax.nn.one_hot(Y, logits.shape[1], dtype=logits.dtype)
    return -jnp.mean(jnp.sum(labels * jax.nn.log_softmax(logits), axis=1))


@jax.jit
def train_step(params, X, Y, alpha):
    loss, grads = jax.value_and_grad(loss_fn)(params, X, Y)
    return jax.tree.map(lambda p, g: p - alpha * g, params, grads), loss


def make_shard_map_step(mesh):
    @jax.jit
    @jax.shard_map(mesh=mesh, in_specs=(P(), P("data"), P("data"), P()), out_specs=(P(), P()))
    def step(params, X, Y, alpha):
        loss, grads = jax.value_and_grad(loss_fn)(jax.lax.pcast(params, "data", to="varying"), X, Y)
        loss, grads = jax.lax.pmean((loss, grads), "data")
        return jax.tree.map(lambda p, g: p - alpha * g, params, grads), loss

    return step


def fit(X, Y, *, key, mesh, alpha=0.5, iterations=100):
    X, Y = shard_batch(mesh, X, Y)
    params = replicate(mesh, init_params(key, X.shape[1]))
    for _ in range(iterations):
        params, loss = train_step(params, X, Y, alpha)
        loss.block_until_ready()
    return params
