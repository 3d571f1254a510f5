-- Attempts at a payment key in progress on any node (IPaymentClaims): a repeat sent to another node than its original
-- finds the original's claim and waits for what it journals. Unlogged: a claim matters only while its attempt can still
-- commit, and a crash of PostgreSQL ends every such attempt (its transaction is gone with it), so claims need neither
-- the WAL nor its flush. Claims are purged some minutes after their answer-by (PostgresPaymentClaims).
create unlogged table payment_claims (
    bank_code  text not null,
    reference  text not null,
    local_date text not null,
    attempt    text not null,
    answer_by  timestamptz not null,
    primary key (bank_code, reference, local_date)
);
