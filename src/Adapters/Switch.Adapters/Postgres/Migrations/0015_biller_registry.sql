-- The biller registry: what an operator administers beyond the transaction core's columns. Services (the spec's SV
-- tag), customer parameters and planned maintenance windows are small lists read whole with their biller, so they
-- are jsonb here; the catalog and the payment path read them from memory (PostgresBillerCatalog), never per payment.
alter table billers
    add column bill_fetch      text not null default 'optional' check (bill_fetch in ('mandatory', 'optional', 'not_supported')),
    add column services        jsonb not null default '[]' check (jsonb_typeof(services) = 'array'),
    add column parameters      jsonb not null default '[]' check (jsonb_typeof(parameters) = 'array'),
    add column maintenance     jsonb not null default '[]' check (jsonb_typeof(maintenance) = 'array'),
    add column timeout_ms      integer check (timeout_ms between 100 and 3500),
    add column settlement_iban text check (settlement_iban ~ '^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$'),
    add column settlement_bank text references banks,
    add column updated_at      timestamptz not null default now(),
    add constraint billers_settlement_whole check ((settlement_iban is null) = (settlement_bank is null));

update billers set category = 'traffic_fines' where category = 'fines';
update billers set bill_fetch = 'not_supported' where presentment = 'prepaid';

-- A biller's settlement account changes only when a second, different operator approves the change another asked for
-- (maker-checker). At most one change per biller waits at a time.
create table biller_settlement_changes (
    id              bigint generated always as identity primary key,
    biller_code     text not null references billers,
    iban            text not null,
    bank_code       text not null references banks,
    requested_by    text not null,                 -- the actor as the audit trail names them
    requested_key   bigint references api_keys,    -- null when asked at the command line
    requested_at    timestamptz not null default now(),
    state           text not null default 'pending' check (state in ('pending', 'approved', 'rejected')),
    decided_by      text,
    decided_key     bigint references api_keys,
    decided_at      timestamptz,
    check ((state = 'pending') = (decided_at is null))
);
create unique index biller_settlement_changes_one_pending on biller_settlement_changes (biller_code) where state = 'pending';
