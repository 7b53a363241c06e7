"""Plain-language explanations of errors raised by a submission."""

# Exception type -> what to try. Stages add JAX-specific advice here.
ADVICE = {
    "NameError": "a name is used before it is defined, or a helper is missing from this file",
    "ModuleNotFoundError": "a stage file may import only the standard library, numpy, jax, haiku and optax",
    "ImportError": "a stage file may import only the standard library, numpy, jax, haiku and optax",
    "FileNotFoundError": "your file reads a file when imported: move such code under "
                         "`if __name__ == \"__main__\":`",
    "SystemExit": "your code called sys.exit(); return a value instead",
    "IndexError": "check the axis you index: examples are columns in stages 1, 2 and 4, rows in 3 and 5-8",
    "MemoryError": "an intermediate array is far larger than it should be: check its shape",
    "RecursionError": "a function calls itself without end",
    "TracerBoolConversionError": "a Python `if` on a traced array cannot be compiled: use "
                                 "jnp.where or lax.cond (JAX docs: 'JIT mechanics', control flow)",
    "ConcretizationTypeError": "a traced value was used where JAX needs a fixed Python value "
                               "(a shape, a size, a loop bound, float() or int()): mark a size "
                               "argument static with static_argnames, or return the array and "
                               "convert it outside the jitted function (JAX docs: "
                               "'Just-in-time compilation')",
    "TracerArrayConversionError": "a NumPy function was called on a traced array: use the jnp "
                                  "version instead (JAX docs: 'Just-in-time compilation')",
    "TracerIntegerConversionError": "int() or indexing with a traced value: use jnp operations or "
                                    "make the argument static (JAX docs: 'Just-in-time compilation')",
    "UnexpectedTracerError": "a traced value escaped its function, often through a global or a "
                             "side effect: keep jitted functions pure (JAX docs: 'Stateful computations')",
    "NonConcreteBooleanIndexError": "x[mask] with a traced boolean mask has a size that depends on "
                                    "the values, which jit cannot compile: keep the shape with "
                                    "jnp.where(mask, x, 0) (JAX docs: '🔪 JAX - The Sharp Bits 🔪')",
    "ShardingTypeError": "on a mesh with Explicit axes (jax.make_mesh's default) JAX must know "
                         "the sharding of every result and refuses ambiguous ones, such as "
                         "indexing a split batch with index arrays: build the mesh with the Auto "
                         "axis type, or compute it another way (one-hot labels, "
                         "jnp.take_along_axis) (JAX docs: 'Explicit sharding')",
}


def _location(error, file_name=None):
    frames = error.get("frames") or []
    if not frames:
        return ""
    line, _function, text = frames[-1]
    where = f"{file_name} line {line}" if file_name else f"line {line}"
    return f" ({where}: `{text}`)" if text else f" ({where})"


def _first_line(message):
    lines = [line for line in message.splitlines() if line.strip()]
    return lines[0][:300] if lines else ""


# Lines of JAX's errors that say nothing about the learner's code.
_BOILERPLATE = ("For simplicity, JAX has removed", "The stack trace below excludes",
                "The preceding stack trace", "-----", "See https://")


def _message(message, most=8):
    """An exception's message: its first line, plus the lines after it (a JAX error lists
    the offending arguments there), without JAX's boilerplate."""
    lines = [line.rstrip()[:300] for line in message.splitlines()
             if line.strip() and not line.strip().startswith(_BOILERPLATE)]
    if len(lines) > most:
        lines = lines[:most] + ["..."]
    return "\n".join(lines)


def explain_error(function, error):
    """What the learner's function raised, where, and what to try (JAX's lines kept)."""
    message = f"`{function}` raised {error['type']}{_location(error)}"
    text = _message(error["message"])
    if text:
        message += f": {text}"
    tip = ADVICE.get(error["type"])
    return message + (f"\nTry: {tip}" if tip else "")


def _syntax_error(file_name, error):
    """The line Python could not read, a caret under the place, and Python's words."""
    syntax = error["syntax"]
    text = syntax["text"]
    stripped = text.lstrip()
    lines = [f"{error['type']} in {file_name} line {syntax['line']}: {syntax['message']}"]
    if stripped:
        lines.append(f"    {stripped}")
        if syntax["offset"]:
            column = max(0, syntax["offset"] - 1 - (len(text) - len(stripped)))
            lines.append("    " + " " * min(column, len(stripped)) + "^")
    return "\n".join(lines)


def explain_import_error(file_name, error):
    """Why the stage file could not be imported: one line, or the line and a caret."""
    if error.get("syntax"):
        return _syntax_error(file_name, error)
    message = f"importing {file_name} raised {error['type']}: {_first_line(error['message'])}"
    message += _location(error, file_name)
    tip = ADVICE.get(error["type"])
    return message + (f". Try: {tip}" if tip else "")
