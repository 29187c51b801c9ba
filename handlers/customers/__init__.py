"""Customers: the record every concern shares — profiles and relations to staff, the corp's
tag catalogue, do-not-disturb. It imports no concern; every concern may import it."""
