"""hk.transform without hk.without_apply_rng: apply then expects (params, rng, x)."""
EXPECT_FAIL = ["module_structure"]
FOCUS = "model"

model = hk.transform(forward_fn)
