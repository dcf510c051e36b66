"""The catalog's GraphQL API as the backend speaks it: the sgqlc schema module generated from
the catalog schema (``schema``; ``regenerate`` says how), every operation the backend sends
(``operations``), the parse functions for their results (``results``) and the HTTP client (``client``)."""
