-- Every bank has its position row from the moment it exists, so the journal's commit rules (0013) no longer make one
-- on a bank's first approval: that insert was one more statement in every group commit, for a row made once.

insert into bank_positions (bank_code) select code from banks order by code on conflict do nothing;

create function bank_positions_for_new_bank() returns trigger language plpgsql as $$
begin
    insert into bank_positions (bank_code) values (new.code) on conflict do nothing;
    return null;
end $$;

create trigger banks_position_row after insert on banks for each row execute function bank_positions_for_new_bank();

-- journal_refusals as in 0013, without the insert of missing position rows.
create or replace function journal_refusals(bank_codes text[], bill_ids bigint[], amounts bigint[], approving boolean[], approve_by timestamptz[])
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
