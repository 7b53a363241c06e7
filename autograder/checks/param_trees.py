"""Parameter trees of the module stages (Haiku 7-8, Flax 9): find the two layers, formulas in float64.

The contract leaves the names of parameters free (Haiku: "mlp/linear" ->
{"w", "b"}; Flax: whatever the module calls its attributes), so the checks
never assume them: they find the two linear layers in a tree by shape (and by
order where shapes tie), read or replace their arrays, and compare with
NumPy formulas or with the reference run on the same numbers.
"""
import numpy as np

from autograder.grading.failures import CheckFailed

LAYER_NAMES = ("w1", "b1", "w2", "b2")
DEFAULT_HIDDEN, DEFAULT_OUT = 10, 10  # the default model of the module stages


# ------------------------------------------------------------ finding the layers

def flatten(tree, prefix=()):
    """[(path, leaf)] of a nested dict, in the dict's own order."""
    if isinstance(tree, dict) and "__opaque__" not in tree:
        return [item for key, value in tree.items() for item in flatten(value, prefix + (key,))]
    return [(prefix, tree)]


def replace_leaves(tree, new_leaves):
    """A copy of `tree` with the leaves at the paths of `new_leaves` ({path: array}) replaced."""
    def rebuild(node, prefix):
        if isinstance(node, dict) and "__opaque__" not in node:
            return {key: rebuild(value, prefix + (key,)) for key, value in node.items()}
        return new_leaves.get(prefix, node)
    return rebuild(tree, ())


def layer_shapes(n_in, n_hidden, n_out):
    """Haiku's layouts: w is (inputs, outputs), b is (outputs,)."""
    return {"w1": (n_in, n_hidden), "b1": (n_hidden,), "w2": (n_hidden, n_out), "b2": (n_out,)}


def _describe_tree(tree):
    leaves = flatten(tree)
    return ", ".join(f"{'/'.join(map(str, path)) or '(root)'} {np.shape(leaf)}"
                     for path, leaf in leaves[:8]) + (" ..." if len(leaves) > 8 else "")


def find_layers(params, n_in, n_hidden, n_out, what="the parameters"):
    """{"w1": path, "b1": path, "w2": path, "b2": path} of the two linear layers in `params`.

    Weights are matched by shape, and by order when both have the same shape;
    each bias goes with the weight it shares a module with when sizes tie.
    """
    shapes = layer_shapes(n_in, n_hidden, n_out)
    if not isinstance(params, dict):
        kind = params.get("__opaque__") if isinstance(params, dict) else type(params).__name__
        raise CheckFailed(f"{what} should be Haiku's dict of modules, got {kind}")
    leaves = flatten(params)
    arrays = [(path, leaf) for path, leaf in leaves
              if isinstance(leaf, np.ndarray) and np.issubdtype(leaf.dtype, np.number)]
    weights = [(p, a) for p, a in arrays if a.ndim == 2]
    biases = [(p, a) for p, a in arrays if a.ndim == 1]
    expected = (f"expected exactly two linear layers: weights {shapes['w1']} and {shapes['w2']}, "
                f"biases {shapes['b1']} and {shapes['b2']} (n_in={n_in}, n_hidden={n_hidden}, "
                f"n_out={n_out})")
    found = f"{what}: {_describe_tree(params)}"
    if len(arrays) != len(leaves) or len(weights) != 2 or len(biases) != 2:
        raise CheckFailed(f"{what} do not hold two linear layers", f"{expected}; {found}")
    layers = _match_weights(weights, shapes)
    if layers is None:
        raise CheckFailed(f"{what} have the wrong layer shapes", f"{expected}; {found}")
    matched = _match_biases(biases, layers, shapes)
    if matched is None:
        raise CheckFailed(f"{what} have the wrong bias shapes", f"{expected}; {found}")
    return matched


def _match_weights(weights, shapes):
    (p1, a1), (p2, a2) = weights
    for (first, x), (second, y) in (((p1, a1), (p2, a2)), ((p2, a2), (p1, a1))):
        if x.shape == shapes["w1"] and y.shape == shapes["w2"]:
            return {"w1": first, "w2": second}
    return None


def _match_biases(biases, layers, shapes):
    (p1, a1), (p2, a2) = biases
    options = [(p1, p2), (p2, p1)]
    # Where the sizes tie, prefer the pairing that keeps each bias in its weight's module.
    module = lambda path: path[:-1]
    options.sort(key=lambda pair: (module(pair[0]) != module(layers["w1"]))
                 + (module(pair[1]) != module(layers["w2"])))
    by_path = {p1: a1, p2: a2}
    for first, second in options:
        if by_path[first].shape == shapes["b1"] and by_path[second].shape == shapes["b2"]:
            return {**layers, "b1": first, "b2": second}
    return None


def read_layers(params, layers):
    """(w1, b1, w2, b2) arrays from the paths found by find_layers."""
    leaves = dict(flatten(params))
    return tuple(leaves[layers[name]] for name in LAYER_NAMES)


def with_layers(template, layers, arrays):
    """`template` with the four layer arrays replaced by `arrays` (w1, b1, w2, b2)."""
    return replace_leaves(template, {layers[name]: a for name, a in zip(LAYER_NAMES, arrays)})


# ------------------------------------------------------------ formulas (float64)

def logits(w1, b1, w2, b2, X):
    """relu(X @ w1 + b1) @ w2 + b2 in float64."""
    f = lambda a: np.asarray(a, np.float64)
    return np.maximum(f(X) @ f(w1) + f(b1), 0) @ f(w2) + f(b2)


def logits_without_relu(w1, b1, w2, b2, X):
    f = lambda a: np.asarray(a, np.float64)
    return (f(X) @ f(w1) + f(b1)) @ f(w2) + f(b2)


def mean_cross_entropy(Z, Y):
    """Mean cross-entropy of (m, n_out) logits against labels, in float64."""
    top = Z.max(axis=1, keepdims=True)
    log_probs = Z - top - np.log(np.exp(Z - top).sum(axis=1, keepdims=True))
    return float(-np.mean(log_probs[np.arange(Y.size), Y]))


def large_logit_case(dtype=np.float32, seed=5, n_in=3, m=4, scale=1000.0,
                     n_hidden=DEFAULT_HIDDEN, n_out=DEFAULT_OUT):
    """A network (default size unless told) whose logits reach `scale` in magnitude."""
    rng = np.random.default_rng(seed)
    w1 = rng.uniform(-1, 1, (n_in, n_hidden))
    b1 = rng.uniform(-1, 1, n_hidden)
    w2 = rng.uniform(-1, 1, (n_hidden, n_out))
    b2 = rng.uniform(-1, 1, n_out)
    X = rng.uniform(-1, 1, (m, n_in))
    factor = scale / np.abs(logits(w1, b1, w2, b2, X)).max()
    case = {"w1": w1, "b1": b1, "w2": w2 * factor, "b2": b2 * factor, "X": X}
    case = {k: v.astype(dtype) for k, v in case.items()}
    case["Y"] = rng.integers(0, n_out, m).astype(np.int32)
    return case


# ------------------------------------------------------------ what a wrong output shows

def explain_apply(got, expected, linear):
    got = np.asarray(got, np.float64) if isinstance(got, np.ndarray) else got
    if not isinstance(got, np.ndarray) or got.shape != expected.shape:
        return
    close = lambda a, b: np.allclose(a, b, rtol=2e-4, atol=2e-5)
    if not close(linear, expected) and close(got, linear):
        raise CheckFailed("the output is Linear -> Linear: the ReLU between the layers is missing",
                          advice="apply jax.nn.relu to the first layer's output before the second layer")
    if (expected < -1e-3).any() and close(got, np.maximum(expected, 0)):
        raise CheckFailed("the output is never negative: a ReLU follows the last layer too",
                          advice="only the hidden layer goes through the ReLU; logits may be negative")
    sums_to_one = lambda Z: close(Z.sum(axis=1), 1.0)
    if expected.shape[1] > 1 and sums_to_one(got) and not sums_to_one(expected):
        raise CheckFailed("the rows of the output sum to 1: MLP returns probabilities, not logits",
                          advice="return the second layer's output as it is; the softmax belongs in "
                          "the loss")
