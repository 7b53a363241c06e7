"""Stage 10: data parallel over a device mesh.

Stage 6's network, trained on every device at once. A mesh lays the devices
out along one named axis, "data". The batch is split along that axis, one
block of consecutive rows per device, while the parameters are replicated, a
whole copy on every device. jax.jit then compiles ONE program for all the
devices: each one computes the gradient on its own rows, and the compiler adds
the all-reduce that averages them. make_shard_map_step writes the same step by
hand, from one device's point of view, with jax.shard_map and jax.lax.pmean.

Row layout, as stage 6: X is (m, n_in), one row per example, and the params
dict holds W1 (n_hidden, n_in), b1 (n_hidden,), W2 (n_out, n_hidden) and
b2 (n_out,). The batch size m is always a multiple of the number of devices.
"""
import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P


def init_params(key, n_in=784, n_hidden=10, n_out=10):
    """Stage 6's params dict, every entry float32 and uniform on [-0.5, 0.5) (given)."""
    shapes = {"W1": (n_hidden, n_in), "b1": (n_hidden,), "W2": (n_out, n_hidden), "b2": (n_out,)}
    keys = jax.random.split(key, len(shapes))
    return {name: jax.random.uniform(k, shape, minval=-0.5, maxval=0.5)
            for k, (name, shape) in zip(keys, shapes.items())}


def make_mesh(devices=None):
    """A jax.sharding.Mesh with the single axis "data" over `devices` (default: jax.devices())."""
    ### BEGIN SOLUTION
    # TODO: A Mesh whose one axis, named "data", runs over the devices given (every device JAX
    #       sees when none are given), leaving the compiler free to choose the communication.
    devices = jax.devices() if devices is None else devices
    # Mesh(...) has the Auto axis type: jit decides how to move data between devices.
    return Mesh(np.array(devices), ("data",))
    ### END SOLUTION


def shard_batch(mesh, X, Y):
    """(X, Y) as global arrays whose first axis is split across "data", one block per device."""
    ### BEGIN SOLUTION
    # TODO: Place X (m, n_in) and Y (m,) on the mesh so that each device holds its own block of
    #       consecutive rows (and their labels): split the batch axis over "data", nothing else.
    rows = NamedSharding(mesh, P("data"))  # axis 0 over "data", any other axis whole
    return jax.device_put(X, rows), jax.device_put(Y, rows)
    ### END SOLUTION


def replicate(mesh, params):
    """The params dict with every leaf copied whole onto every device of `mesh`."""
    ### BEGIN SOLUTION
    # TODO: The same dict, every array placed whole on every device of the mesh: no axis of any
    #       parameter is split.
    return jax.device_put(params, NamedSharding(mesh, P()))
    ### END SOLUTION


def loss_fn(params, X, Y):
    """Mean cross-entropy over the whole global batch X (m, n_in), labels Y (m,), from logits."""
    ### BEGIN SOLUTION
    # TODO: One number: stage 6's mean cross-entropy, written for the whole batch at once. The
    #       code does not change because X is split: X is still one (m, n_in) array to you.
    hidden = jax.nn.relu(X @ params["W1"].T + params["b1"])  # (m, n_hidden)
    logits = hidden @ params["W2"].T + params["b2"]  # (m, n_out)
    log_probs = jax.nn.log_softmax(logits)  # stable for huge logits
    return -jnp.mean(jnp.take_along_axis(log_probs, Y[:, None], axis=1))
    ### END SOLUTION


@jax.jit
def train_step(params, X, Y, alpha):
    """One SGD step on every device at once: (new params, loss of the params passed in)."""
    ### BEGIN SOLUTION
    # TODO: Stage 6's step, unchanged: loss and gradients from one jax.value_and_grad, then
    #       p - alpha * g on every leaf. Given a split batch, jit places the all-reduce itself.
    loss, grads = jax.value_and_grad(loss_fn)(params, X, Y)
    new_params = jax.tree_util.tree_map(lambda p, g: p - alpha * g, params, grads)
    return new_params, loss
    ### END SOLUTION


def make_shard_map_step(mesh):
    """A jitted (params, X, Y, alpha) -> (new params, loss), written per device with shard_map."""
    ### BEGIN SOLUTION
    # TODO: A jitted step built on jax.shard_map over this mesh: each device takes the gradient of
    #       the mean loss of its own rows, then pmean over "data" averages gradients and loss.
    #       Beware: params that are the same on every device need care before differentiating.
    def local_step(params, X, Y, alpha):
        # Here X and Y are this device's rows only. The params are the same on every
        # device ("invariant"), and the gradient with respect to an invariant value
        # already sums over the devices: mark them as varying, one copy per device,
        # so that each device differentiates its own loss and pmean takes the average.
        mine = jax.lax.pcast(params, "data", to="varying")
        loss, grads = jax.value_and_grad(loss_fn)(mine, X, Y)
        grads = jax.lax.pmean(grads, "data")  # the all-reduce, written by hand
        loss = jax.lax.pmean(loss, "data")
        return jax.tree_util.tree_map(lambda p, g: p - alpha * g, params, grads), loss

    per_device = jax.shard_map(local_step, mesh=mesh,
                               in_specs=(P(), P("data"), P("data"), P()), out_specs=(P(), P()))
    return jax.jit(per_device)
    ### END SOLUTION


def fit(X, Y, *, key, mesh, alpha=0.5, iterations=100):
    """Train from init_params(key, X.shape[1]) with `iterations` calls of train_step on `mesh`.

    The batch is sharded once, before the loop; the params are replicated. Returns the
    trained params, replicated on `mesh`.
    """
    ### BEGIN SOLUTION
    # TODO: Replicate init_params(key, n_in) on the mesh and shard the batch once, then call
    #       train_step `iterations` times, waiting for each step's result before the next.
    params = replicate(mesh, init_params(key, X.shape[1]))
    X, Y = shard_batch(mesh, X, Y)
    for _ in range(iterations):
        params, _loss = train_step(params, X, Y, alpha)
        # Wait for this step before queueing the next: on a CPU with fewer cores than
        # simulated devices, many queued collective steps can deadlock XLA's all-reduce.
        params = jax.block_until_ready(params)
    return params
    ### END SOLUTION
