"""The PHIScrubber process: the `serve_app.phi` library on CPU replicas of its own."""
