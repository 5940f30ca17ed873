"""Federation: this instance follows the change feed of other OpenROR instances
(docs/admin/federation.md). ``feed_page`` reads a page, ``apply`` writes it in one
transaction with the source's precedence, ``follow`` runs the loop, ``digest`` and ``verify``
prove both sides hold the same data and repair what differs."""
