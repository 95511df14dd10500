"""Web entry: filling any uploaded form in the browser, decided by the server."""
