"""Demo and benchmark data: generators and batched loaders."""
