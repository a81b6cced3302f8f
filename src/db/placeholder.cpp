// Placeholder so the part's library configures before its first real source lands; delete it then.
