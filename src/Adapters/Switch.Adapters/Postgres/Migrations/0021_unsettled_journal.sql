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

-- The close in one statement (its own transaction): the barrier's lock is then held only inside the server, from its
-- grant to the commit, never across a round trip to the client. It waits at most p_patience for the lock (the caller
-- tries again), and names the window it opened.
create function close_settlement_window_at_once(p_currency smallint, p_by text, p_patience text,
                                                out closed_id bigint, out next_id bigint, out lock_wait interval)
language plpgsql as $$
begin
    perform set_config('lock_timeout', p_patience, true);
    select c.closed_id, c.lock_wait into closed_id, lock_wait from close_settlement_window(p_currency, p_by) c;
    select id into next_id from settlement_windows where currency = p_currency and state = 'open';
end $$;
