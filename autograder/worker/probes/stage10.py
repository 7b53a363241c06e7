"""Probes for stage 10 (data parallel): where arrays live, what the steps compile to, what fit does.

Importing this module gives the worker's JAX 8 simulated CPU devices: it runs
before the submission is imported, before JAX starts its CPU backend. The
grader's own process keeps its devices. A probe runs the learner's code on a
mesh of 1, 2 or 8 devices, built by the learner's make_mesh from the default
backend's devices when it has that many (a machine with several accelerators)
and from the simulated CPU devices otherwise; it reports which ones.

The facts are plain data: for an array, which devices hold it, whether it is
fully replicated, and the rows and columns each device holds; for a step, its
compiled text's collectives, the primitives of its jaxpr, how often it was
traced. The checks in checks/stage10.py judge them.
"""
import numpy as np

from autograder.worker.probes import learner_attr, probe, to_framework, to_wire

SIMULATED_DEVICES = 8
TRACE_EVENT = "/jax/core/compile/jaxpr_trace_duration"
_traces = [0]


def _jax():
    import jax

    return jax


def _start():
    jax = _jax()
    jax.config.update("jax_num_cpu_devices", SIMULATED_DEVICES)

    def count_traces(event, _duration, **_kwargs):
        if event == TRACE_EVENT:
            _traces[0] += 1

    jax.monitoring.register_event_duration_secs_listener(count_traces)


_start()


def devices(count, last=False):
    """The first `count` devices (the last ones when `last`): the default backend's when it
    has enough, else simulated CPU devices."""
    jax = _jax()
    pool = jax.devices()
    if len(pool) < count:
        pool = jax.devices("cpu")
    return pool[len(pool) - count:] if last else pool[:count]


def learner_mesh(module, count):
    """The learner's make_mesh over `count` devices."""
    return learner_attr(module, "make_mesh")(devices(count))


def place(mesh, params, X, Y):
    """The grader's own placement: params replicated, X and Y split by rows over "data"."""
    from jax.sharding import NamedSharding
    from jax.sharding import PartitionSpec as P

    jax = _jax()
    rows = NamedSharding(mesh, P("data"))
    return (jax.device_put(to_framework(params), NamedSharding(mesh, P())),
            jax.device_put(to_framework(X), rows), jax.device_put(to_framework(Y), rows))


def _bounds(index, shape):
    """[[start, stop], ...] per axis of a shard's index (a tuple of slices)."""
    return [list(s.indices(size)[:2]) if isinstance(s, slice) else [int(s), int(s) + 1]
            for s, size in zip(index, shape)]


def placement(x):
    """Where an array lives: its type, the devices that hold it, what each holds. No values."""
    jax = _jax()
    if isinstance(x, jax.core.Tracer):
        return {"jax": False, "type": "traced value (inside jit, scan or a loop primitive)"}
    if not isinstance(x, jax.Array):
        return {"jax": False, "type": type(x).__module__ + "." + type(x).__qualname__}
    sharding = x.sharding
    shards = [{"device": int(s.device.id), "index": _bounds(s.index, x.shape)}
              for s in x.addressable_shards]
    return {"jax": True, "shape": list(x.shape), "dtype": str(x.dtype),
            "devices": sorted(int(d.id) for d in sharding.device_set),
            "replicated": bool(sharding.is_fully_replicated),
            "spec": str(getattr(sharding, "spec", type(sharding).__name__)), "shards": shards}


def described(x):
    """placement(x) with the value (of an array or a number), for the grader to compare."""
    facts = placement(x)
    if facts["jax"] or isinstance(x, (np.ndarray, np.generic, int, float)):
        facts["value"] = np.asarray(x)
    return facts


def _tree(fn, tree):
    if isinstance(tree, dict):
        return {str(k): _tree(fn, v) for k, v in tree.items()}
    if isinstance(tree, (tuple, list)):
        return [_tree(fn, v) for v in tree]
    return fn(tree)


def mesh_ids(mesh):
    return [int(d.id) for d in np.asarray(mesh.devices).flat]


def _platform(device_list):
    return sorted({d.platform for d in device_list})


@probe
def mesh_facts(module, counts, last_counts=()):
    """What make_mesh(devices) is for the first n devices for each n of `counts`, and for the
    last n for each n of `last_counts`; and what make_mesh() spans."""
    jax = _jax()
    from jax.sharding import Mesh

    make_mesh = learner_attr(module, "make_mesh")
    picks = [(count, False) for count in counts] + [(count, True) for count in last_counts]
    facts = []
    for count, last in picks:
        given = devices(count, last)
        facts.append(_describe_mesh(make_mesh(given), Mesh) | {
            "count": count, "given": [int(d.id) for d in given], "platform": _platform(given)})
    default = _describe_mesh(make_mesh(), Mesh) | {
        "count": len(jax.devices()), "given": [int(d.id) for d in jax.devices()],
        "platform": _platform(jax.devices())}
    return {"meshes": facts, "default": default}


def _describe_mesh(mesh, mesh_type):
    if not isinstance(mesh, mesh_type):
        return {"is_mesh": False, "type": type(mesh).__module__ + "." + type(mesh).__qualname__}
    return {"is_mesh": True, "axis_names": [str(a) for a in mesh.axis_names],
            "shape": {str(k): int(v) for k, v in mesh.shape.items()},
            "devices": mesh_ids(mesh)}


@probe
def shard_batch_facts(module, count, X, Y):
    """Where shard_batch(mesh of `count`) puts X and Y, and their values."""
    mesh = learner_mesh(module, count)
    out = learner_attr(module, "shard_batch")(mesh, to_framework(X), to_framework(Y))
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        return {"mesh": mesh_ids(mesh), "bad_return": _return_kind(out)}
    return {"mesh": mesh_ids(mesh), "bad_return": None, "X": described(out[0]),
            "Y": described(out[1])}


def _return_kind(out):
    kind = type(out).__name__
    return kind + (f" of length {len(out)}" if isinstance(out, (tuple, list)) else "")


@probe
def replicate_facts(module, count, params):
    """Where replicate(mesh of `count`, params) puts each leaf, and the values."""
    mesh = learner_mesh(module, count)
    out = learner_attr(module, "replicate")(mesh, to_framework(params))
    return {"mesh": mesh_ids(mesh), "params": _tree(described, out) if isinstance(out, dict)
            else {"__opaque__": type(out).__name__}}


_JITTED = {}  # compiled functions made from the learner's, reused across calls


def is_jitted(fn):
    """jax.jit's wrapper has .lower and .trace; a plain Python function has neither."""
    return callable(getattr(fn, "lower", None)) and callable(getattr(fn, "trace", None))


def compiled(fn):
    """`fn` as it is when jitted, else jax.jit of it (made once): one compiled program per
    shape and mesh instead of one per operation. Whether the learner jitted it is judged
    apart, by train_step_program."""
    if is_jitted(fn):
        return fn
    if id(fn) not in _JITTED:
        _JITTED[id(fn)] = _jax().jit(fn)
    return _JITTED[id(fn)]


@probe
def loss_on_mesh(module, count, params, X, Y):
    """loss_fn, compiled, on the grader's placement: replicated params, X and Y split by rows."""
    mesh = learner_mesh(module, count)
    params, X, Y = place(mesh, params, X, Y)
    loss = compiled(learner_attr(module, "loss_fn"))(params, X, Y)
    return {"mesh": mesh_ids(mesh), "loss": described(_jax().block_until_ready(loss))}


def _step_facts(mesh, out):
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        return {"mesh": mesh_ids(mesh), "bad_return": _return_kind(out)}
    new_params, loss = out
    return {"mesh": mesh_ids(mesh), "bad_return": None, "loss": described(loss),
            "params": _tree(described, new_params) if isinstance(new_params, dict)
            else {"__opaque__": type(new_params).__name__}}


@probe
def train_step_on_mesh(module, count, params, X, Y, alpha):
    """train_step on the grader's placement on a mesh of `count`: its outputs, where they live."""
    mesh = learner_mesh(module, count)
    params, X, Y = place(mesh, params, X, Y)
    step = compiled(learner_attr(module, "train_step"))
    return _step_facts(mesh, _jax().block_until_ready(step(params, X, Y, alpha)))


def collectives(text):
    """How often each collective operation appears in a compiled program's text."""
    names = ("all-reduce", "all-gather", "reduce-scatter", "all-to-all", "collective-permute")
    return {name: text.count(f" {name}(") + text.count(f" {name}-start(") for name in names}


@probe
def train_step_program(module, count, params, X, Y, alphas):
    """Whether train_step is jitted, the collectives of its compiled program on a mesh of
    `count`, and the traces each call with `alphas[i]` caused (same inputs every call)."""
    jax = _jax()
    mesh = learner_mesh(module, count)
    step = learner_attr(module, "train_step")
    params, X, Y = place(mesh, params, X, Y)
    facts = {"mesh": mesh_ids(mesh), "jitted": is_jitted(step), "collectives": None, "traces": []}
    for alpha in alphas:
        before = _traces[0]
        out = jax.block_until_ready(step(params, X, Y, alpha))
        facts["traces"].append(_traces[0] - before)
        facts.setdefault("outputs", _step_facts(mesh, out))
    if facts["jitted"]:
        facts["collectives"] = collectives(step.lower(params, X, Y, alphas[0]).compile().as_text())
    return facts


def shard_map_step(module, mesh):
    """make_shard_map_step(mesh), made once per mesh: each new step would compile afresh."""
    make = learner_attr(module, "make_shard_map_step")
    key = (id(make), mesh)
    if key not in _JITTED:
        _JITTED[key] = make(mesh)
    return _JITTED[key]


@probe
def shard_map_step_on_mesh(module, count, params, X, Y, alpha):
    """make_shard_map_step(mesh of `count`) applied once: the outputs and where they live."""
    mesh = learner_mesh(module, count)
    step = shard_map_step(module, mesh)
    params, X, Y = place(mesh, params, X, Y)
    return _step_facts(mesh, _jax().block_until_ready(step(params, X, Y, alpha)))


def _primitives(jaxpr, inside_shard_map=False, found=None):
    """[(primitive name, its named axes, whether it sits inside a shard_map)] of a jaxpr."""
    found = [] if found is None else found
    for eqn in jaxpr.eqns:
        params = eqn.params
        axes = params.get("axes", params.get("axis_name", ()))
        axes = [str(a) for a in (axes if isinstance(axes, (tuple, list)) else (axes,))]
        found.append((eqn.primitive.name, axes, inside_shard_map))
        inner = inside_shard_map or eqn.primitive.name == "shard_map"
        for value in params.values():
            for sub in value if isinstance(value, (tuple, list)) else (value,):
                sub = getattr(sub, "jaxpr", sub)
                if hasattr(sub, "eqns"):
                    _primitives(sub, inner, found)
    return found


@probe
def shard_map_step_structure(module, count, params, X, Y, alpha):
    """Whether the step is jitted, its primitives (from its jaxpr) and its outputs' placement."""
    jax = _jax()
    mesh = learner_mesh(module, count)
    step = shard_map_step(module, mesh)
    params, X, Y = place(mesh, params, X, Y)
    jaxpr = jax.make_jaxpr(step)(params, X, Y, alpha)
    return {"jitted": is_jitted(step), "primitives": _primitives(jaxpr.jaxpr),
            "outputs": _step_facts(mesh, jax.block_until_ready(step(params, X, Y, alpha)))}


class _Recorder:
    """Remembers, for each call of train_step while fit runs, where its inputs lived."""

    def __init__(self, keep_first_params):
        self.calls = []
        self.initial = None
        self.keep_first_params = keep_first_params
        self.seen = []  # the X arrays passed, kept alive so that no two share an id()

    def record(self, params, X, Y, alpha):
        jax = _jax()
        traced = any(isinstance(v, jax.core.Tracer)
                     for v in jax.tree_util.tree_leaves((params, X, Y, alpha)))
        if traced:
            self.calls.append({"traced": True})
            return
        if self.initial is None and self.keep_first_params:
            self.initial = to_wire(params)
        self.seen.append(X)
        self.calls.append({
            "traced": False, "X": placement(X), "Y": placement(Y),
            "params": _tree(placement, params) if isinstance(params, dict) else
            {"__opaque__": type(params).__name__},
            "X_object": next(i for i, x in enumerate(self.seen) if x is X),
            "alpha": float(np.asarray(alpha)) if np.ndim(alpha) == 0 else None})


def _recording(step, recorder, follow):
    jax = _jax()

    def recording_step(params, X, Y, alpha):
        if follow:
            recorder.record(params, X, Y, alpha)
        else:
            recorder.calls.append({})
        # Wait for every step: the learner's loop then never has several collective
        # steps queued at once, which can deadlock XLA on a CPU with few cores.
        return jax.block_until_ready(step(params, X, Y, alpha))
    return recording_step


def _awaiting_steps(make_step):
    """make_shard_map_step, its steps awaited: a fit that steps with them (not train_step)
    then trains the same way every run, not stuck in some runs only."""
    jax = _jax()

    def make_awaited(*args, **kwargs):
        step = make_step(*args, **kwargs)
        return lambda *a, **k: jax.block_until_ready(step(*a, **k))
    return make_awaited


@probe
def fit_record(module, count, X, Y, key, alpha, iterations, follow=True):
    """Run fit on a mesh of `count` with train_step wrapped (and the shard_map steps
    awaited): each call's placements (when `follow`), the first call's params, and fit's
    result with its placement."""
    jax = _jax()
    mesh = learner_mesh(module, count)
    original = learner_attr(module, "train_step")
    recorder = _Recorder(keep_first_params=follow)
    module.train_step = _recording(original, recorder, follow)
    make_step = getattr(module, "make_shard_map_step", None)
    if callable(make_step):
        module.make_shard_map_step = _awaiting_steps(make_step)
    try:
        result = jax.block_until_ready(learner_attr(module, "fit")(
            to_framework(X), to_framework(Y), key=to_framework(key), mesh=mesh, alpha=alpha,
            iterations=iterations))
    finally:
        module.train_step = original
        if callable(make_step):
            module.make_shard_map_step = make_step
    recorder.seen.clear()
    return {"mesh": mesh_ids(mesh), "all_devices": [int(d.id) for d in jax.devices()],
            "calls": recorder.calls, "initial": recorder.initial,
            "result": _tree(described, result) if isinstance(result, dict)
            else {"__opaque__": type(result).__name__}}
