-- The journal's commit is the last word on money whichever node sends it: each node's account lock and position
-- actor only keep refusals here rare. Called by the group-commit insert with a batch's rows (array index = the row's
-- place in the batch), it returns the approvals that may no longer stand, with the spec's code:
--   14 the bill was cancelled, B1 nothing is outstanding on it, 13 the amount breaks the biller's rule against what is
--   outstanding now (mirrors PaymentCheck.BillProblem and PaymentCheck.Range), 51 the bank's committed total would pass
--   its net debit cap.
-- Rows are taken in batch order against running totals, so several payments of one bill or one bank in a batch are
-- judged as if committed one after the other; a refused row neither credits its bill nor uses its bank's headroom.
-- The rows it judges against are locked (bills by id, then positions by bank: one order for every node, so commits
-- queue rather than deadlock) until the commit ends: a concurrent commit of another node waits, and FOR UPDATE then
-- reads the version it committed. Expiry is not judged again: the flow checked it a moment before.
-- Waiting for those locks takes time, so an approval's approve-by is checked again once they are held (91: its bank is
-- being answered so), as the insert checks it before: no approval is written after its time because of the wait.
create function journal_refusals(bank_codes text[], bill_ids bigint[], amounts bigint[], approving boolean[], approve_by timestamptz[])
returns table (n bigint, code text) language plpgsql as $$
declare
    bill_keys bigint[]; outstanding bigint[]; bill_status text[]; rule text[]; least_payment bigint[]; most_payment bigint[]; max_payment bigint[];
    bank_keys text[]; headroom bigint[];
    i int; b int; k int; lo bigint; hi bigint; refusal text;
begin
    select array_agg(x.id order by x.id), array_agg(greatest(0, x.amount_due - x.amount_paid) order by x.id), array_agg(x.status order by x.id),
           array_agg(x.payment_rule order by x.id), array_agg(x.minimum_payment order by x.id), array_agg(x.maximum_payment order by x.id),
           array_agg(x.transaction_limit order by x.id)
      into bill_keys, outstanding, bill_status, rule, least_payment, most_payment, max_payment
      from (select bl.id, bl.amount_due, bl.amount_paid, bl.status, br.payment_rule, br.minimum_payment, br.maximum_payment, br.transaction_limit
              from bills bl join billers br on br.code = bl.biller_code
             where bl.id in (select t.id from unnest(bill_ids, approving) as t(id, a) where t.a)
             order by bl.id for update of bl) x;

    -- A bank's first approval has no position row yet: make it, so there is a row to lock.
    insert into bank_positions (bank_code)
    select distinct t.c from unnest(bank_codes, approving) as t(c, a)
     where t.a and not exists (select from bank_positions p where p.bank_code = t.c)
     order by t.c
    on conflict do nothing;

    select array_agg(x.bank_code order by x.bank_code), array_agg(x.room order by x.bank_code)
      into bank_keys, headroom
      from (select p.bank_code, bk.net_debit_cap - p.committed as room
              from bank_positions p join banks bk on bk.code = p.bank_code
             where p.bank_code in (select t.c from unnest(bank_codes, approving) as t(c, a) where t.a)
             order by p.bank_code for update of p) x;

    for i in 1 .. coalesce(cardinality(amounts), 0) loop
        continue when not approving[i];
        refusal := case when approve_by[i] <= clock_timestamp() then '91' end;
        b := case when bill_ids[i] is null then null else array_position(bill_keys, bill_ids[i]) end;
        if b is not null and refusal is null then
            if bill_status[b] = 'cancelled' then
                refusal := '14';
            elsif bill_status[b] = 'paid' or outstanding[b] = 0 then
                refusal := 'B1';
            else
                lo := case rule[b] when 'exact' then outstanding[b] when 'partial' then least(least_payment[b], outstanding[b])
                                   when 'overpay' then outstanding[b] else 1 end;
                hi := case rule[b] when 'exact' then outstanding[b] when 'partial' then outstanding[b]
                                   when 'overpay' then greatest(outstanding[b], most_payment[b]) else max_payment[b] end;
                if amounts[i] < lo or amounts[i] > hi then
                    refusal := '13';
                end if;
            end if;
        end if;

        k := array_position(bank_keys, bank_codes[i]);
        if refusal is null and amounts[i] > headroom[k] then
            refusal := '51';
        end if;

        if refusal is null then
            headroom[k] := headroom[k] - amounts[i];
            if b is not null then
                outstanding[b] := greatest(0, outstanding[b] - amounts[i]);
            end if;
        else
            n := i;
            code := refusal;
            return next;
        end if;
    end loop;
end $$;
