-- The cap each bank's position actor last acknowledged it enforces. A cap that differs from it, changed through the
-- switch or edited here directly, is picked up by every node's next cap refresh (Switch:Positions:CapRefresh), and
-- `switch banks set-cap` waits until the two agree.
alter table banks add column cap_applied bigint;
update banks set cap_applied = net_debit_cap;
