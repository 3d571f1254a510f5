-- Exactly-once notification of billers (guarantee 3). The journal itself is the outbox: every payment and reversal row
-- carries the id of the transaction that wrote it (a column default, so the journal's insert is unchanged and a row is
-- recorded for delivery by the very commit that journals it). One reader per cluster takes the rows of transactions
-- that have all ended, i.e. below the oldest transaction still open (pg_snapshot_xmin), so a commit of another node
-- that ends after a later one is never skipped; it gives them per-biller sequence numbers then (at dispatch, not at
-- commit, which would serialise every node's commits on one counter) and the biller's notifier delivers them.
-- The id is a bigint (xid8 as a number: it never wraps) so that a BRIN index can find a range of it: a BRIN costs the
-- journal's insert almost nothing, where one more B-tree cost it about 6% (0005), and rows lie in the heap roughly in
-- transaction order. Rows journaled before this migration have no id and are never notified.
alter table payments add column tx bigint;
alter table payments alter column tx set default pg_current_xact_id()::text::bigint;
create index payments_by_tx on payments using brin (tx) with (autosummarize = on);

alter table reversals add column tx bigint;
alter table reversals alter column tx set default pg_current_xact_id()::text::bigint;
create index reversals_by_tx on reversals using brin (tx) with (autosummarize = on);

-- How each biller's system is reached (docs/biller-api.md). The signing key is sealed under the KEK like the banks' MAC
-- keys (0010); a row without a key cannot be delivered to, and says so.
create table biller_adapters (
    biller_code       text primary key references billers,
    endpoint_url      text not null check (length(endpoint_url) <= 500 and endpoint_url ~ '^https?://[^[:space:]]+$'),
    key_ciphertext    bytea,
    key_nonce         bytea check (length(key_nonce) = 12),
    key_tag           bytea check (length(key_tag) = 16),
    posting_mode      text not null default 'asynchronous' check (posting_mode in ('asynchronous', 'synchronous')),
    rate_per_second   integer not null default 100 check (rate_per_second between 1 and 100000),
    max_in_flight     integer not null default 4 check (max_in_flight between 1 and 64),
    batch_size        integer not null default 1 check (batch_size between 1 and 1000),   -- 1: the biller takes them one by one
    timeout_ms        integer not null default 3500 check (timeout_ms between 100 and 30000),
    notify            boolean not null default true,
    updated_at        timestamptz not null default now(),
    check ((key_ciphertext is null) = (key_nonce is null) and (key_nonce is null) = (key_tag is null))
);

-- The reader's cursor: every payment and reversal with a tx below it has been dispatched (or was not to be).
create table notification_cursor (
    one      boolean primary key default true check (one),
    position bigint not null
);
insert into notification_cursor (position) values (pg_current_xact_id()::text::bigint);

create table notification_sequences (
    biller_code   text primary key,
    last_sequence bigint not null check (last_sequence >= 0)
);

-- Every notification dispatched, by biller and sequence; kept (not deleted when delivered) so a biller can ask for a
-- replay from a sequence number. state: pending (to deliver), delivered (the biller acknowledged it), parked (failing
-- for longer than the notifier's maximum age: the operator queue, retried from the API or the CLI).
create table biller_notifications (
    biller_code       text not null,
    sequence          bigint not null check (sequence > 0),
    kind              text not null check (kind in ('payment', 'reversal')),
    switch_reference  text not null,        -- the idempotency key the biller dedupes on
    payment_reference text not null,        -- the payment's switch reference (a reversal's original)
    bank_code         text not null,
    account_number    text not null,
    bill_number       text,
    amount            bigint not null,
    currency          smallint not null,
    channel           text not null,
    committed_at      timestamptz not null,
    state             text not null default 'pending' check (state in ('pending', 'delivered', 'parked')),
    attempts          integer not null default 0,
    first_failed_at   timestamptz,
    last_error        text,
    answer            text check (answer in ('accepted', 'duplicate', 'rejected')),
    delivered_at      timestamptz,
    retried_at        timestamptz,          -- an operator's retry: the age that parks counts from here
    primary key (biller_code, sequence),
    unique (biller_code, switch_reference)
);
create index biller_notifications_pending on biller_notifications (biller_code, sequence) where state = 'pending';
create index biller_notifications_parked on biller_notifications (biller_code, sequence) where state = 'parked';
