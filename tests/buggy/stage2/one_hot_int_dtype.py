"""one_hot returns the comparison as int32 (astype(jnp.int32)) instead of float32."""
EXPECT_FAIL = ["one_hot"]
FOCUS = "one_hot"


def one_hot(Y, num_classes=10):
    return (jnp.arange(num_classes)[:, None] == Y[None, :]).astype(jnp.int32)
