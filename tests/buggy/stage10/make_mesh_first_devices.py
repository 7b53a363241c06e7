"""make_mesh calls jax.make_mesh without devices=: its mesh has as many devices as it is
given, but always the first ones JAX lists, not those.

Given the first 1, 2 or 8 devices, as every other check gives them, the mesh is right;
given the last two, it is not.
"""
EXPECT_FAIL = ["make_mesh"]
FOCUS = "make_mesh"


def make_mesh(devices=None):
    devices = jax.devices() if devices is None else devices
    return jax.make_mesh((len(devices),), ("data",), axis_types=(jax.sharding.AxisType.Auto,))
