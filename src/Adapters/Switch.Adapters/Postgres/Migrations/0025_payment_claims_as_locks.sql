-- Payment claims (0014) are session advisory locks now (PostgresPaymentClaims): a claim lasts exactly as long as its
-- attempt and its node's session, and costs PostgreSQL no row, index entry or purge. The table goes.
drop table payment_claims;
