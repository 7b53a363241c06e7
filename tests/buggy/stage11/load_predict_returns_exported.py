"""load_predict returns the deserialized Exported object, which cannot be called on X."""
EXPECT_FAIL = ["load_predict_grader_blob"]
FOCUS = "load_predict"


def load_predict(blob):
    return export.deserialize(blob)
