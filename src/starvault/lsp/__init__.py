"""The language server (``starvault lsp``): :mod:`.index` keeps the vault current with the
editor's buffers, :mod:`.server` maps LSP requests onto the library."""
