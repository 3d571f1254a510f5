-- A bank's position is what it owes and has not settled: approved payments less applied reversals, over windows not yet
-- settled. bank_positions keeps that total (the journal's triggers add at commit; confirming a window takes its part
-- off); these views say the same from the journal itself, so the two can be checked against each other.

-- Each window, and whether what it holds is settled: it was settled, or aborted into a window (in the end) settled.
create view settlement_window_settled as
with recursive chain(id, final_id) as (
    select id, id from settlement_windows where carried_into is null
    union all
    select s.id, c.final_id from settlement_windows s join chain c on s.carried_into = c.id
)
select w.id, w.currency, w.first_epoch, coalesce(w.last_epoch, 9223372036854775807) as last_epoch, f.state = 'settled' as settled
  from chain c join settlement_windows w on w.id = c.id join settlement_windows f on f.id = c.final_id;

-- What each bank owes for payments and reversals in windows not settled (a row of a currency that has no window yet
-- belongs to its first window, not settled either).
create view unsettled_journal as
select p.bank_code, p.amount
  from payments p left join settlement_window_settled s
    on s.currency = p.currency and p.settlement_epoch between s.first_epoch and s.last_epoch
 where p.response_code = '00' and not coalesce(s.settled, false)
union all
select r.bank_code, -r.amount
  from reversals r join payments p using (bank_code, reference, local_date) left join settlement_window_settled s
    on s.currency = p.currency and r.settlement_epoch between s.first_epoch and s.last_epoch
 where r.outcome = 'applied' and not coalesce(s.settled, false);
