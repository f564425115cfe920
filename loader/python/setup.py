# pip install ./loader/python: setuptools runs CMake on the repository (GENINT_BUILD_PYTHON=ON) to build libgenint
# and the pybind11 module, and packs both with the Python sources into one wheel (the module finds the library
# beside it through its $ORIGIN rpath).
"""Build script of the genint Python package; see README.md beside it."""

import os
import pathlib
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent.parent


class CMakeBuild(build_ext):
    """build_ext that builds genint with CMake and installs its 'python' component (the Python sources, the
    module genint._native and libgenint) where setuptools collects the package.

    Environment: GENINT_CMAKE_ARGS (extra configure options, e.g. -DGENINT_CUDA=OFF), GENINT_BUILD_JOBS
    (default: the CPU count), GENINT_CMAKE_BUILD_DIR (default: a folder under setuptools' build_temp, kept
    between builds so ccache and CMake's own dependency tracking make a rebuild fast).
    """

    def build_extension(self, extension):
        build_dir = pathlib.Path(os.environ.get("GENINT_CMAKE_BUILD_DIR") or
                                 pathlib.Path(self.build_temp) / "cmake").resolve()
        stage_dir = build_dir / "stage"
        generator = ["-G", "Ninja"] if shutil.which("ninja") else []
        configure = ["cmake", "-S", str(REPO), "-B", str(build_dir), *generator, "-DCMAKE_BUILD_TYPE=Release",
                     "-DGENINT_BUILD_PYTHON=ON", "-DGENINT_PYTHON_BUNDLE_LIBRARY=ON", "-DGENINT_BUILD_TESTS=OFF",
                     "-DGENINT_BUILD_BENCH=OFF", f"-DGENINT_PYTHON_EXECUTABLE={sys.executable}",
                     "-DGENINT_PYTHON_INSTALL_DIR=python", *os.environ.get("GENINT_CMAKE_ARGS", "").split()]
        if shutil.which("ccache"):
            configure += ["-DCMAKE_CXX_COMPILER_LAUNCHER=ccache", "-DCMAKE_CUDA_COMPILER_LAUNCHER=ccache"]
        jobs = os.environ.get("GENINT_BUILD_JOBS", str(os.cpu_count() or 1))
        subprocess.run(configure, check=True)
        subprocess.run(["cmake", "--build", str(build_dir), "--target", "genint_python_native", "--parallel", jobs],
                       check=True)
        shutil.rmtree(stage_dir, ignore_errors=True)
        subprocess.run(["cmake", "--install", str(build_dir), "--component", "python", "--prefix", str(stage_dir)],
                       check=True)
        package_dir = pathlib.Path(self.get_ext_fullpath(extension.name)).parent
        shutil.rmtree(package_dir, ignore_errors=True)
        shutil.copytree(stage_dir / "python" / "genint", package_dir)


setup(
    name="genint",
    version=(REPO / "CMakeLists.txt").read_text().split("project(genint VERSION ", 1)[1].split()[0],
    description="Training-time data loader mixing natural images with generative interventions (PyTorch binding)",
    long_description=(HERE / "README.md").read_text(),
    long_description_content_type="text/markdown",
    python_requires=">=3.9",
    install_requires=["numpy"],
    extras_require={"torch": ["torch>=1.13"]},
    # The whole package (sources, module, library) comes from CMake's install: one extension stands for it.
    ext_modules=[Extension("genint._native", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
    zip_safe=False,
)
