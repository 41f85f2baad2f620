"""Code that runs inside Ray Serve's HTTP proxy (not a deployment): the error-envelope middleware."""
