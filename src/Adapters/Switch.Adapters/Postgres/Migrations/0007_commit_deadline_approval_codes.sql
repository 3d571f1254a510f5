-- The moment after which a bank can no longer have heard an approval (the flow's answer-by): an approval whose
-- commit timestamp is later was answered 91, and the check at start-up turns it into that 91. Null on declines.
alter table payments add column answer_by timestamptz;

-- The start-up check reads only recent payments. A BRIN index costs next to nothing to keep on a journal that grows
-- in created_at order, where a B-tree would add a write to every insert.
create index payments_created_at_brin on payments using brin (created_at);

-- Approval codes (field 38) are random and unique per bank per UTC day; the journal's insert skips a row whose code
-- is taken and the flow draws another. Codes made before this migration were the tail of the switch reference and
-- repeat within a day, so the index covers only payments from now on.
do $$
begin
    execute format(
        'create unique index payments_approval_codes on payments (bank_code, ((created_at at time zone %L)::date), approval_code)'
        ' where approval_code is not null and created_at >= %L',
        'UTC', now());
end $$;
