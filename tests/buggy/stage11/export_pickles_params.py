"""The "export" pickles the params, and load_predict unpickles them and calls this file's
predict: nothing runs without the Python that made it."""
import pickle

EXPECT_FAIL = ["export_predict_blob", "load_predict_grader_blob"]
FOCUS = "export_predict"


def export_predict(params):
    return pickle.dumps({name: np.asarray(value) for name, value in params.items()})


def load_predict(blob):
    params = pickle.loads(blob)
    return lambda X: predict(params, X)
