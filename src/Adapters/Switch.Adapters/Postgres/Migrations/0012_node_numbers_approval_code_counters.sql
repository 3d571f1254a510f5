-- Switch references and approval codes unique by construction instead of by indexes on random keys.

-- A node's number, taken by every node process when it starts and carried in every switch reference it makes: no two
-- processes ever get the same one (a restart takes a new one), so no two nodes can make the same reference. The row
-- says which process it was, for an operator tracing a reference back to a node. 24 bits: what a reference holds.
create table nodes (
    number     integer generated always as identity (maxvalue 16777215) primary key,
    host       text not null,
    process_id integer not null,
    started_at timestamptz not null default now()
);

-- Approval codes (field 38): each bank's day has one counter, handed out to the nodes in blocks; a node turns each
-- number into a code through a keyed permutation, so a bank's codes of a day never repeat and none has to be checked.
create table approval_code_counters (
    bank_code text not null references banks,
    day       date not null,                            -- UTC, on the switch's clock when the code is handed out
    taken     bigint not null check (taken >= 0),       -- numbers handed out so far: the next block starts here
    primary key (bank_code, day)
);

-- The unique index on random codes (0007) made every approval's insert read and write a random page of it: with the
-- counters it checks nothing any more.
drop index payments_approval_codes;

-- The start-up late-commit check now finds recent payments by their switch reference (references grow with time), on
-- the unique index every payment is written to anyway, so the BRIN index on created_at has no reader left.
drop index payments_created_at_brin;
