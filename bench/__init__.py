"""Load and scale benchmarks of the whole stack: `make bench` (python -m bench)."""
