# Fuzz targets: libFuzzer entry points, built by `make fuzz` with clang.
# Each target is also built as a plain program that replays its corpus
# (tests/fuzz/corpus/NAME) so `make check` runs the seeds under any compiler.
FUZZ_TARGETS =
EXTRA_DIST += tests/fuzz
