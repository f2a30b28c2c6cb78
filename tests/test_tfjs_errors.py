"""generator.tfjs refuses what it cannot convert: one message naming the layer, its class and what is supported."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
keras = pytest.importorskip("keras")
from keras import layers  # noqa: E402

from generator.errors import ExportError  # noqa: E402
from generator.tfjs import MODEL_FILE, SUPPORTED_LAYERS, export_model  # noqa: E402


def _lstm_model():
    x = keras.Input((5, 3), name="seq_in")
    y = layers.LSTM(4, name="memory")(x)
    y = layers.Dense(2, name="head")(y)
    return keras.Model(x, y, name="lstm_model")


def _lambda_model():
    x = keras.Input((3,), name="lam_in")
    y = layers.Dense(3, name="d")(x)
    y = layers.Lambda(lambda t: t * 2.0, name="double")(y)
    return keras.Model(x, y, name="lambda_model")


@pytest.mark.parametrize(
    "build, layer_name, cls",
    [(_lstm_model, "memory", "LSTM"), (_lambda_model, "double", "Lambda")],
)
def test_unsupported_layer(build, layer_name, cls, tmp_path):
    with pytest.raises(ExportError) as excinfo:
        export_model(build(), tmp_path / "out")
    msg = str(excinfo.value)
    assert layer_name in msg and cls in msg and "supported" in msg
    for supported in SUPPORTED_LAYERS:
        assert supported in msg
    assert excinfo.value.where and layer_name in excinfo.value.where
    assert not (tmp_path / "out" / MODEL_FILE).exists()


@pytest.mark.parametrize(
    "make, fragment",
    [
        (lambda x: layers.UpSampling2D(2, interpolation="bilinear", name="bad")(x), "bilinear"),
        (lambda x: layers.Conv2D(2, 3, activation="hard_sigmoid", name="bad")(x), "hard_sigmoid"),
        (lambda x: layers.Conv2D(2, 3, activation=lambda t: t * 3, name="bad")(x), "activation"),
        (lambda x: layers.Conv2DTranspose(2, 3, dilation_rate=2, name="bad")(x), "dilation"),
    ],
)
def test_unsupported_options(make, fragment, tmp_path):
    x = keras.Input((8, 8, 1), name="img")
    model = keras.Model(x, make(x), name="m")
    with pytest.raises(ExportError, match=fragment) as excinfo:
        export_model(model, tmp_path / "out")
    assert "bad" in str(excinfo.value)
    assert not (tmp_path / "out" / MODEL_FILE).exists()
