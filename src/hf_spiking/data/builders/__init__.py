"""``datasets`` builders for the procedurally generated corpora (see each subpackage)."""
