"""Training the learned SemSI detector (needs the `train` extra: scikit-learn). Run time never imports this."""
