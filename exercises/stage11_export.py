"""Stage 11: ship it, the trained network outside Python and JAX.

The network and its params dict are stage 6's ({"W1", "b1", "W2", "b2"}, row
layout: X is (m, n_in), one row per example). Training is done; this stage
hands the trained network to programs that never saw this file, twice:

- jax.export turns the jitted predict function, params baked in, into
  serialized StableHLO: bytes that jax.export.deserialize brings back to life
  in another process, on a CPU or a GPU, for any batch size.
- jax2onnx converts the function of the class probabilities into an ONNX
  file, which onnxruntime runs without JAX at all.

The grader runs what you export in a separate process that never imports this
file, so an artifact passes on what it holds, not on Python left behind. When it
calls export_onnx it has loaded jax2onnx's converters for JAX's own operations
only (jax.numpy, jax.nn, lax), all this network needs; those for Flax or
Equinox layers are not loaded there. In your own process the first conversion
takes 10-20 s: jax2onnx loads all of its converters once.
"""
import jax
import jax.numpy as jnp
import numpy as np
import onnx
import onnxruntime as ort
from jax import export
from jax2onnx import to_onnx

# Lowering for CUDA needs no GPU: a program exported on a laptop also runs on a GPU machine.
PLATFORMS = ("cpu", "cuda")


@jax.jit
def predict(params, X):
    """Class index (m,) int32 of each row of X (m, n_in): stage 6's network, then argmax."""
    # TODO: (m,) integer classes for X (m, n_in): the relu hidden layer, the output layer's logits
    #       (m, n_out), then the position of each row's largest logit. Row layout: W is (out, in).
    raise NotImplementedError("stage 11: predict")


def export_predict(params):
    """bytes: predict with `params` baked in, exported for X float32 (b, n_in) with any batch b."""
    # TODO: Serialize, with jax.export, a jitted function of X alone (the params become constants),
    #       exported for PLATFORMS on a float32 (b, n_in) input whose batch size b is symbolic.
    raise NotImplementedError("stage 11: export_predict")


def load_predict(blob):
    """A function X -> class indices, rebuilt from export_predict's bytes alone."""
    # TODO: Rebuild the exported program from the bytes with jax.export and return a function of X
    #       that runs it: everything it needs is in the blob, nothing comes from this file.
    raise NotImplementedError("stage 11: load_predict")


def export_onnx(params, path):
    """Write to `path` one ONNX file: class probabilities (b, n_out) of X float32 (b, n_in)."""
    # TODO: Convert a function of X alone (params fixed) that returns each row's class probabilities
    #       with jax2onnx, the batch dimension named rather than fixed, and save it as one file.
    raise NotImplementedError("stage 11: export_onnx")


def onnx_predict(path, X):
    """Class indices (m,) of the rows of X (m, n_in), computed by onnxruntime from `path`."""
    # TODO: Open the file in an onnxruntime session, feed X as float32 under the model's own input
    #       name, and turn the probabilities (m, n_out) it returns into one class per row.
    raise NotImplementedError("stage 11: onnx_predict")
