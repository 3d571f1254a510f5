-- One credential model for every kind of principal: an API key, stored only as its SHA-256, names a role and the
-- participant it speaks for (a bank's code, a biller's code, none for the operator and the central bank). Bank keys
-- move here from banks.api_key_hash, so a bank may have several (rotation: add the new, revoke the old).
-- TLS client certificates will be another kind of credential bound the same way (role and participant).
create table api_keys (
    id          bigint generated always as identity primary key,
    key_hash    bytea not null unique check (length(key_hash) = 32),
    role        text not null check (role in ('bank', 'biller', 'operator', 'central_bank')),
    bank_code   text references banks,
    biller_code text references billers,
    holder      text not null,                     -- who holds the key, as the audit trail names them
    active      boolean not null default true,
    created_at  timestamptz not null default now(),
    revoked_at  timestamptz,
    check ((role = 'bank') = (bank_code is not null)),
    check ((role = 'biller') = (biller_code is not null)),
    check (active = (revoked_at is null))
);

insert into api_keys (key_hash, role, bank_code, holder)
    select api_key_hash, 'bank', code, name_en from banks where api_key_hash is not null;

drop index banks_by_api_key;
alter table banks drop column api_key_hash;

-- Published demo key of the operator, for the demo and tests only: demo-operator-key.
insert into api_keys (key_hash, role, holder) values (sha256(convert_to('demo-operator-key', 'UTF8')), 'operator', 'Demo operator');

-- Every operator and central-bank action: who (the key), when, what, on what, and the state before and after.
-- Written in the same transaction as the change it records, so neither exists without the other.
create table audit_log (
    id         bigint generated always as identity primary key,
    at         timestamptz not null default now(),
    api_key_id bigint not null references api_keys,
    role       text not null,
    action     text not null,
    subject    text,
    before     jsonb,
    after      jsonb
);

create index audit_log_by_time on audit_log (at);
