-- A payment's bank is the one its request was authenticated as (a signed-on ISO 8583 connection or a bank's API key),
-- and banks are suspended, never deleted, so the foreign key from payments to banks could never refuse a row. It cost
-- every journaled row a lookup of its bank with FOR KEY SHARE (4 µs of PostgreSQL per approval, pg_stat_statements),
-- a row lock that several nodes' journal writers share through a multixact.
alter table payments drop constraint payments_bank_code_fkey;
