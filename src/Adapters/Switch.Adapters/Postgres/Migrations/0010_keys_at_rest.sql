-- MAC keys and installation secrets at rest: AES-256-GCM under a key-encryption key (KEK) that the switch reads at
-- start from a file or the environment and that the database never sees. SQL cannot encrypt under a key it does not
-- know, so banks.mac_key stays as an intake: a clear key found there (the demo bank's, or one put there by hand) is
-- encrypted into bank_keys by the switch at start, or when the bank is next read, and erased from banks in the
-- same transaction.
create table bank_keys (
    bank_code         text not null references banks,
    version           integer not null check (version > 0),
    ciphertext        bytea,
    nonce             bytea check (length(nonce) = 12),
    tag               bytea check (length(tag) = 16),
    state             text not null check (state in ('current', 'next', 'retired')),
    retire_current_at timestamptz,          -- a next key: when it becomes current even if the bank never signed on under it
    created_at        timestamptz not null default now(),
    activated_at      timestamptz,
    retired_at        timestamptz,
    primary key (bank_code, version),
    -- A retired key's ciphertext is erased: nothing verifies under it any more.
    check (state = 'retired' or (ciphertext is not null and nonce is not null and tag is not null))
);
create unique index bank_keys_one_current on bank_keys (bank_code) where state = 'current';
create unique index bank_keys_one_next on bank_keys (bank_code) where state = 'next';

-- A MAC bank's key now lives in bank_keys, so banks.mac_key is null once taken in.
alter table banks drop constraint banks_check;
comment on column banks.mac_key is 'intake only: a clear key here is encrypted into bank_keys by the switch and erased';

-- One row per secret of the installation (the receipt secret), shared by every node; made by the first to start.
create table installation_secrets (
    name       text primary key,
    ciphertext bytea not null,
    nonce      bytea not null check (length(nonce) = 12),
    tag        bytea not null check (length(tag) = 16),
    created_at timestamptz not null default now()
);
