"""What the Call Cabinet simulator keeps (one JSON file, see integrations/simkit/state.py):

{"resellers": {PartnerId: reseller},
 "customers": {"<Id>": Essential customer},
 "next_customer_id": 1}
"""

from typing import Any


def empty_state() -> dict[str, Any]:
    return {"resellers": {}, "customers": {}, "next_customer_id": 1}
