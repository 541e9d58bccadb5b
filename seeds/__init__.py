"""Demo and benchmark data: generators and batched loaders."""

if __name__ != "kesher.seeds":
    raise ImportError(f"{__name__} is the package kesher.seeds: import it under that name only")
