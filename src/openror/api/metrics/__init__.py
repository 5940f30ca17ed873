"""Prometheus metrics (``GET /-/metrics``): what the server records as it answers
(``instruments``), labelled by route template (``routes``), and what a scrape reads when it
comes: connection pools (``pools``), the database's figures (``store_figures``), the read
replicas (``replicas``); ``exposition`` puts them together. See docs/admin/monitoring.md."""
