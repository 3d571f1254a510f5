-- Each bank's committed position (approved, unreversed payments) kept as one row, so a position actor starts by
-- reading a row instead of summing the whole journal, and inserts no longer maintain an index for that sum.
-- Statement triggers keep it equal to the journal whatever writes to payments: one upsert per statement.
create table bank_positions (
    bank_code text primary key references banks,
    committed bigint not null default 0
);

create function bank_positions_after_insert() returns trigger language plpgsql as $$
begin
    insert into bank_positions (bank_code, committed)
    select bank_code, sum(amount) from new_rows
     where response_code = '00' and reversed_at is null group by bank_code order by bank_code
    on conflict (bank_code) do update set committed = bank_positions.committed + excluded.committed;
    return null;
end $$;

create function bank_positions_after_update() returns trigger language plpgsql as $$
begin
    insert into bank_positions (bank_code, committed)
    select bank_code, sum(amount) from (
        select bank_code, amount from new_rows where response_code = '00' and reversed_at is null
        union all
        select bank_code, -amount from old_rows where response_code = '00' and reversed_at is null) changed
     group by bank_code having sum(amount) <> 0 order by bank_code
    on conflict (bank_code) do update set committed = bank_positions.committed + excluded.committed;
    return null;
end $$;

create function bank_positions_after_delete() returns trigger language plpgsql as $$
begin
    insert into bank_positions (bank_code, committed)
    select bank_code, -sum(amount) from old_rows
     where response_code = '00' and reversed_at is null group by bank_code order by bank_code
    on conflict (bank_code) do update set committed = bank_positions.committed + excluded.committed;
    return null;
end $$;

create trigger payments_positions_insert after insert on payments
    referencing new table as new_rows for each statement execute function bank_positions_after_insert();
create trigger payments_positions_update after update on payments
    referencing old table as old_rows new table as new_rows for each statement execute function bank_positions_after_update();
create trigger payments_positions_delete after delete on payments
    referencing old table as old_rows for each statement execute function bank_positions_after_delete();

insert into bank_positions (bank_code, committed)
select bank_code, sum(amount) from payments where response_code = '00' and reversed_at is null group by bank_code;

drop index payments_open_positions;
