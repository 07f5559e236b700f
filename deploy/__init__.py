"""The production stack: `make serve` (serve.py), its warm-up (warm.py) and the client the warm-up
drives (viewer.py). serve.py and warm.py also run as scripts."""
