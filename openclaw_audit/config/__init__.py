"""Config loading: locate, parse JSON5, resolve $include, substitute ${VAR}, resolve SecretRefs."""
