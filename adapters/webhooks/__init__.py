"""Webhook delivery over HTTP: the SSRF guard, the Standard Webhooks signer, the sender."""
