"""Length-prefixed pickle messages between the grader and its worker process.

The grader trusts what it sends, but not what comes back: replies are read
with an unpickler that only rebuilds plain containers and NumPy arrays, so a
submission cannot make the grader run code by forging a reply.
"""
import io
import pickle
import struct

HEADER = struct.Struct(">Q")
MAX_REPLY_BYTES = 512 * 2**20

_SAFE_GLOBALS = {
    ("numpy", "dtype"),
    ("numpy", "ndarray"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "scalar"),
    ("numpy._core.numeric", "_frombuffer"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"),
    ("numpy.core.numeric", "_frombuffer"),
    ("builtins", "complex"),
    ("builtins", "slice"),
    ("builtins", "frozenset"),
    ("builtins", "set"),
}


class UnsafeReply(pickle.UnpicklingError):
    """A reply referenced something other than plain data."""


class _PlainDataUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in _SAFE_GLOBALS or module.startswith("numpy.dtypes"):
            return super().find_class(module, name)
        raise UnsafeReply(f"reply refers to {module}.{name}")


def encode(obj):
    """Frame `obj` as header + pickle bytes."""
    payload = pickle.dumps(obj, protocol=5)
    return HEADER.pack(len(payload)) + payload


def decode_trusted(payload):
    """Unpickle a message from the grader (worker side)."""
    return pickle.loads(payload)


def decode_untrusted(payload):
    """Unpickle a reply from the worker, allowing plain data only."""
    return _PlainDataUnpickler(io.BytesIO(payload)).load()


def read_message(stream):
    """Read one framed message from a blocking binary stream (worker side)."""
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        raise EOFError("grader closed the pipe")
    (size,) = HEADER.unpack(header)
    return decode_trusted(stream.read(size))
