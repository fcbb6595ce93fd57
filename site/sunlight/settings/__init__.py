"""Settings modules: base (everything), dev, test and production (small deltas)."""
