"""The compiled per-term loops (classifier/kernels.pyx); everything else is in pyproject.toml."""
from setuptools import Extension, setup

setup(ext_modules=[Extension("classifier.kernels", ["classifier/kernels.pyx"], extra_compile_args=["-O3"])])
