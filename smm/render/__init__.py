"""A post → what each account receives: markup flavours, templates, exact counting per network,
splitting into thread parts, and `smm preview`."""
