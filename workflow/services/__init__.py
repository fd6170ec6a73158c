"""Services: operations beside fire() that own their transactions (reviews, users, ...)."""
