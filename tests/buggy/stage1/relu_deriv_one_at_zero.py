"""relu_deriv uses Z >= 0, giving slope 1 at the kink Z == 0 (dead units then
still receive gradient)."""
EXPECT_FAIL = ["relu_deriv"]
FOCUS = "relu_deriv"


def relu_deriv(Z):
    return (Z >= 0).astype(float)
