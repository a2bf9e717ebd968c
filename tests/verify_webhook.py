"""Verifies one webhook delivery with the reference Standard Webhooks library.

Usage: python3 tests/verify_webhook.py SECRET < request.json, where
request.json is {"headers": {...}, "body": "..."}. Prints the verified
payload's type and exits 0, or prints the library's complaint and exits 1.
"""

import json
import sys

from standardwebhooks.webhooks import Webhook

request = json.load(sys.stdin)
try:
    payload = Webhook(sys.argv[1]).verify(request["body"], request["headers"])
except Exception as e:  # the library's own verification error
    print(f"refused: {e}")
    sys.exit(1)
print(payload["type"])
