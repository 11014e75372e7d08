"""Bearer personal access tokens, looked up by their hash, the usual DRF way."""

import hashlib

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from adrs.models import AccessToken


class BearerTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        scheme, _, token = get_authorization_header(request).decode().partition(" ")
        if scheme.lower() != "bearer":
            return None
        secret_hash = hashlib.sha256(token.strip().encode()).hexdigest()
        try:
            found = AccessToken.objects.select_related("user").get(secret_hash=secret_hash)
        except AccessToken.DoesNotExist:
            raise exceptions.AuthenticationFailed("the bearer token is not valid") from None
        return found.user, found
