-- Compose only: one database per service on the dev PostgreSQL (first start of an empty volume).
-- Each service migrates its own (the <service>-migrate one-shots).
CREATE DATABASE scelle_identity;
CREATE DATABASE scelle_expertise;
CREATE DATABASE scelle_documents;
CREATE DATABASE scelle_designation;
CREATE DATABASE scelle_billing;
CREATE DATABASE scelle_notification;
