"""The worker calls a learner's pure function as one compiled program only where that changes
nothing but speed: a function that leaks a tracer into a global or an object, or returns a
constant of the trace, is called as it is, from then on. Checked in a fresh interpreter that
freezes the garbage collector's view as the worker does before it serves calls (JAX's leak
check relies on a collection)."""
import json
import subprocess
import sys
import textwrap

from autograder.metadata import REPO_ROOT

SCRIPT = textwrap.dedent("""
    import gc, json
    import jax.numpy as jnp
    import numpy as np
    from autograder.worker import probes

    probes.FRAMEWORK = "jax"
    SAVED = []

    class Holder:
        pass

    HOLDER = Holder()

    def leaks_into_a_list(x):
        SAVED.append(x * 2)
        return x + 1

    def leaks_into_an_object(x):
        HOLDER.value = x
        return x * 3

    def returns_a_numpy_constant(x):
        return np.ones(3, np.float32)

    def pure(x):
        return jnp.sin(x) * 2

    gc.freeze()
    found = {}
    for function in (leaks_into_a_list, leaks_into_an_object, returns_a_numpy_constant, pure):
        value = probes._as_one_program(function.__name__, function, (jnp.ones(3),))
        found[function.__name__] = {"compiled": function.__name__ not in probes._NOT_COMPILED,
                                    "value": np.asarray(value).tolist()}
    found["kept concrete values"] = all(type(v).__name__ == "ArrayImpl"
                                        for v in (SAVED[-1], HOLDER.value))
    print(json.dumps(found))
""")


def test_only_functions_that_trace_as_they_run_are_compiled():
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=300, check=True)
    found = json.loads(done.stdout.splitlines()[-1])
    assert not found["leaks_into_a_list"]["compiled"]
    assert not found["leaks_into_an_object"]["compiled"]
    assert not found["returns_a_numpy_constant"]["compiled"]
    assert found["pure"]["compiled"]
    assert found["kept concrete values"]
    assert found["leaks_into_a_list"]["value"] == [2.0, 2.0, 2.0]
    assert found["returns_a_numpy_constant"]["value"] == [1.0, 1.0, 1.0]
