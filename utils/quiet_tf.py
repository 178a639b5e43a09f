"""Load TensorFlow and Keras without their C++ start-up log, so a notebook's first output is the lesson's.

Import it before TensorFlow, in the first cell of a notebook:

    import utils.quiet_tf  # TensorFlow's start-up log (CUDA probing, CPU features) is not part of the lesson
    import tensorflow as tf

`TF_CPP_MIN_LOG_LEVEL=2` (the documented switch, set only if you have not set it yourself) hides TensorFlow's
later info and warning lines; errors still show. The lines TensorFlow writes while it loads come from before its
logging is set up, where no variable reaches them, so the import itself runs with the process's stderr sent to
/dev/null. Python warnings are not affected: Jupyter shows them through `sys.stderr`, not the process's stderr.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _import_with_stderr_closed():
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        import keras  # noqa: F401
        import tensorflow as tf
        tf.config.list_physical_devices()  # probes for a GPU now, while the probe's messages go nowhere
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


_import_with_stderr_closed()
