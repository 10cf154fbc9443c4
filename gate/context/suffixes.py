"""The suffixes that name a file Python or JavaScript/TypeScript source, for the modules that read
either kind (`gate.context.file_kinds`, `gate.context.ignore`) without one importing the other first."""

# `.pyw`: a script Python runs without a console window (Windows GUI programs); Python all the same.
PYTHON_SUFFIXES = (".py", ".pyi", ".pyw")
JS_SUFFIXES = (".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts", ".vue", ".svelte")
