"""Stage 10 (data parallel over a device mesh): mesh, placements, the jitted and the
shard_map steps, fit.

The worker has 8 simulated CPU devices (see probes/stage10.py); every check
builds its meshes with the learner's make_mesh over 1, 2 or 8 of them (fit
among them: a mesh smaller than the machine tells a fit that uses its mesh
from one that builds its own; make_mesh is also given the last devices). The
probes report where arrays live and what the compiled programs hold; the
numbers are judged here against stage 6's step computed with NumPy in float64,
on one device, so that a result that depends on the device count shows up as
a difference, and a difference by exactly the device count is named as such.
"""
import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from autograder.checks import common, scales
from autograder.checks import strategies as S
from autograder.checks.compare import as_array, expect_close
from autograder.checks.rows import away_from_kinks, mean_cross_entropy_rows
from autograder.grading.failures import Abort, CheckFailed

PARAMS = ("W1", "b1", "W2", "b2")
DEVICE_COUNTS = (1, 2, 8)
MOST_DEVICES = DEVICE_COUNTS[-1]
# (n_in, n_hidden, n_out, m): m divides by every device count; few shapes, as each
# compiles once per device count.
SHAPES = ((3, 4, 3, 8), (8, 8, 10, 16), (2, 5, 10, 8))
FIT_M, FIT_N_IN, FIT_ALPHA, FIT_ITERATIONS = 16, 8, 0.3, 3
# fit's own checks run it on meshes smaller than the machine first: a fit that builds a
# mesh of its own over every device cannot pass there.
FIT_DEVICE_COUNTS = (2, 1, MOST_DEVICES)


# ------------------------------------------------------------ stage 6's step in NumPy

def _f64(params):
    return {name: np.asarray(params[name], np.float64) for name in PARAMS}


def _loss(params, X, Y):
    p = _f64(params)
    return mean_cross_entropy_rows(p["W1"], p["b1"], p["W2"], p["b2"], np.asarray(X, np.float64), Y)


def _gradients(params, X, Y):
    """Gradients of the mean cross-entropy (row layout), by backpropagation in float64."""
    p, X = _f64(params), np.asarray(X, np.float64)
    Z1 = X @ p["W1"].T + p["b1"]
    A1 = np.maximum(Z1, 0)
    Z2 = A1 @ p["W2"].T + p["b2"]
    P = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    P[np.arange(len(Y)), Y] -= 1
    dZ2 = P / len(Y)
    dZ1 = (dZ2 @ p["W2"]) * (Z1 > 0)
    return {"W1": dZ1.T @ X, "b1": dZ1.sum(axis=0), "W2": dZ2.T @ A1, "b2": dZ2.sum(axis=0)}


def sgd_step(params, X, Y, alpha):
    """Stage 6's single-device step: p - alpha * grad for every leaf, in float64."""
    grads = _gradients(params, X, Y)
    return {name: np.asarray(params[name], np.float64) - alpha * grads[name] for name in PARAMS}


# ------------------------------------------------------------ inputs

def _network(rng, dtype, n_in, n_hidden, n_out, m):
    case = {name: rng.uniform(-1, 1, shape).astype(dtype)
            for name, shape in S.param_shapes(n_in, n_hidden, n_out, "rows").items()}
    case["X"] = rng.uniform(-1, 1, (m, n_in)).astype(dtype)
    case["Y"] = rng.integers(0, n_out, m).astype(np.int32)
    return case


def fixed_case(ctx, seed=10, shape=SHAPES[1]):
    """One network and batch, the same for every device count."""
    return _network(np.random.default_rng(ctx.fixed_seed(seed)), ctx.dtype, *shape)


@st.composite
def mesh_cases(draw, dtype=np.float32):
    """A device count, a network of one of SHAPES, a batch and an alpha."""
    n_in, n_hidden, n_out, m = draw(st.sampled_from(SHAPES))
    case = {name: draw(S.float_arrays(shape, dtype, 2.0))
            for name, shape in S.param_shapes(n_in, n_hidden, n_out, "rows").items()}
    case["X"] = draw(S.float_arrays((m, n_in), dtype, 2.0))
    case["Y"] = draw(S.labels(m, n_out))
    case["alpha"] = draw(S.alphas())
    case["devices"] = draw(st.sampled_from(DEVICE_COUNTS))
    return case


def _split(case):
    return {name: case[name] for name in PARAMS}, case["X"], case["Y"]


# ------------------------------------------------------------ placements

def _where(facts):
    devices = facts["devices"]
    return f"device {devices[0]} only" if len(devices) == 1 else f"devices {devices}"


def _span(bounds):
    return f"{bounds[0]}:{bounds[1]}"


def expect_on_mesh(facts, name, mesh, function):
    """The array is a jax.Array held by exactly the mesh's devices."""
    if not facts["jax"]:
        raise CheckFailed(f"{name} is a {facts['type']}, expected a jax.Array placed on the mesh",
                          function=function)
    if sorted(facts["devices"]) != sorted(mesh):
        raise CheckFailed(f"{name} lives on {_where(facts)}, not on the {len(mesh)} devices of "
                          f"the mesh", f"mesh devices {sorted(mesh)}; sharding {facts['spec']}",
                          function=function)


def expect_rows_split(facts, name, mesh, function):
    """Each device of the mesh holds one block of m / n consecutive rows, whole along other axes."""
    expect_on_mesh(facts, name, mesh, function)
    shape, count = facts["shape"], len(mesh)
    m, block = shape[0], shape[0] // len(mesh)
    if count > 1 and facts["replicated"]:
        raise CheckFailed(f"{name} is whole on every device: its {m} rows are not split over "
                          "the devices", f"sharding {facts['spec']}", function=function)
    held = {}
    for shard in facts["shards"]:
        held.setdefault(shard["device"], []).append(shard["index"])
    for device, indices in sorted(held.items()):
        rows, *others = indices[0]
        cut = next((axis for axis, bounds in enumerate(others, start=1)
                    if bounds != [0, shape[axis]]), None)
        if cut is not None:
            raise CheckFailed(f"{name} is split along axis {cut}, not only along its rows: device "
                              f"{device} holds {_span(others[cut - 1])} of that axis",
                              f"shape {tuple(shape)}, sharding {facts['spec']}; only the batch "
                              "axis (axis 0) is split", function=function)
        if rows[1] - rows[0] != block:
            raise CheckFailed(f"device {device} holds rows {_span(rows)} of {name}: "
                              f"{rows[1] - rows[0]} rows, expected {m} / {count} = {block}",
                              f"sharding {facts['spec']}", function=function)
    starts = sorted(indices[0][0][0] for indices in held.values())
    if starts != list(range(0, m, block)):
        raise CheckFailed(f"the devices do not hold one block each of the {m} rows of {name}",
                          f"blocks start at rows {starts}", function=function)


def expect_replicated(facts, name, mesh, function):
    """A whole copy of the array on every device of the mesh."""
    expect_on_mesh(facts, name, mesh, function)
    if not facts["replicated"]:
        whole = [[0, n] for n in facts["shape"]]
        part = next((s for s in facts["shards"] if s["index"] != whole), None)
        pieces = "part of it" if part is None else "only " + ", ".join(
            f"{_span(b)} of axis {a}" for a, b in enumerate(part["index"]) if b != whole[a])
        raise CheckFailed(f"{name} is split over the devices: device "
                          f"{(part or facts['shards'][0])['device']} holds {pieces}",
                          f"shape {tuple(facts['shape'])}, sharding {facts['spec']}; a "
                          "replicated array is whole on every device", function=function)


def _expect_params_dict(params, what, function):
    if not isinstance(params, dict) or "__opaque__" in params:
        kind = params.get("__opaque__") if isinstance(params, dict) else type(params).__name__
        raise CheckFailed(f"{what} is a {kind}, expected the params dict", function=function)
    if set(params) != set(PARAMS):
        raise CheckFailed(f"{what} has the keys {sorted(params)}, expected exactly "
                          f"{list(PARAMS)}", function=function)
    return params


# ------------------------------------------------------------ make_mesh

def check_make_mesh(ctx):
    """Check that make_mesh(devices) is a Mesh with one axis "data" over exactly those devices:
    the first 1, 2 and 8 devices, the last 2 and 1, and every device when given none."""
    facts = ctx.sub.probe("mesh_facts", function="make_mesh", counts=list(DEVICE_COUNTS),
                          last_counts=[c for c in DEVICE_COUNTS[::-1] if c < MOST_DEVICES])
    for mesh in facts["meshes"]:
        plural = "s" if mesh["count"] > 1 else ""
        _expect_mesh(mesh, f"make_mesh(devices) for {mesh['count']} {'/'.join(mesh['platform'])} "
                     f"device{plural} {mesh['given']}")
    default = facts["default"]
    _expect_mesh(default, "make_mesh() with no devices given")


def _expect_mesh(mesh, what):
    if not mesh["is_mesh"]:
        raise CheckFailed(f"{what} returned a {mesh['type']}, expected a jax.sharding.Mesh")
    if mesh["axis_names"] != ["data"]:
        raise CheckFailed(f"{what} has the axes {mesh['axis_names']}, expected the single "
                          "axis 'data'")
    if sorted(mesh["devices"]) != sorted(mesh["given"]):
        first = sorted(mesh["devices"]) == list(range(len(mesh["given"])))
        raise CheckFailed(f"{what} spans the devices {mesh['devices']}, expected {mesh['given']}"
                          + (": as many devices as given, but the first ones JAX lists, not "
                             "those" if first else ""),
                          f"mesh shape {mesh['shape']}; the mesh must run over the devices it "
                          "is given (all of jax.devices() when none are given)",
                          advice="jax.make_mesh((n,), ('data',)) without devices= takes the first "
                          "n devices: pass devices=devices, or build Mesh(np.array(devices), "
                          "('data',))" if first else None)


# ------------------------------------------------------------ shard_batch, replicate

def _batch(ctx, m=16, n_in=8):
    """A batch whose rows are all different, with labels below 10."""
    rng = np.random.default_rng(ctx.fixed_seed(4))
    X = (np.arange(m * n_in).reshape(m, n_in) + rng.uniform(0, 0.5, (m, n_in))).astype(ctx.dtype)
    return X, rng.integers(0, 10, m).astype(np.int32)


def check_shard_batch(ctx):
    """Check that shard_batch splits the rows of X and Y over the devices, and nothing else."""
    X, Y = _batch(ctx)
    for count in (2, MOST_DEVICES):
        what = f"shard_batch(mesh of {count} devices, X {X.shape}, Y {Y.shape})"
        facts = ctx.sub.probe("shard_batch_facts", function="shard_batch", count=count, X=X, Y=Y)
        if facts["bad_return"]:
            raise CheckFailed(f"shard_batch returned a {facts['bad_return']}, expected (X, Y)")
        try:
            for name, given in (("X", X), ("Y", Y)):
                expect_rows_split(facts[name], f"the {name} it returns", facts["mesh"],
                                  "shard_batch")
                got = facts[name]["value"]
                if got.dtype != given.dtype or not np.array_equal(got, given):
                    raise CheckFailed(f"the {name} it returns holds other values than the {name} "
                                      f"given ({got.dtype}, expected {given.dtype})",
                                      "placing an array on devices never changes its values")
        except CheckFailed as exc:
            exc.reason = f"{what}: {exc.reason}"
            raise


def check_replicate(ctx):
    """Check that replicate puts a whole copy of every parameter on every device of the mesh."""
    params = _split(fixed_case(ctx, seed=5))[0]
    for count in (2, MOST_DEVICES):
        facts = ctx.sub.probe("replicate_facts", function="replicate", count=count, params=params)
        what = f"replicate(mesh of {count} devices, params)"
        placed = _expect_params_dict(facts["params"], what, "replicate")
        for name in PARAMS:
            try:
                expect_replicated(placed[name], name, facts["mesh"], "replicate")
            except CheckFailed as exc:
                exc.reason = f"{what}: {exc.reason}"
                raise
            if not np.array_equal(placed[name]["value"], params[name]):
                raise CheckFailed(f"{what} changed the values of {name}")


# ------------------------------------------------------------ loss_fn

def check_loss_fn(ctx):
    """Check that loss_fn is the mean cross-entropy of the batch, split over 1, 2 or 8 devices."""
    def prop(devices, alpha, **case):
        params, X, Y = _split(case)
        got = ctx.sub.probe("loss_on_mesh", function="loss_fn", count=devices, params=params,
                            X=X, Y=Y)["loss"]
        loss = common.expect_scalar(_value(got, f"loss_fn on {devices} devices"),
                                    f"loss_fn on {devices} devices")
        expected = _loss(params, X, Y)
        sizes = {"n_in": X.shape[1], "n_out": params["W2"].shape[0]}
        scales.expect_unscaled(loss, expected, "loss_fn", len(Y), sizes, "the mean cross-entropy")
        expect_close(np.float32(loss), np.float64(expected),
                     f"loss_fn(params, X, Y) with X split over {devices} devices")

    def factor(case, m):
        params, X, _Y = _split(case)
        X, Y = scales.new_batch(X.shape[1], m, params["W2"].shape[0], ctx.dtype, "rows")
        got = ctx.sub.probe("loss_on_mesh", function="loss_fn", count=case["devices"],
                            params=params, X=X, Y=Y)["loss"]
        got = common.expect_scalar(_value(got, "loss_fn"), "loss_fn")
        return scales.factor_of(got, _loss(params, X, Y))
    large = dict(fixed_case(ctx, seed=6, shape=SHAPES[0]), alpha=0.5, devices=MOST_DEVICES)
    large["W2"] = (large["W2"] * 400).astype(ctx.dtype)
    scales.forall_naming_scale(ctx, mesh_cases(ctx.dtype), prop, factor, examples=4,
                               explicit=[large], other_size=lambda m: m + MOST_DEVICES)


# ------------------------------------------------------------ the steps, judged by their numbers

def _flat(tree):
    return np.concatenate([np.ravel(np.asarray(tree[name], np.float64)) for name in PARAMS])


def step_factor(new, params, X, Y, alpha):
    """f when the learner's step is f times stage 6's step (f != 1), else None."""
    start = _flat(params)
    step, reference = _flat(new) - start, _flat(sgd_step(params, X, Y, alpha)) - start
    if step.shape != reference.shape or not reference.any():
        return None
    factor = float(step @ reference / (reference @ reference))
    if abs(factor - 1) > 1e-3 and np.allclose(step, factor * reference, rtol=1e-3, atol=1e-6):
        return factor
    return None


def _device_factor(factor, devices):
    """How `factor` relates to the device count, in words, or None."""
    named = {devices: f"{devices} times the reference's step: {devices} times the gradient, "
             "exactly the number of devices",
             devices ** 2: f"{devices ** 2} times the reference's step: the gradient times the "
             "square of the number of devices",
             1 / devices: f"1/{devices} of the reference's step: the gradient divided by the "
             "number of devices once too often"}
    return next((text for value, text in named.items()
                 if devices > 1 and np.isclose(factor, value, rtol=1e-3)), None)


def _explain_step(new, params, X, Y, alpha, devices, what):
    """Fail with the cause when the step is off by a factor tied to the device count, or is
    the step of the first device's rows alone."""
    if any(np.shape(new[name]) != np.shape(params[name]) for name in PARAMS):
        return  # the comparison names the shape
    factor = step_factor(new, params, X, Y, alpha)
    if factor is not None:
        words = _device_factor(factor, devices)
        if words:
            raise CheckFailed(f"{what} took {words}")
        raise CheckFailed(f"{what} took {factor:.4g} times the reference's step",
                          advice="the step is p - alpha * grad, with the alpha you are given")
    block = len(Y) // devices
    if devices > 1 and np.allclose(_flat(new) - _flat(params),
                                   _flat(sgd_step(params, X[:block], Y[:block], alpha))
                                   - _flat(params), rtol=1e-3, atol=1e-6):
        raise CheckFailed(f"{what} equals the step on the first device's {block} rows alone: "
                          "the gradients were never averaged across the devices")


def _value(facts, what):
    if "value" not in facts:
        raise CheckFailed(f"{what} is a {facts['type']}, expected an array")
    return facts["value"]


def _expect_step(facts, case, what, function):
    """The step's new params and loss against stage 6's single-device step."""
    params, X, Y = _split(case)
    if facts["bad_return"]:
        raise CheckFailed(f"{what} returned a {facts['bad_return']}, expected (new_params, loss)",
                          function=function)
    placed = _expect_params_dict(facts["params"], f"the params {what} returned", function)
    new = {name: as_array(_value(placed[name], name), name) for name in PARAMS}
    _explain_step(new, params, X, Y, case["alpha"], case["devices"], what)
    expected = sgd_step(params, X, Y, case["alpha"])
    for name in PARAMS:
        expect_close(new[name], expected[name], f"{name} after {what}")
    loss = common.expect_scalar(_value(facts["loss"], f"the loss from {what}"),
                                f"the loss from {what}")
    before = _loss(params, X, Y)
    close = lambda a, b: np.isclose(a, b, rtol=2e-4, atol=2e-5)
    if not close(loss, before) and close(loss, _loss(expected, X, Y)):
        raise CheckFailed(f"{what} returned the loss AFTER the update ({loss:.6g}; before: "
                          f"{before:.6g})", function=function)
    block = len(Y) // case["devices"]
    if case["devices"] > 1 and not close(loss, before) and close(
            loss, _loss(params, X[:block], Y[:block])):
        raise CheckFailed(f"the loss from {what} is that of the first device's {block} rows "
                          f"alone ({loss:.6g}; whole batch: {before:.6g}): it was not averaged "
                          "over the devices", function=function)
    expect_close(np.float32(loss), np.float64(before), f"the loss from {what}")


def _step_cases(ctx, prop, examples):
    """prop on the fixed case for 1, 2 and 8 devices, then on drawn cases."""
    base = fixed_case(ctx)
    explicit = [dict(base, alpha=0.5, devices=devices) for devices in DEVICE_COUNTS]

    def away_from_kinks_prop(**case):
        assume(away_from_kinks(case["W1"], case["b1"], case["X"]))
        prop(**case)
    ctx.forall(mesh_cases(ctx.dtype), away_from_kinks_prop, examples=examples, explicit=explicit)


def check_train_step_matches(ctx):
    """Check that train_step on a split batch equals stage 6's one-device step (1, 2, 8 devices)."""
    def prop(**case):
        params, X, Y = _split(case)
        facts = ctx.sub.probe("train_step_on_mesh", function="train_step", count=case["devices"],
                              params=params, X=X, Y=Y, alpha=case["alpha"])
        _expect_step(facts, case, f"train_step on {case['devices']} devices", "train_step")
    _step_cases(ctx, prop, examples=4)


def _program(ctx):
    """What train_step compiles to on 8 devices, and the traces of 3 calls (shared by 2 checks)."""
    if "stage10_program" not in ctx.__dict__:
        params, X, Y = _split(fixed_case(ctx))
        ctx.stage10_program = ctx.sub.probe(
            "train_step_program", function="train_step", count=MOST_DEVICES, params=params, X=X,
            Y=Y, alphas=[0.5, 0.5, 0.1])
    return ctx.stage10_program


def check_train_step_data_parallel(ctx):
    """Check that train_step is one jitted program whose compiled form on 8 devices all-reduces
    the gradients, and that it returns replicated params."""
    facts = _program(ctx)
    if not facts["jitted"]:
        raise CheckFailed("train_step is not compiled with jax.jit: its operations run one by "
                          "one, and no single program spans the devices",
                          advice="decorate train_step with @jax.jit")
    found = {name: count for name, count in facts["collectives"].items() if count}
    if not found.get("all-reduce"):
        raise CheckFailed(f"train_step's compiled program on {MOST_DEVICES} devices has no "
                          "all-reduce: the devices never sum their gradients",
                          f"collectives in the program: {found or 'none'}; with the rows split "
                          "over the devices, each computes a partial gradient and an all-reduce "
                          "adds them up", advice="leave the batch split as it comes: do not gather "
                          "it onto every device inside the step")
    placed = _expect_params_dict(facts["outputs"]["params"], "the params train_step returned",
                                 "train_step")
    for name in PARAMS:
        expect_replicated(placed[name], f"{name} returned by train_step on {MOST_DEVICES} devices",
                          facts["mesh"], "train_step")


def check_train_step_compiles_once(ctx):
    """Check that train_step does not trace again on a second call, nor for a new alpha."""
    traces = _program(ctx)["traces"]
    for call, why in ((1, "a second call with the same inputs"), (2, "a new alpha (0.5 -> 0.1)")):
        if traces[call]:
            raise CheckFailed(f"train_step traced again on {why}, on {MOST_DEVICES} devices",
                              advice="keep alpha a traced argument (not static) and jit train_step "
                              "once, at module level")


# ------------------------------------------------------------ make_shard_map_step

def check_shard_map_step_matches(ctx):
    """Check that the shard_map step equals stage 6's one-device step on 1, 2 and 8 devices."""
    def run(case, devices):
        params, X, Y = _split(case)
        return ctx.sub.probe("shard_map_step_on_mesh", function="make_shard_map_step",
                             count=devices, params=params, X=X, Y=Y, alpha=case["alpha"])

    def prop(**case):
        what = f"the shard_map step on {case['devices']} devices"
        try:
            _expect_step(run(case, case["devices"]), case, what, "make_shard_map_step")
        except CheckFailed as exc:
            if "the number of devices" in exc.reason:
                exc.detail = _other_count(run, case)
            raise
    _step_cases(ctx, prop, examples=4)


def _other_count(run, case):
    """What the same inputs give on the other device count (2 <-> 8), in one line."""
    other = 2 if case["devices"] != 2 else MOST_DEVICES
    placed = run(case, other).get("params")
    try:
        new = {name: np.asarray(placed[name]["value"], np.float64) for name in PARAMS}
    except (KeyError, TypeError):
        return ""
    factor = step_factor(new, *_split(case), case["alpha"])
    found = "the reference's step" if factor is None else f"{factor:.4g} times the reference's step"
    return (f"on {other} devices the same inputs give {found}; on 1 device the step is the "
            "reference's: the per-device gradients are added up where they should be averaged")


def check_shard_map_step_structure(ctx):
    """Check that the step is jitted, runs shard_map with a psum or pmean over "data" inside,
    and returns replicated params."""
    params, X, Y = _split(fixed_case(ctx))
    facts = ctx.sub.probe("shard_map_step_structure", function="make_shard_map_step", count=2,
                          params=params, X=X, Y=Y, alpha=0.5)
    names = {name for name, _axes, _inside in facts["primitives"]}
    if "shard_map" not in names:
        raise CheckFailed("make_shard_map_step's step contains no jax.shard_map: it is not "
                          "written per device", "primitives: " + ", ".join(sorted(names)[:20]),
                          advice="wrap a per-device step in jax.shard_map(step, mesh=mesh, "
                          "in_specs=..., out_specs=...)")
    reductions = [(name, axes) for name, axes, inside in facts["primitives"]
                  if inside and ("psum" in name or "pmean" in name)]
    if not any("data" in axes for _name, axes in reductions):
        raise CheckFailed("the per-device step inside shard_map has no psum or pmean over "
                          "'data': the devices never combine their gradients",
                          f"reductions found inside shard_map: {reductions or 'none'}",
                          advice="average the gradients and the loss: jax.lax.pmean(..., 'data')")
    if not facts["jitted"]:
        raise CheckFailed("make_shard_map_step returns a step that is not compiled with jax.jit",
                          advice="return jax.jit(jax.shard_map(...))")
    placed = _expect_params_dict(facts["outputs"]["params"], "the params the shard_map step "
                                 "returned", "make_shard_map_step")
    for name in PARAMS:
        expect_replicated(placed[name], f"{name} returned by the shard_map step",
                          facts["outputs"]["mesh"], "make_shard_map_step")


# ------------------------------------------------------------ fit

def _fit_problem(ctx):
    X, Y = _batch(ctx, FIT_M, FIT_N_IN)
    return (X / X.max()).astype(ctx.dtype), Y


# With more simulated devices than CPU cores, steps queued without waiting can deadlock
# XLA's all-reduce rendezvous, which aborts the process after a minute. Measured on 2
# cores with 8 devices: 100 unawaited steps hung 2 runs of 6 on a quiet machine and 3 of
# 4 on a busy one, 200 steps 3 of 3; awaited steps never. The probe awaits every call of
# train_step and of the steps make_shard_map_step makes, so only a fit that steps with a
# function of its own can hang like this.
ABORT_HELP = ("fit hung or crashed while it trained on {devices} devices. The usual cause: "
              "steps queued without waiting for their results; with more simulated devices "
              "than CPU cores, XLA's all-reduce can then deadlock (\"Termination timeout for "
              "all reduce RendezvousKey\") and abort the process. Wait for each step's result "
              "(jax.block_until_ready) before taking the next")


def run_fit(ctx, X, Y, seed, alpha, iterations, follow=True, devices=MOST_DEVICES):
    """fit on a mesh of `devices`, its calls of train_step followed (and awaited) by the probe."""
    try:
        return ctx.sub.probe("fit_record", function="fit", count=devices, X=X, Y=Y,
                             key=ctx.random_arg(seed), alpha=alpha, iterations=iterations,
                             follow=follow)
    except Abort as exc:
        if any(sign in exc.reason for sign in ("SIGABRT", "Rendezvous", "did not finish")):
            raise Abort(ABORT_HELP.format(devices=devices) + f"\n    what the grader saw: "
                        f"{exc.reason}", exc.function) from None
        raise


def _devices(count):
    return f"{count} device" + ("s" if count != 1 else "")


def _fit_run(ctx, devices):
    """fit's record on a mesh of `devices` (run once per grading, shared by the fit checks)."""
    runs = ctx.__dict__.setdefault("stage10_fit", {})
    if devices not in runs:
        X, Y = _fit_problem(ctx)
        runs[devices] = run_fit(ctx, X, Y, 3, FIT_ALPHA, FIT_ITERATIONS, devices=devices)
    return runs[devices]


def expect_on_fits_mesh(facts, name, record, function="fit"):
    """expect_on_mesh, naming the usual cause when an array of fit's lives on every device
    JAX sees while fit was given a smaller mesh: a mesh fit built for itself."""
    mesh, every = record["mesh"], record["all_devices"]
    if (facts["jax"] and len(mesh) < len(every)
            and sorted(facts["devices"]) == sorted(every)):
        raise CheckFailed(f"{name} lives on all {len(every)} devices JAX sees, not on the "
                          f"mesh of {_devices(len(mesh))} fit was given: fit placed it on a mesh "
                          "of its own", f"mesh devices {sorted(mesh)}; sharding {facts['spec']}",
                          function=function, advice="replicate and shard with the mesh argument "
                          "of fit; never build another mesh (make_mesh(), jax.devices()) inside "
                          "fit")
    expect_on_mesh(facts, name, mesh, function)


def check_fit_calls_train_step(ctx):
    """Check that fit calls train_step `iterations` times with the batch sharded once and the
    params replicated, on the mesh it is given: 2, 1 and 8 of the 8 devices."""
    for devices in FIT_DEVICE_COUNTS:
        _expect_fit_calls(_fit_run(ctx, devices))


def _expect_fit_calls(record):
    calls, mesh = record["calls"], record["mesh"]
    what = (f"fit(X ({FIT_M}, {FIT_N_IN}), mesh of {_devices(len(mesh))}, "
            f"iterations={FIT_ITERATIONS})")
    if not calls:
        raise CheckFailed(f"{what} never called train_step",
                          "the grader follows fit's steps through your module's train_step: call "
                          "it by that name, once per iteration")
    if any(call["traced"] for call in calls):
        raise CheckFailed(f"{what} called train_step inside a traced function (jit, scan or "
                          "fori_loop)", "call train_step from a Python loop, once per iteration: "
                          "train_step is already compiled")
    if len(calls) != FIT_ITERATIONS:
        raise CheckFailed(f"{what} called train_step {len(calls)} times, expected "
                          f"{FIT_ITERATIONS}")
    for number, call in enumerate(calls, start=1):
        if call["alpha"] is None or not np.isclose(call["alpha"], FIT_ALPHA):
            raise CheckFailed(f"call {number} of train_step in {what} got alpha={call['alpha']}, "
                              f"expected fit's alpha={FIT_ALPHA}")
        try:
            for name in ("X", "Y"):
                given = f"the {name} given to train_step at call {number}"
                expect_on_fits_mesh(call[name], given, record)
                expect_rows_split(call[name], given, mesh, "fit")
            params = _expect_params_dict(call["params"], f"the params given to train_step at "
                                         f"call {number}", "fit")
            for name in PARAMS:
                given = f"{name} given to train_step at call {number}"
                expect_on_fits_mesh(params[name], given, record)
                expect_replicated(params[name], given, mesh, "fit")
        except CheckFailed as exc:
            exc.reason = f"{what}: {exc.reason}"
            raise
    if len({call["X_object"] for call in calls}) > 1:
        raise CheckFailed(f"{what} handed train_step a newly placed X at each call: the batch "
                          "is sharded again every step", "shard the batch once, before the loop, "
                          "and pass the same arrays to every step")


def check_fit_result(ctx):
    """Check that fit starts from init_params(key) and returns its steps' result, replicated on
    the mesh it is given (2, 1 and 8 of the 8 devices)."""
    X, Y = _fit_problem(ctx)
    start = ctx.sub.call("init_params", ctx.random_arg(3), FIT_N_IN)
    expected = {name: np.asarray(start[name], np.float64) for name in PARAMS}
    for _ in range(FIT_ITERATIONS):
        expected = sgd_step(expected, X, Y, FIT_ALPHA)
    for devices in FIT_DEVICE_COUNTS:
        record = _fit_run(ctx, devices)
        initial = _expect_params_dict(record["initial"], "the params of fit's first step", "fit")
        for name in PARAMS:
            if not np.allclose(np.asarray(initial[name]), np.asarray(start[name])):
                raise CheckFailed("fit's first step did not start from init_params(key, n_in)",
                                  f"{name} differs; fit must start from init_params with its key "
                                  f"and X's {FIT_N_IN} features")
        result = _expect_params_dict(record["result"], "fit's result", "fit")
        on = f"on a mesh of {_devices(devices)}"
        for name in PARAMS:
            expect_on_fits_mesh(result[name], f"{name} returned by fit {on}", record)
            expect_replicated(result[name], f"{name} returned by fit {on}", record["mesh"], "fit")
        for name in PARAMS:
            expect_close(_value(result[name], name), expected[name],
                         f"{name} after fit(alpha={FIT_ALPHA}, iterations={FIT_ITERATIONS}) {on}",
                         "training")


# ------------------------------------------------------------ training on MNIST

def check_training_accuracy(ctx):
    """Check that fit on 8 devices trains on the bundled MNIST subset past a calibrated floor."""
    from autograder.data import load_mnist

    s = ctx.stage.training
    X, Y = load_mnist("train", layout="rows")
    X_val, Y_val = load_mnist("validation", layout="rows")
    record = run_fit(ctx, X, Y, 0, s["alpha"], s["iterations"], follow=False)
    result = _expect_params_dict(record["result"], "fit's result", "fit")
    p = _f64({name: _value(result[name], f"{name} returned by fit") for name in PARAMS})
    logits = np.maximum(X_val @ p["W1"].T + p["b1"], 0) @ p["W2"].T + p["b2"]
    reached = float(np.mean(np.argmax(logits, axis=1) == Y_val))
    if not reached >= s["floor"]:
        raise CheckFailed(f"validation accuracy {reached:.3f} after fit(alpha={s['alpha']}, "
                          f"iterations={s['iterations']}) on {len(record['mesh'])} devices, below "
                          f"the floor {s['floor']}", advice="the floor sits below the accuracy the "
                          "reference reaches on every one of many keys")
