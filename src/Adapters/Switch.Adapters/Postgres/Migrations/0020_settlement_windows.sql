-- Settlement windows: one open window per currency; open -> closed -> settled, or closed -> aborted (its contents are
-- then settled with the window it was carried into).
--
-- Which window a payment or reversal belongs to is decided inside its own commit, whichever node commits it, by a
-- barrier in PostgreSQL rather than by any clock or process:
--   * every row of payments and reversals takes the current settlement epoch as a column default. The first row of a
--     transaction takes the advisory lock K shared and reads the epoch; the lock is held until that transaction ends, so
--     the epoch it read cannot move before its rows are committed (later rows reuse it from a transaction-local setting);
--   * closing a window takes K exclusively: it waits for the commits in flight (milliseconds), and commits that start
--     meanwhile wait for it. Under the lock it ends the window at the current epoch, moves the epoch on and opens the
--     next window, all in one transaction.
-- A window of currency C holds the rows of currency C whose epoch lies in [first_epoch, last_epoch]. One epoch serves
-- every currency, so the default needs no other column of its row; closing C's window ends no other currency's range.
-- The journal writer's SQL is untouched: it simply does not name the column.

create table settlement_epoch (
    singleton boolean primary key default true check (singleton),
    epoch     bigint not null
);
insert into settlement_epoch (epoch) values (1);

create table settlement_windows (
    id           bigint generated always as identity primary key,
    currency     smallint not null,                 -- ISO 4217 numeric
    state        text not null check (state in ('open', 'closed', 'settled', 'aborted')),
    first_epoch  bigint not null,
    last_epoch   bigint,                            -- set when closed; null while open
    opened_at    timestamptz not null default now(),
    closed_at    timestamptz,
    closed_by    text check (closed_by in ('cutoff', 'demand')),
    ended_at     timestamptz,                       -- settled or aborted
    carried_into bigint references settlement_windows, -- an aborted window: the window its contents settle with
    check ((state = 'open') = (last_epoch is null)),
    check ((state = 'aborted') = (carried_into is not null))
);
create unique index settlement_windows_one_open on settlement_windows (currency) where state = 'open';

-- 74 is arbitrary: the key space of advisory locks is the switch's own.
create function settlement_epoch_for_commit() returns bigint language plpgsql volatile as $$
declare
    held text := current_setting('switch.settlement_epoch', true);
begin
    if held is null or held = '' then
        perform pg_advisory_xact_lock_shared(74);
        -- Volatile, so this reads with a snapshot taken now: after a close that this transaction waited for.
        select epoch::text into held from settlement_epoch;
        perform set_config('switch.settlement_epoch', held, true);
    end if;
    return held::bigint;
end $$;

alter table payments add column settlement_epoch bigint;
alter table reversals add column settlement_epoch bigint;
-- Rows made before windows existed belong to the first window of their currency.
update payments set settlement_epoch = 1;
update reversals set settlement_epoch = 1;
alter table payments alter column settlement_epoch set default settlement_epoch_for_commit(), alter column settlement_epoch set not null;
alter table reversals alter column settlement_epoch set default settlement_epoch_for_commit(), alter column settlement_epoch set not null;
-- Epochs only grow as rows are appended, so a block range index finds a window's rows for almost nothing per insert.
create index payments_by_settlement_epoch on payments using brin (settlement_epoch);
create index reversals_by_settlement_epoch on reversals using brin (settlement_epoch);

insert into settlement_windows (currency, state, first_epoch)
select distinct currency, 'open', 1 from billers order by currency;

-- Closes the open window of a currency (opening its first if it has none) and opens the next; returns the closed
-- window and how long the exclusive lock took to get, which is how long the close held up commits at most.
create function close_settlement_window(p_currency smallint, p_by text, out closed_id bigint, out lock_wait interval)
language plpgsql as $$
declare
    started timestamptz := clock_timestamp();
    current_epoch bigint;
begin
    perform pg_advisory_xact_lock(74);
    lock_wait := clock_timestamp() - started;
    select epoch into current_epoch from settlement_epoch for update;
    select id into closed_id from settlement_windows where currency = p_currency and state = 'open' for update;
    if closed_id is null then
        insert into settlement_windows (currency, state, first_epoch)
        values (p_currency, 'open', coalesce((select max(last_epoch) + 1 from settlement_windows where currency = p_currency), 1))
        returning id into closed_id;
    end if;
    update settlement_windows set state = 'closed', last_epoch = current_epoch, closed_at = clock_timestamp(), closed_by = p_by
     where id = closed_id;
    update settlement_epoch set epoch = current_epoch + 1;
    insert into settlement_windows (currency, state, first_epoch) values (p_currency, 'open', current_epoch + 1);
end $$;
