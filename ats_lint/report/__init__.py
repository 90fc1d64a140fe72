"""Reports: the repository verdict and one module per output format."""
