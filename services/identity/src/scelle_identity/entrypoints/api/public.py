"""Public routes: the JWKS, the software CA's CRL, and software-certificate retrieval.

The gateway lets them through without a principal (identity's authenticator answers 200 with no
token for them): the CRL and keys are public by nature, and someone retrieving a software
certificate has no certificate yet — the link's secret is the credential.
"""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from flask import Response, current_app, request
from flask_smorest import Blueprint

from scelle_common.http import public
from scelle_identity.adapters.signing import public_jwks
from scelle_identity.entrypoints.api.common import anonymous, services
from scelle_identity.entrypoints.api.schemas import PackageInfoSchema, PackageRetrievalSchema
from scelle_identity.service_layer import software_certificates

blueprint = Blueprint("public", __name__, url_prefix="/v1", description="Keys, CRL, certificate retrieval.")


def _client_ip() -> str | None:
    # Anonymous callers have no token carrying their address: the gateway's X-Real-IP, if any.
    return request.headers.get("X-Real-Ip") or request.remote_addr


@blueprint.route("/jwks.json", methods=["GET"])
@blueprint.doc(summary="Public keys that verify principal tokens (JWKS)")
@public
def jwks() -> Response:
    runtime = current_app.extensions["scelle_runtime"]
    body = public_jwks(runtime.settings.jwks)
    response = current_app.json.response(body)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@blueprint.route("/crls/software-ca.crl", methods=["GET"])
@blueprint.doc(summary="CRL of the software-certificate CA (DER)")
@public
def crl_der() -> Response:
    return Response(software_certificates.current_crl(services()), mimetype="application/pkix-crl",
                    headers={"Cache-Control": "public, max-age=300"})


@blueprint.route("/crls/software-ca.pem", methods=["GET"])
@blueprint.doc(summary="CRL of the software-certificate CA (PEM, for the gateway's CRL bundle)")
@public
def crl_pem() -> Response:
    crl = x509.load_der_x509_crl(software_certificates.current_crl(services()))
    return Response(crl.public_bytes(serialization.Encoding.PEM), mimetype="application/x-pem-file",
                    headers={"Cache-Control": "public, max-age=300"})


@blueprint.route("/software-certificate-packages/<string:token>", methods=["GET"])
@blueprint.response(200, PackageInfoSchema)
@blueprint.doc(summary="What a retrieval link holds and whether it still works")
@public
def package_info(token: str) -> software_certificates.PackageInfo:
    return software_certificates.package_info(services(), anonymous(_client_ip()), token)


@blueprint.route("/software-certificate-packages/<string:token>", methods=["POST"])
@blueprint.arguments(PackageRetrievalSchema)
@blueprint.response(200, content_type="application/x-pkcs12",
                    description="the PKCS#12 (key, certificate, CA), once; 410 link-used afterwards")
@blueprint.doc(summary="Retrieve the software certificate (once), protected by a password chosen now")
@public
def retrieve_package(body: dict[str, str], token: str) -> Response:
    package = software_certificates.retrieve_package(services(), anonymous(_client_ip()), token, body["password"])
    return Response(package.pkcs12, mimetype="application/x-pkcs12", headers={
        "Content-Disposition": f'attachment; filename="{package.filename}"',
        "Cache-Control": "no-store",
    })
