"""relu_deriv uses Z >= 0: slope 1 at the kink Z == 0."""
EXPECT_FAIL = ["relu_deriv"]
FOCUS = "relu_deriv"


def relu_deriv(Z):
    return (Z >= 0).astype(jnp.float32)
