-- Notifications without a row per notification. A row per payment (0019's biller_notifications: inserted, then
-- updated when delivered, four index entries each) doubled PostgreSQL's CPU per approved payment and cost a third of
-- the switch's throughput (bench/README.md, notification cost). Instead a dispatch records, per biller, which
-- sequence numbers it gave to which range of transaction ids; the notifications themselves are read back from the
-- journal, numbered in a fixed order within the range; what a biller acknowledged is one multirange of sequence
-- numbers per biller. Only the rare cases get rows of their own: parked notifications, rejected ones, and approvals
-- declined after their dispatch (late commits the flow found after the fact).
drop table biller_notifications;
drop table notification_sequences;

-- The notifications of one dispatch for one biller: its journal rows with first_tx <= tx < upto_tx, in the order
-- (tx, kind, bank_code, reference, local_date), are numbered first_sequence to last_sequence. Which rows count is
-- decided by what never changes once committed (PostgresBillerNotifications.Journal), so reading the range again
-- always gives the same notifications under the same numbers.
create table notification_batches (
    biller_code    text not null,
    first_sequence bigint not null check (first_sequence > 0),
    last_sequence  bigint not null check (last_sequence >= first_sequence),
    first_tx       bigint not null,
    upto_tx        bigint not null check (upto_tx > first_tx),
    dispatched_at  timestamptz not null default now(),
    primary key (biller_code, first_sequence)
);

-- What each biller's notifier is done with: acknowledged by the biller, or parked. A replay or an operator's retry
-- takes numbers out again, and the notifier delivers them again.
create table notification_acks (
    biller_code text primary key,
    acked       int8multirange not null default '{}',
    retried_at  timestamptz            -- the operator's last retry: the age that parks counts from here
);

-- The operator queue: notifications that kept failing past the maximum age.
create table notification_parked (
    biller_code      text not null,
    sequence         bigint not null,
    switch_reference text not null,
    kind             text not null,
    amount           bigint not null,
    currency         smallint not null,
    committed_at     timestamptz not null,
    parked_at        timestamptz not null default now(),
    last_error       text,
    primary key (biller_code, sequence)
);

-- Notifications the biller answered "rejected": exceptions, refunded through settlement.
create table notification_rejections (
    biller_code      text not null,
    sequence         bigint not null,
    switch_reference text not null,
    reason           text,
    answered_at      timestamptz not null default now(),
    primary key (biller_code, sequence)
);

-- An approval its flow turned into the 91 its bank heard after the commit (PostgresPaymentJournal.DeclineLateApprovalAsync)
-- although PostgreSQL committed it in time: it may already have been dispatched, so the biller is told it was
-- cancelled, and the switch reference the decline erased is kept for its notification.
create table payment_late_declines (
    bank_code        text not null,
    reference        text not null,
    local_date       text not null,
    switch_reference text not null,
    tx               bigint not null default pg_current_xact_id()::text::bigint,
    primary key (bank_code, reference, local_date)
);
create index payment_late_declines_by_tx on payment_late_declines (tx);

-- Ranges of 16 pages instead of 128: a dispatch (a fifth of a second of payments, some 25 pages at 5,000 a second)
-- then reads at most two ranges' pages. The dispatch summarizes new ranges itself (brin_summarize_new_values) rather
-- than leave them to autovacuum: an unsummarized range is read whole by every scan.
drop index payments_by_tx;
create index payments_by_tx on payments using brin (tx) with (pages_per_range = 16, autosummarize = on);
drop index reversals_by_tx;
create index reversals_by_tx on reversals using brin (tx) with (pages_per_range = 16, autosummarize = on);
