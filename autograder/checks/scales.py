"""Results that are the reference's times one factor, and the law that factor follows.

A gradient twice too large on a batch of one example may come from a constant
2 in the maths or from a wrong number of examples: one batch cannot tell them
apart. So a check that meets a factor raises `Scaled`; once Hypothesis has
found the smallest such input, `forall_naming_scale` measures the factor again
on the same network with another batch size and names only the law the two
measurements show: a constant, a sum where a mean belongs, a division by a
fixed count, a mean over the classes too.
"""
import numpy as np

from autograder.grading.failures import Abort, CheckFailed, LearnerError
from autograder.grading.reference import Unrecorded

# Below this size (the largest expected entry) a factor is rounding noise.
SMALLEST_SCALE = 1e-4


def _flat(values):
    """Every array of `values` (one array or a tuple of them) as one float64 vector."""
    values = values if isinstance(values, (tuple, list)) else (values,)
    return np.concatenate([np.asarray(v, np.float64).ravel() for v in values])


def _nice(k):
    """True when k or 1/k is a whole number: a scalar ratio worth naming."""
    whole = lambda x: abs(x) >= 1 and abs(x - round(x)) < 1e-3 * abs(x)  # noqa: E731
    return k != 0 and (whole(k) or whole(1 / k))


def factor_of(got, expected):
    """The one factor k != 1 with got == k * expected for every entry, or None.

    A single number always has a ratio to another: for one it counts only when
    the ratio is whole or one over a whole number.
    """
    try:
        g, e = _flat(got), _flat(expected)
    except (TypeError, ValueError):
        return None
    if g.shape != e.shape or np.abs(e).max(initial=0) < SMALLEST_SCALE or not g.any():
        return None
    if not np.isfinite(g).all():
        return None
    k = float(g @ e / (e @ e))
    if abs(k - 1) <= 0.01 or not np.allclose(g, k * e, rtol=1e-3, atol=1e-6):
        return None
    return k if g.size > 1 or _nice(k) else None


def ratio_words(k):
    """'2 times', '1/10 of', '0.3 times': how k reads before 'the correct ones'."""
    if abs(k) < 1 and _nice(k):
        return f"1/{round(1 / k)} of"
    return f"{k:.4g} times"


def _short(k):
    """'2 times', '1/10', '0.3 times': how k reads after 'and'."""
    return ratio_words(k).removesuffix(" of")


def _examples(m):
    return f"{m} example" + ("" if m == 1 else "s")


class Scaled(CheckFailed):
    """`what` is the reference's times one factor on a batch of `m` examples.

    `sizes` holds the network's n_in and n_out, which a factor may come from.
    """

    def __init__(self, what, factor, m, sizes, against="the correct ones"):
        self.plural = not what.startswith("loss")
        super().__init__(f"{what} {'are' if self.plural else 'is'} {ratio_words(factor)} "
                         f"{against}", f"on this batch of {_examples(m)}")
        self.factor, self.m, self.sizes = factor, m, sizes

    def name_law(self, other_m, other_factor):
        """Add what the factor on `other_m` examples shows to the reason, and its idea."""
        if other_factor is None:
            return
        law, idea = describe_law(self.factor, self.m, other_factor, other_m, self.sizes,
                                 self.plural)
        self.reason += law
        self.idea = idea
        self.detail = (f"the factor is {self.factor:.4g} on this batch of {_examples(self.m)} "
                       f"and {other_factor:.4g} on a batch of {_examples(other_m)} of the same "
                       "network")


def expect_unscaled(got, expected, what, m, sizes, against="the correct ones"):
    """Raise Scaled when `got` is `expected` times one factor other than 1."""
    k = factor_of(got, expected)
    if k is not None:
        raise Scaled(what, k, m, sizes, against)


def describe_law(k, m, k2, m2, sizes, plural=True):
    """(the words that follow the factor k on m examples, given k2 on m2; the idea that fits).

    The words name the law the two factors follow, and only that.
    """
    n_in, n_out = sizes.get("n_in"), sizes.get("n_out")
    grow = "they grow" if plural else "it grows"
    if np.isclose(k2, k, rtol=1e-3):
        alike = f" on batches of {m} and {m2} examples alike"
        if n_out and n_out > 1 and np.isclose(k * n_out, 1, rtol=1e-3):
            return (f"{alike}, and {n_out} is the number of classes: a mean over the classes "
                    "as well as the examples"), "classes_scale"
        return f"{alike}: a constant factor, not the number of examples", "constant_factor"
    both = f" on {_examples(m)} and {_short(k2)} on {m2}"
    if np.isclose(k2 / k, m2 / m, rtol=1e-3):
        fixed = m / k  # the count that divides the sum
        if np.isclose(fixed, 1, rtol=1e-3):
            return (f"{both}: {grow} with the batch, a sum over the examples where the mean "
                    "belongs"), "batch_scale"
        named = f" ({n_in} is X's number of features)" if n_in and np.isclose(fixed, n_in) else ""
        return (f"{both}: {grow} with the batch, as if divided by a fixed {fixed:.6g} instead "
                f"of the number of examples{named}"), "batch_scale"
    if np.isclose(k2 / k, m / m2, rtol=1e-3) and np.isclose(k * m, 1, rtol=1e-3):
        return f"{both}: divided by the number of examples twice", "batch_scale"
    return both, None


def other_batch_size(m):
    """A batch size other than `m`, to measure a factor again."""
    return 5 if m != 5 else 3


def forall_naming_scale(ctx, strategy, prop, measure, other_size=other_batch_size, **options):
    """ctx.forall(strategy, prop, **options); a Scaled failure is measured again and named.

    `measure(case, m)` returns the factor of the same network on a new batch of
    m = other_size(the failing batch's size) examples (None if it shows none);
    whatever it meets on the way (an error of the learner's code, an input a
    release did not record) leaves the failure as it is. A check run for the
    score alone (ctx.shrink False) shows no reason: nothing is measured again.
    """
    try:
        ctx.forall(strategy, prop, **options)
    except Scaled as exc:
        if not ctx.shrink:  # a blocked check run for the score alone: no reason is shown
            raise
        other = other_size(exc.m)
        try:
            factor = measure(exc.inputs, other)
        except (CheckFailed, LearnerError, Unrecorded, Abort):
            factor = None
        exc.name_law(other, factor)
        raise


def new_batch(n_in, m, n_out, dtype, layout, seed=41):
    """A fixed batch (X, Y) of m examples with n_in features and labels below n_out."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2, 2, (n_in, m) if layout == "columns" else (m, n_in)).astype(dtype)
    return X, rng.integers(0, n_out, m).astype(np.int32)
