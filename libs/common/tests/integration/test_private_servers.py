"""The private servers fault drills stop and start keep what they held, on the same address."""

from __future__ import annotations

import smtplib
import uuid
from email.message import EmailMessage

import boto3
import pytest
from botocore.config import Config
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from scelle_common.db import make_engine


def test_a_row_survives_a_restart_of_the_private_postgres_and_a_pooled_engine_reconnects(private_postgres):
    url = private_postgres.create_database(f"drill_{uuid.uuid4().hex[:8]}")
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE pieces (name text)"))
            connection.execute(text("INSERT INTO pieces VALUES ('Ordonnance.pdf')"))

        private_postgres.stop()
        with pytest.raises(OperationalError):
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))

        private_postgres.start()
        # The same engine, whose pooled connections died with the server: pre-ping replaces them.
        with engine.connect() as connection:
            assert connection.execute(text("SELECT name FROM pieces")).scalars().all() == ["Ordonnance.pdf"]
    finally:
        engine.dispose()


def test_the_private_postgres_is_gone_after_destroy(private_postgres):
    url = private_postgres.url()
    private_postgres.destroy()
    engine = create_engine(url, connect_args={"connect_timeout": 2})
    try:
        with pytest.raises(OperationalError):
            with engine.connect():
                pass
    finally:
        engine.dispose()


def test_an_object_survives_a_restart_of_the_private_s3_on_the_same_endpoint(private_s3):
    def client():
        return boto3.session.Session().client(
            "s3", endpoint_url=private_s3.endpoint.url, aws_access_key_id=private_s3.access_key,
            aws_secret_access_key=private_s3.secret_key, region_name=private_s3.endpoint.region,
            config=Config(connect_timeout=1, retries={"max_attempts": 1}))

    s3 = client()
    bucket = f"drill-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="rapport.pdf", Body=b"%PDF-1.7 rapport")

    private_s3.stop()
    with pytest.raises(Exception, match="Could not connect"):
        s3.get_object(Bucket=bucket, Key="rapport.pdf")

    private_s3.start()
    assert client().get_object(Bucket=bucket, Key="rapport.pdf")["Body"].read() == b"%PDF-1.7 rapport"


def _mail(subject: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "ne-pas-repondre@scelle.example"
    message["To"] = "expert@example.fr"
    message["Subject"] = subject
    message.set_content("Bonjour")
    return message


def test_the_smtp_capture_comes_back_on_its_port_with_what_it_had_received(smtp_capture):
    with smtplib.SMTP(smtp_capture.host, smtp_capture.port) as client:
        client.send_message(_mail("avant"))
    port = smtp_capture.port

    smtp_capture.stop()
    with pytest.raises(ConnectionRefusedError):
        smtplib.SMTP(smtp_capture.host, port, timeout=2)

    smtp_capture.start()
    assert smtp_capture.port == port
    with smtplib.SMTP(smtp_capture.host, port) as client:
        client.send_message(_mail("après"))
    assert [mail.message["Subject"] for mail in smtp_capture.messages()] == ["avant", "après"]
