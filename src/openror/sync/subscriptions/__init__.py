"""FHIR R4 rest-hook Subscriptions: an API client asks to be told when a resource it may read
is created, updated or deleted and matches its criteria (``HealthcareService?_tag=…|11``).

``resource`` checks and shapes the Subscription resource, ``registry`` stores it for its
owner, ``matching`` records a notification in the writer's transaction (at least once: a
committed change always has its notification), ``delivery`` sends them signed, retried, logged
and disables a subscription whose endpoint keeps failing. See docs/api/subscriptions.md.
"""
