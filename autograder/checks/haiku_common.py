"""The checks and strategies that the Haiku stages (7 and 8) share.

Haiku names parameters after modules ("mlp/linear" -> {"w", "b"}); the
layers are found by shape (autograder.checks.param_trees), and the reference
runs on the same numbers in its own tree (Trees).
"""
import numpy as np
from hypothesis import strategies as st

from autograder.checks import scales
from autograder.checks import strategies as S
from autograder.checks.compare import as_array, expect_close, expect_shape
from autograder.checks.param_trees import (
    DEFAULT_HIDDEN,
    DEFAULT_OUT,
    LAYER_NAMES,
    explain_apply,
    find_layers,
    large_logit_case,
    layer_shapes,
    logits,
    logits_without_relu,
    mean_cross_entropy,
    read_layers,
    with_layers,
)
from autograder.grading.failures import CheckFailed, LearnerError

# (n_in, m) of the default model's checks: a batch of one, a single feature,
# odd sizes; few, because each one compiles the learner's code again.
DEFAULT_MODEL_SHAPES = ((1, 1), (3, 4), (8, 7))


# ------------------------------------------------------------ the learner's trees

class Trees:
    """The learner's parameter trees (cached per size) and the reference's."""

    def __init__(self, ctx):
        self.ctx = ctx
        self._cache = {}

    def default(self, n_in):
        """(template, layers) of the learner's `model` for n_in features."""
        key = ("default", n_in)
        if key not in self._cache:
            X = np.zeros((1, n_in), self.ctx.dtype)
            params = self.ctx.sub.probe("model_init", function="model.init",
                                        key=self.ctx.random_arg(0), X=X)
            layers = find_layers(params, n_in, DEFAULT_HIDDEN, DEFAULT_OUT,
                                 f"model.init(key, X) for X of shape (1, {n_in})")
            self._cache[key] = (params, layers)
        return self._cache[key]

    def sized(self, n_in, n_hidden, n_out):
        """(template, layers) of the learner's MLP(n_hidden, n_out) for n_in features."""
        key = ("sized", n_in, n_hidden, n_out)
        if key not in self._cache:
            params = self.ctx.sub.probe("init_sized", function="MLP", key=self.ctx.random_arg(0),
                                        n_in=n_in, n_hidden=n_hidden, n_out=n_out)
            layers = find_layers(params, n_in, n_hidden, n_out,
                                 f"the parameters of MLP({n_hidden}, {n_out}) for {n_in} inputs")
            self._cache[key] = (params, layers)
        return self._cache[key]

    def learner_params(self, w1, b1, w2, b2):
        """The learner's default-model tree holding these arrays."""
        template, layers = self.default(w1.shape[0])
        return with_layers(template, layers, (w1, b1, w2, b2))

    def reference(self, n_in):
        """(template, layers) of the reference model's tree, built in the grader."""
        key = ("reference", n_in)
        if key not in self._cache:
            seed = self.ctx.fixed_seed(0)  # only its structure is used, never its values
            params = self.ctx.reference_value("model.init", lambda: self._reference_init(n_in, seed),
                                              n_in, seed)
            self._cache[key] = (params, find_layers(params, n_in, DEFAULT_HIDDEN, DEFAULT_OUT))
        return self._cache[key]

    def _reference_init(self, n_in, seed):
        import jax  # here: a kept value needs no JAX in the grader

        from autograder.grading.context import to_numpy

        return to_numpy(self.ctx.ref.model.init(jax.random.PRNGKey(seed),
                                                np.zeros((1, n_in), np.float32)))

    def reference_params(self, w1, b1, w2, b2):
        template, layers = self.reference(w1.shape[0])
        return with_layers(template, layers, (w1, b1, w2, b2))

    def reference_arrays(self, params, n_in):
        return read_layers(params, self.reference(n_in)[1])


def learner_arrays(params, n_in, what, n_hidden=DEFAULT_HIDDEN, n_out=DEFAULT_OUT):
    """(w1, b1, w2, b2) of a parameter tree the learner returned."""
    return read_layers(params, find_layers(params, n_in, n_hidden, n_out, what))


def expect_layers_close(got, expected, n_in, what, kind="equivalence"):
    """Learner's tree `got` against expected arrays (w1, b1, w2, b2), layer by layer."""
    arrays = learner_arrays(got, n_in, what)
    for name, g, e in zip(LAYER_NAMES, arrays, expected):
        expect_close(g, e, f"{name} of {what}", kind)


# ------------------------------------------------------------ strategies

@st.composite
def sized_networks(draw, dtype=np.float32, bound=1.0):
    """Layer arrays in Haiku's layout and a batch, for any of the network shapes."""
    n_in, n_hidden, n_out, m = draw(st.sampled_from(S.NETWORK_SHAPES))
    case = {name: draw(S.float_arrays(shape, dtype, bound))
            for name, shape in layer_shapes(n_in, n_hidden, n_out).items()}
    case["X"] = draw(S.float_arrays((m, n_in), dtype, bound))
    case["Y"] = draw(S.labels(m, n_out))
    return case


@st.composite
def default_networks(draw, dtype=np.float32, bound=1.0):
    """Layer arrays of the default 10-hidden, 10-class model with any n_in, and a batch."""
    n_in, m = draw(st.sampled_from(DEFAULT_MODEL_SHAPES))
    case = {name: draw(S.float_arrays(shape, dtype, bound))
            for name, shape in layer_shapes(n_in, DEFAULT_HIDDEN, DEFAULT_OUT).items()}
    case["X"] = draw(S.float_arrays((m, n_in), dtype, bound))
    case["Y"] = draw(S.labels(m, DEFAULT_OUT))
    return case


# ------------------------------------------------------------ checks shared by stages 7 and 8

def check_module_structure(ctx):
    """Check that MLP subclasses hk.Module and that model.apply takes (params, x), no rng."""
    facts = ctx.sub.probe("module_facts", function="MLP")
    if not facts["mlp_is_module"]:
        raise CheckFailed("MLP is not a subclass of hk.Module",
                          advice="write `class MLP(hk.Module):` and call "
                          "super().__init__(name=name) first")
    if not facts["model_has_init_apply"]:
        raise CheckFailed(f"model is a {facts['model_type']}, which has no init and apply",
                          advice="model = hk.without_apply_rng(hk.transform(forward_fn))")
    X = np.linspace(-1, 1, 12, dtype=ctx.dtype).reshape(2, 6)
    params = ctx.sub.probe("model_init", function="model.init", key=ctx.random_arg(0), X=X)
    try:
        out = ctx.sub.probe("model_apply", function="model.apply", params=params, X=X)
    except LearnerError as exc:
        if "rng" not in exc.reason.lower():
            raise
        raise CheckFailed(f"model.apply(params, X) failed: {exc.reason}",
                          advice="hk.transform(forward_fn).apply expects (params, rng, x); wrap it in "
                          "hk.without_apply_rng so that apply takes (params, x)") from None
    expect_shape(out, (2, DEFAULT_OUT), "model.apply(params, X) for X of shape (2, 6)")


def check_init_param_shapes(ctx):
    """Check that MLP(n_hidden, n_out) creates two float32 linear layers of the right shapes."""
    trees = Trees(ctx)
    for n_in, n_hidden, n_out, _m in S.NETWORK_SHAPES:
        try:
            template, layers = trees.sized(n_in, n_hidden, n_out)
        except CheckFailed as exc:
            exc.inputs = {"n_in": n_in, "n_hidden": n_hidden, "n_out": n_out}
            raise
        for name, array in zip(LAYER_NAMES, read_layers(template, layers)):
            if array.dtype != np.float32:
                raise CheckFailed(f"{name} of MLP({n_hidden}, {n_out}) has dtype {array.dtype}, "
                                  "expected float32")
    trees.default(6)  # the default model: 10 hidden units, 10 classes


def check_apply_reference(ctx):
    """Check that apply gives relu(x @ w1 + b1) @ w2 + b2 for given parameters and any sizes."""
    trees = Trees(ctx)

    def prop(w1, b1, w2, b2, X, Y):
        n_in, n_hidden, n_out = w1.shape[0], w1.shape[1], w2.shape[1]
        template, layers = trees.sized(n_in, n_hidden, n_out)
        params = with_layers(template, layers, (w1, b1, w2, b2))
        got = ctx.sub.probe("apply_sized", function="MLP", n_hidden=n_hidden, n_out=n_out,
                            params=params, X=X)
        expected = logits(w1, b1, w2, b2, X)
        explain_apply(got, expected, logits_without_relu(w1, b1, w2, b2, X))
        expect_close(got, expected, f"MLP({n_hidden}, {n_out}) applied to X")
    ctx.forall(sized_networks(ctx.dtype), prop, examples=12)


def check_apply_returns_logits(ctx):
    """Check that apply returns logits: no softmax or log-softmax after the last layer."""
    rng = np.random.default_rng(7)
    n_in, m = 3, 4
    # Positive inputs, weights and biases make every hidden unit active, so a
    # missing ReLU cannot matter here: only what follows the last layer can.
    w1 = rng.uniform(0.1, 1, (n_in, DEFAULT_HIDDEN)).astype(ctx.dtype)
    b1 = rng.uniform(0.1, 1, DEFAULT_HIDDEN).astype(ctx.dtype)
    w2 = rng.uniform(-3, 3, (DEFAULT_HIDDEN, DEFAULT_OUT)).astype(ctx.dtype)
    b2 = rng.uniform(-3, 3, DEFAULT_OUT).astype(ctx.dtype)
    X = rng.uniform(0, 1, (m, n_in)).astype(ctx.dtype)
    params = Trees(ctx).learner_params(w1, b1, w2, b2)
    got = ctx.sub.probe("model_apply", function="model.apply", params=params, X=X)
    expected = logits(w1, b1, w2, b2, X)
    got = expect_shape(got, expected.shape, "model.apply(params, X)").astype(np.float64)
    shifted = expected - expected.max(axis=1, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    if np.allclose(got, np.exp(log_softmax), rtol=1e-3, atol=1e-5):
        raise CheckFailed("model.apply returns probabilities (softmax of the logits)",
                          advice="the network's output is the logits; the loss applies log_softmax itself")
    if np.allclose(got, log_softmax, rtol=1e-3, atol=1e-4):
        raise CheckFailed("model.apply returns log-probabilities (log_softmax of the logits)",
                          advice="return the logits; the loss applies log_softmax itself")
    try:
        expect_close(got.astype(np.float32), expected, "model.apply(params, X)")
    except CheckFailed as exc:
        exc.inputs = {"X": X}
        raise


def check_loss_fn_reference(ctx):
    """Check that loss_fn is the mean cross-entropy of the logits over the batch."""
    trees = Trees(ctx)

    def loss(w1, b1, w2, b2, X, Y):
        """(the learner's loss, the mean cross-entropy) of the network on (X, Y)."""
        got = ctx.sub.call("loss_fn", trees.learner_params(w1, b1, w2, b2), X, Y)
        expected = mean_cross_entropy(logits(w1, b1, w2, b2, X), Y)
        return _scalar(got, "loss_fn(params, X, Y)"), expected

    def prop(w1, b1, w2, b2, X, Y):
        got, expected = loss(w1, b1, w2, b2, X, Y)
        scales.expect_unscaled(got, expected, "loss_fn", len(X),
                               {"n_in": X.shape[1], "n_out": w2.shape[1]}, "the mean cross-entropy")
        expect_close(np.float32(got), np.float64(expected), "loss_fn(params, X, Y)")

    def factor(case, m):
        layers = [case[name] for name in LAYER_NAMES]
        X, Y = scales.new_batch(case["X"].shape[1], m, layers[2].shape[1], ctx.dtype, "rows")
        return scales.factor_of(*loss(*layers, X, Y))
    scales.forall_naming_scale(ctx, default_networks(ctx.dtype), prop, factor, examples=6)


def _scalar(got, what):
    array = as_array(got, what)
    if array.size != 1:
        raise CheckFailed(f"{what} has shape {array.shape}, expected one number")
    return float(array.reshape(()))


def check_loss_fn_large_logits(ctx):
    """Check that loss_fn stays finite and correct for logits as large as 1e3."""
    trees = Trees(ctx)
    case = large_logit_case(ctx.dtype)
    arrays = [case[n] for n in LAYER_NAMES]
    try:
        got = ctx.sub.call("loss_fn", trees.learner_params(*arrays), case["X"], case["Y"])
        got = _scalar(got, "loss_fn for logits of 1e3")
        if not np.isfinite(got):
            raise CheckFailed(f"loss_fn returned {got} for logits of 1e3",
                              advice="a probability that underflows to 0 gives log(0) = -inf: compute "
                              "log-probabilities directly, with jax.nn.log_softmax")
        expected = mean_cross_entropy(logits(*arrays, case["X"]), case["Y"])
        expect_close(got, np.float64(expected), "loss_fn for logits of 1e3")
    except CheckFailed as exc:
        exc.inputs = case
        raise
