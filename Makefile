# The two commands: `make demo` runs Gatehouse, `make test` builds and passes every test.
# Both install what they need first (Debian packages, npm test tools) and skip what is present.
.PHONY: demo test bench fuzz build-release build-test format clean

JOBS ?= $(shell nproc)
# Lets ccache reuse objects across clones of the repository (CI builds in a fresh clone): paths
# are made relative to the clone, and debug builds do not hash their working directory.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1
CMAKE_COMMON = -G Ninja -DCMAKE_CXX_COMPILER_LAUNCHER=ccache

demo: build-release
	scripts/install-deps.sh demo
	scripts/demo.sh

# The benchmarks are built (not run: their figures mean nothing under ASan) so that one that stops
# compiling is caught here rather than at the next `make bench`.
test:
	scripts/install-deps.sh test
	cmake -S . -B build/test $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Debug -DGATEHOUSE_SANITIZE=ON \
	  -DGATEHOUSE_BENCH=ON
	cmake --build build/test -j $(JOBS)
	cd build/test && ctest --output-on-failure -j $(JOBS) --timeout 300

bench:
	scripts/install-deps.sh bench
	cmake -S . -B build/release $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Release -DGATEHOUSE_BENCH=ON
	cmake --build build/release -j $(JOBS)
	bench/run.sh build/release

# Runs every fuzz target for FUZZ_SECONDS (libFuzzer, clang); see scripts/fuzz.sh.
FUZZ_SECONDS ?= 60
fuzz:
	scripts/install-deps.sh fuzz
	scripts/fuzz.sh $(FUZZ_SECONDS)

build-release:
	scripts/install-deps.sh build
	cmake -S . -B build/release $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Release
	cmake --build build/release -j $(JOBS) --target gatehouse gatehouse-sample-app

format:
	find src apps tests bench fuzz -name '*.h' -o -name '*.cc' | xargs clang-format -i

clean:
	rm -rf build
