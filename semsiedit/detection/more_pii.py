"""semsiedit's own structured-PII recognizers over the whole text, run after Presidio: names in
labelled fields and after cues (also in all-lower-case messages), identifiers, addresses of other
countries, phone numbers, user handles, secrets, then name propagation over every PERSON found so far
and value propagation over every identifier. Regex
based, no second spaCy pass."""

from __future__ import annotations

from semsiedit.detection.casual_names import find_lowercase_names
from semsiedit.detection.fields import find_field_names
from semsiedit.detection.handles import find_handles
from semsiedit.detection.identifiers import find_identifiers
from semsiedit.detection.name_cues import find_caps_surname_first, find_cued_names, find_names_before_cues
from semsiedit.detection.names import outside_containers
from semsiedit.detection.phones import find_phones
from semsiedit.detection.propagation import file_names_with_names, propagate_names, propagate_values
from semsiedit.detection.record_ids import find_record_ids, names_from_context
from semsiedit.detection.secrets import find_secrets
from semsiedit.detection.world_addresses import find_world_addresses
from semsiedit.types import Finding


def find_more_pii(text: str, found: list[Finding]) -> list[Finding]:
    """New findings for `text`, given those already `found` (which are not repeated)."""
    new = find_identifiers(text) + find_phones(text) + find_record_ids(text) + find_world_addresses(text)
    new += find_handles(text) + find_secrets(text)
    new = outside_containers(new, found)
    cued = find_field_names(text) + find_cued_names(text) + find_names_before_cues(text) + find_lowercase_names(text)
    cued += find_caps_surname_first(text)
    names = outside_containers(cued, found + new)
    new += names
    new += names_from_context(text, found + new)
    new += propagate_names(text, found + new)
    new += file_names_with_names(text, found + new)
    return new + propagate_values(text, found + new)
