"""The second numerical profile of `make test`: this machine made to compute like a narrower CPU.

A notebook's stored outputs come from one machine. Another CPU (AVX2 instead of AVX-512, Apple silicon) makes
NumPy and oneDNN pick other kernels, whose results differ in the last bits, and training amplifies them. So
`make test` runs every notebook a second time with the widest kernels this CPU has switched off, and a stored
output that holds only on our machine fails here instead of on a learner's laptop.

    python -m utils.foreign_profile     # prints the variables, VAR=value ..., for `env` in the Makefile

Only switches the libraries document are used, and only those that apply to this CPU, so the profile is
safe anywhere (on a CPU with nothing to narrow it is empty and the second run repeats the first).
"""
import platform

# oneDNN's next narrower instruction set, keyed by the widest x86 level NumPy finds on this CPU.
NARROWER_ONEDNN_ISA = {"X86_V4": "AVX2", "X86_V3": "AVX"}


def numpy_dispatched_features():
    """The optional SIMD targets NumPy was built with and this CPU supports, widest last."""
    from numpy._core import _multiarray_umath as umath
    return [name for name in umath.__cpu_dispatch__ if umath.__cpu_features__.get(name)]


def foreign_environment():
    """{variable: value} that make NumPy and oneDNN use narrower kernels than this CPU allows."""
    environment = {}
    features = numpy_dispatched_features()
    if features:
        # NumPy then runs its baseline kernels (e.g. np.exp, np.log and np.tanh round differently).
        environment["NPY_DISABLE_CPU_FEATURES"] = " ".join(features)
    widest_x86 = next((level for level in ("X86_V4", "X86_V3") if level in features), None)
    if platform.machine().lower() in ("x86_64", "amd64") and widest_x86:
        environment["ONEDNN_MAX_CPU_ISA"] = NARROWER_ONEDNN_ISA[widest_x86]
    return environment


def main():
    print(" ".join(f"{name}='{value}'" for name, value in foreign_environment().items()))


if __name__ == "__main__":
    main()
