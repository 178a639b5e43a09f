"""utils.quiet_tf: TensorFlow loads without its C++ start-up log, and errors after that still show."""
import subprocess
import sys

from utils.notebook_tools import ROOT


def run_python(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_tensorflow_and_keras_load_without_a_word_on_stderr():
    result = run_python("import utils.quiet_tf\nimport tensorflow as tf\nimport keras\n"
                        "print(keras.layers.Dense(2)(tf.ones((1, 3))).shape)")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "(1, 2)\n"
    assert result.stderr == "", f"TensorFlow still printed at start-up:\n{result.stderr}"


def test_stderr_works_again_after_the_import():
    result = run_python("import sys, os\nimport utils.quiet_tf\nos.write(2, b'still here\\n')\n"
                        "print('python too', file=sys.stderr)")
    assert result.returncode == 0
    assert result.stderr == "still here\npython too\n"
