"""The catalog's GraphQL API as the backend speaks it: the carried schema text (``sdl/``), the
sgqlc schema module generated from it (``schema``), every operation the backend sends
(``operations``), the parse functions for their results (``results``) and the HTTP client (``client``)."""
