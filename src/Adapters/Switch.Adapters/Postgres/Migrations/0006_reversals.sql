-- A reversal is a row of its own instead of a stamp on its payment: the billers' notifier can tell it to the biller
-- and settlement can put it in the window in which it happened, not the payment's. A reversal the switch could not
-- apply (an advice past the time limit, of another amount; later a settled window or a biller's final postings) is
-- kept too, as an exception the reversal report lists, so no acknowledged advice is ever lost.
create table reversals (
    switch_reference text primary key,                 -- the reversal's own key
    bank_code        text not null,                     -- the original payment's key: 32, 37, 13 (or the REST Idempotency-Key)
    reference        text not null,
    local_date       text not null,
    amount           bigint not null check (amount >= 0),  -- as the bank reversed it: an exception may differ from the payment's
    created_at       timestamptz not null default now(),
    outcome          text not null check (outcome in ('applied', 'exception')),
    reason           text check (reason ~ '^[a-z_]{1,40}$'),  -- why an exception was not applied: an open set
    edge             text not null check (edge in ('iso', 'rest')),
    unique (bank_code, reference, local_date),         -- one reversal per payment: a repeat finds it
    foreign key (bank_code, reference, local_date) references payments (bank_code, reference, local_date),
    check ((outcome = 'applied') = (reason is null))
);
create index reversals_exceptions on reversals (bank_code, created_at) where outcome = 'exception';

-- The original 0200's STAN (11) and transmission date and time (7), which a 0420's field 90 must name. Null for a
-- payment made over REST: its reversal is matched on the key alone.
alter table payments add column stan text, add column transmitted_at text;

-- Existing stamps become applied rows, named after their payment (a reversal reference never starts with RV otherwise).
insert into reversals (switch_reference, bank_code, reference, local_date, amount, created_at, outcome, edge)
select 'RV' || substr(coalesce(switch_reference, md5(bank_code || '|' || reference || '|' || local_date)), 3, 16),
       bank_code, reference, local_date, amount, reversed_at, 'applied',
       case when local_date = '' then 'rest' else 'iso' end
  from payments where reversed_at is not null;

-- bank_positions (0004) stays approved payments minus applied reversals: the payment triggers now count every
-- approval, and the reversal triggers take applied reversals off.
create or replace function bank_positions_after_insert() returns trigger language plpgsql as $$
begin
    insert into bank_positions (bank_code, committed)
    select bank_code, sum(amount) from new_rows
     where response_code = '00' group by bank_code order by bank_code
    on conflict (bank_code) do update set committed = bank_positions.committed + excluded.committed;
    return null;
end $$;

create or replace function bank_positions_after_update() returns trigger language plpgsql as $$
begin
    insert into bank_positions (bank_code, committed)
    select bank_code, sum(amount) from (
        select bank_code, amount from new_rows where response_code = '00'
        union all
        select bank_code, -amount from old_rows where response_code = '00') changed
     group by bank_code having sum(amount) <> 0 order by bank_code
    on conflict (bank_code) do update set committed = bank_positions.committed + excluded.committed;
    return null;
end $$;

create or replace function bank_positions_after_delete() returns trigger language plpgsql as $$
begin
    insert into bank_positions (bank_code, committed)
    select bank_code, -sum(amount) from old_rows
     where response_code = '00' group by bank_code order by bank_code
    on conflict (bank_code) do update set committed = bank_positions.committed + excluded.committed;
    return null;
end $$;

create function bank_positions_after_reversal_insert() returns trigger language plpgsql as $$
begin
    insert into bank_positions (bank_code, committed)
    select bank_code, -sum(amount) from new_rows
     where outcome = 'applied' group by bank_code order by bank_code
    on conflict (bank_code) do update set committed = bank_positions.committed + excluded.committed;
    return null;
end $$;

create function bank_positions_after_reversal_update() returns trigger language plpgsql as $$
begin
    insert into bank_positions (bank_code, committed)
    select bank_code, sum(amount) from (
        select bank_code, -amount as amount from new_rows where outcome = 'applied'
        union all
        select bank_code, amount from old_rows where outcome = 'applied') changed
     group by bank_code having sum(amount) <> 0 order by bank_code
    on conflict (bank_code) do update set committed = bank_positions.committed + excluded.committed;
    return null;
end $$;

create function bank_positions_after_reversal_delete() returns trigger language plpgsql as $$
begin
    insert into bank_positions (bank_code, committed)
    select bank_code, sum(amount) from old_rows
     where outcome = 'applied' group by bank_code order by bank_code
    on conflict (bank_code) do update set committed = bank_positions.committed + excluded.committed;
    return null;
end $$;

create trigger reversals_positions_insert after insert on reversals
    referencing new table as new_rows for each statement execute function bank_positions_after_reversal_insert();
create trigger reversals_positions_update after update on reversals
    referencing old table as old_rows new table as new_rows for each statement execute function bank_positions_after_reversal_update();
create trigger reversals_positions_delete after delete on reversals
    referencing old table as old_rows for each statement execute function bank_positions_after_reversal_delete();

-- The totals are what they were (approved minus reversed); recounted from the new rows so they provably agree.
update bank_positions set committed = 0;
insert into bank_positions (bank_code, committed)
select bank_code, sum(amount) from (
    select bank_code, amount from payments where response_code = '00'
    union all
    select bank_code, -amount from reversals where outcome = 'applied') journal
 group by bank_code
on conflict (bank_code) do update set committed = excluded.committed;

alter table payments drop column reversed_at;
