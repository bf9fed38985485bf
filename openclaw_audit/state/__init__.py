"""The filesystem as the audit sees it: StateView (lstat, listings, texts, permissions) and the
Windows ACL reader behind its permissions on win32."""
