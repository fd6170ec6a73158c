"""Industrial statistics: the dashboard's figures, computed once for the page, the exports and `flask stats`."""
