"""The LLM process: the vLLM engine with LoRA adapters, in the `LLM` Serve replica (GPU in
production). `vllm_host.VllmHost` owns the engine; extraction and OpenAI generation are its two
clients. Import submodules directly: this package root imports nothing heavy."""
