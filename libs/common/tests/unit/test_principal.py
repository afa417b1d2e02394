import json

import pytest

from scelle_common.http.principal import InvalidPrincipal, PrincipalVerifier
from scelle_common.testing.tokens import PrincipalSigner


@pytest.fixture
def signer():
    return PrincipalSigner.generate()


def test_a_valid_token_yields_the_principal(signer):
    principal = PrincipalVerifier(signer.jwks).verify(signer.sign(account_id="acc-42", profile="avocat", cfp="cd" * 32))
    assert (principal.account_id, principal.profile, principal.cert_fingerprint) == ("acc-42", "avocat", "cd" * 32)


def test_two_keys_are_accepted_during_a_rotation():
    old, new = PrincipalSigner.generate(), PrincipalSigner.generate()
    both = json.dumps({"keys": json.loads(old.jwks)["keys"] + json.loads(new.jwks)["keys"]})
    verifier = PrincipalVerifier(both)
    assert verifier.verify(old.sign()).account_id == verifier.verify(new.sign()).account_id


def test_a_token_signed_by_an_unknown_key_is_refused(signer):
    with pytest.raises(InvalidPrincipal, match="unknown signing key"):
        PrincipalVerifier(signer.jwks).verify(PrincipalSigner.generate().sign())


def test_a_token_with_a_forged_signature_is_refused(signer):
    impostor = PrincipalSigner(kid=signer.kid, private_key=PrincipalSigner.generate().private_key)
    with pytest.raises(InvalidPrincipal, match="invalid token"):
        PrincipalVerifier(signer.jwks).verify(impostor.sign())


def test_a_tampered_payload_is_refused(signer):
    header, payload, signature = signer.sign(profile="partie").split(".")
    forged = signer.sign(profile="magistrat").split(".")[1]
    with pytest.raises(InvalidPrincipal):
        PrincipalVerifier(signer.jwks).verify(".".join([header, forged, signature]))


def test_an_expired_token_is_refused(signer):
    with pytest.raises(InvalidPrincipal, match="expired"):
        PrincipalVerifier(signer.jwks).verify(signer.sign(issued_at=1_700_000_000, lifetime=60))


def test_a_token_living_longer_than_five_minutes_is_refused(signer):
    with pytest.raises(InvalidPrincipal, match="five minutes"):
        PrincipalVerifier(signer.jwks).verify(signer.sign(lifetime=3600))


def test_a_token_from_another_issuer_is_refused(signer):
    with pytest.raises(InvalidPrincipal):
        PrincipalVerifier(signer.jwks).verify(signer.sign(iss="someone-else"))


def test_a_token_without_a_profile_is_refused(signer):
    with pytest.raises(InvalidPrincipal):
        PrincipalVerifier(signer.jwks).verify(signer.sign(prf=None))


@pytest.mark.parametrize("token", ["", "abc", "a.b.c"])
def test_garbage_is_refused(signer, token):
    with pytest.raises(InvalidPrincipal):
        PrincipalVerifier(signer.jwks).verify(token)
