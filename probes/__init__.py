"""Deep probes (``--deep``). Collector modules import httpx/docker/zeroconf lazily; the pure
judges that turn facts into findings live in ``*_judge`` modules and register their checkIds."""
