"""The professional's guided entry in six steps (``/saisie``): check the registry data,
describe the offers, the ways of working and the places, the contacts, the hours, then
review and validate. Pre-filled from what the directory holds for the person's
Practitioner; saved as a draft at every step (store.entry_drafts); written through the
write path as the professional, with the same validation as the API."""
