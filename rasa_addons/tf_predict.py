"""DIET's prediction without TensorFlow's per-call dispatch.

Rasa wraps ``predict_step`` in a ``tf.function`` with a fixed input signature, so it is
traced once; yet every call still goes through TensorFlow's polymorphic dispatch
(canonicalising the inputs, matching them against the function types, casting them to
the signature). A profile of a busy Rasa server (docs/performance.md) put that at over a
third of DIET's time per message, more than the model itself. Here, once Rasa has built
the function, its one traced graph is called directly with the inputs as tensors. Inputs
that do not match the signature (number, dtype, rank, last dimension) go Rasa's way, and
so does eager mode.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import tensorflow as tf
from keras.utils import tf_utils
from rasa.shared.constants import DIAGNOSTIC_DATA
from rasa.utils.tensorflow.models import RasaModel

_original = RasaModel._rasa_predict


def _matches(specs: list[tf.TensorSpec], batch_in: Any) -> bool:
    if not isinstance(batch_in, (list, tuple)) or len(batch_in) != len(specs):
        return False
    for array, spec in zip(batch_in, specs, strict=True):
        if not isinstance(array, np.ndarray) or array.dtype != spec.dtype.as_numpy_dtype:
            return False
        shape = spec.shape
        if array.ndim != shape.rank or (array.ndim > 1 and array.shape[-1] != shape[-1]):
            return False
    return True


def _rasa_predict(self: RasaModel, batch_in: Any) -> dict[str, Any]:
    graph = getattr(self, "_kc_graph", None)
    if graph is None or self._run_eagerly or self._tf_predict_step is None:
        outputs: dict[str, Any] = _original(self, batch_in)
        if not self._run_eagerly and self._tf_predict_step is not None:
            concrete = self._tf_predict_step.get_concrete_function()
            specs = list(concrete.structured_input_signature[0][0])
            self._kc_graph = (concrete, specs)
        return outputs
    concrete, specs = graph
    if not _matches(specs, batch_in):
        return _original(self, batch_in)
    tensors = [tf.convert_to_tensor(array) for array in batch_in]
    outputs = tf_utils.sync_to_numpy_or_python_type(
        concrete._call_flat(tensors, concrete.captured_inputs)
    )
    if DIAGNOSTIC_DATA in outputs:  # as Rasa does after its call
        outputs[DIAGNOSTIC_DATA] = self._empty_lists_to_none_in_dict(outputs[DIAGNOSTIC_DATA])
    return outputs


def install() -> None:
    """Call DIET's traced graph directly (``_original`` is Rasa's, kept at import)."""
    RasaModel._rasa_predict = _rasa_predict  # type: ignore[method-assign]
