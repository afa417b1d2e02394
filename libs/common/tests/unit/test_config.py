from typing import ClassVar

import pytest

from scelle_common.config import ConfigError, ServiceSettings, load_settings


class ExampleSettings(ServiceSettings):
    env_prefix: ClassVar[str] = "EXAMPLE_"


def test_settings_are_read_from_prefixed_variables():
    settings = load_settings(ExampleSettings, {"EXAMPLE_DATABASE_URL": "postgresql://db", "EXAMPLE_BROKER_URL": "amqp://b",
                                               "EXAMPLE_RELAY_BATCH_SIZE": "50"})
    assert settings.database_url == "postgresql://db"
    assert settings.relay_batch_size == 50


def test_a_missing_variable_is_named_in_the_error():
    with pytest.raises(ConfigError, match="EXAMPLE_BROKER_URL is required"):
        load_settings(ExampleSettings, {"EXAMPLE_DATABASE_URL": "postgresql://db"})


def test_a_malformed_value_is_named_without_echoing_it():
    with pytest.raises(ConfigError, match="EXAMPLE_DELIVERY_LIMIT") as error:
        load_settings(ExampleSettings, {"EXAMPLE_DATABASE_URL": "d", "EXAMPLE_BROKER_URL": "b",
                                        "EXAMPLE_DELIVERY_LIMIT": "s3cr3t-not-a-number"})
    assert "s3cr3t" not in str(error.value)


def test_a_secret_can_come_from_a_file(tmp_path):
    secret = tmp_path / "jwks.json"
    secret.write_text('{"keys": []}\n')
    settings = load_settings(ExampleSettings, {"EXAMPLE_DATABASE_URL": "d", "EXAMPLE_BROKER_URL": "b",
                                               "EXAMPLE_JWKS_FILE": str(secret)})
    assert settings.jwks == '{"keys": []}'


def test_an_unreadable_secret_file_stops_with_its_variable_name(tmp_path):
    with pytest.raises(ConfigError, match="EXAMPLE_JWKS_FILE="):
        load_settings(ExampleSettings, {"EXAMPLE_DATABASE_URL": "d", "EXAMPLE_BROKER_URL": "b",
                                        "EXAMPLE_JWKS_FILE": str(tmp_path / "absent")})


def test_settings_are_frozen():
    settings = load_settings(ExampleSettings, {"EXAMPLE_DATABASE_URL": "d", "EXAMPLE_BROKER_URL": "b"})
    with pytest.raises(ValueError):
        settings.database_url = "other"
