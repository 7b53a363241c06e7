"""split_model splits out the parameters and the rest separately, which gives three parts
where (graphdef, state) was asked for."""
EXPECT_FAIL = ["split_model"]
FOCUS = "split_model"


def split_model(model):
    return nnx.split(model, nnx.Param, ...)
