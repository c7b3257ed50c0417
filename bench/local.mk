# bench/: `make bench` — every figure printed beside a baseline measured in
# the same run, as a ratio. Not part of `make check`.
