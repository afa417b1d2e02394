"""The plugin's S3 and SMTP fixtures reach real servers."""

from __future__ import annotations

import smtplib
import uuid
from email.message import EmailMessage

import boto3
from botocore.config import Config


def test_the_s3_fixture_reaches_a_real_s3_server_that_checks_signatures(s3_endpoint):
    def client(secret):
        return boto3.client("s3", endpoint_url=s3_endpoint.url, aws_access_key_id=s3_endpoint.access_key,
                            aws_secret_access_key=secret, region_name=s3_endpoint.region,
                            config=Config(retries={"max_attempts": 2}))

    s3 = client(s3_endpoint.secret_key)
    bucket = f"fixture-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    try:
        s3.put_object(Bucket=bucket, Key="pièce.pdf", Body=b"%PDF-1.7 contenu")
        assert s3.get_object(Bucket=bucket, Key="pièce.pdf")["Body"].read() == b"%PDF-1.7 contenu"
        try:
            client("wrong-secret").get_object(Bucket=bucket, Key="pièce.pdf")
        except s3.exceptions.ClientError as error:
            assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 403
        else:
            raise AssertionError("a wrong signature was accepted")
    finally:
        s3.delete_object(Bucket=bucket, Key="pièce.pdf")
        s3.delete_bucket(Bucket=bucket)


def test_the_smtp_fixture_receives_what_is_sent(smtp_capture):
    message = EmailMessage()
    message["From"] = "ne-pas-repondre@scelle.example"
    message["To"] = "expert@example.fr"
    message["Subject"] = "[Scellé] Compte rendu d'activité"
    message.set_content("Bonjour")
    with smtplib.SMTP(smtp_capture.host, smtp_capture.port) as client:
        client.send_message(message)
    received = smtp_capture.messages()
    assert [mail.recipients for mail in received] == [["expert@example.fr"]]
    assert received[0].message["Subject"] == "[Scellé] Compte rendu d'activité"
