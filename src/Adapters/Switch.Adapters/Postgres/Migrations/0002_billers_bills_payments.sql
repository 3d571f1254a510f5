-- The transaction core's tables: billers and their rules, hosted bills, and the payments journal.

alter table banks
    add column net_debit_cap bigint not null default 100000000000 check (net_debit_cap >= 0),  -- minor units (SAR 1,000,000,000.00)
    add column api_key_hash bytea;                                                          -- SHA-256 of the bank's REST API key

create table billers (
    code              text primary key check (code ~ '^[A-Z0-9]{2,12}$'),
    name_en           text not null,
    name_ar           text not null,
    category          text not null,
    currency          smallint not null,                       -- ISO 4217 numeric
    presentment       text not null check (presentment in ('hosted', 'online', 'prepaid')),
    payment_rule      text not null check (payment_rule in ('exact', 'partial', 'overpay', 'any')),
    minimum_payment   bigint not null default 0 check (minimum_payment >= 0),
    maximum_payment   bigint not null default 0 check (maximum_payment >= 0),
    transaction_limit bigint not null check (transaction_limit > 0),
    account_pattern   text not null,
    channels          text[] not null,
    status            text not null default 'active' check (status in ('active', 'suspended'))
);

create table biller_banks (
    biller_code text not null references billers,
    bank_code   text not null references banks,
    primary key (biller_code, bank_code)
);

create table bills (
    id             bigint generated always as identity primary key,
    biller_code    text not null references billers,
    account_number text not null,
    bill_number    text not null,
    customer_name  text not null,
    amount_due     bigint not null check (amount_due > 0),
    amount_paid    bigint not null default 0 check (amount_paid >= 0),
    due_date       date not null,
    expiry_date    date,
    status         text not null default 'open' check (status in ('open', 'paid', 'cancelled')),
    unique (biller_code, bill_number)
);
create index bills_by_account on bills (biller_code, account_number, due_date);

-- Every final answer to a payment, approved or declined, so a repeat gets the first answer (guarantee 2).
-- The unique key is the spec's idempotency key: bank (32), reference (37, or the REST Idempotency-Key), local date (13).
create table payments (
    id               bigint generated always as identity primary key,
    bank_code        text not null references banks,
    reference        text not null,
    local_date       text not null default '',
    fingerprint      bytea not null,                   -- hash of the request's content: same key, other content is 94
    biller_code      text not null,
    account_number   text not null,
    bill_id          bigint references bills,
    amount           bigint not null check (amount >= 0),          -- 0 only on declines of a zero amount
    currency         smallint not null,
    channel          text not null,
    response_code    text not null,
    switch_reference text unique,
    approval_code    text,
    created_at       timestamptz not null default now(),
    reversed_at      timestamptz,
    unique (bank_code, reference, local_date)
);
create index payments_open_positions on payments (bank_code) where response_code = '00' and reversed_at is null;

-- Demo billers (SAR, 2 decimals): one per category and rule.
insert into billers (code, name_en, name_ar, category, currency, presentment, payment_rule, minimum_payment, maximum_payment, transaction_limit, account_pattern, channels) values
    ('ELECT',   'National Electricity',  'الكهرباء الوطنية',      'electricity', 682, 'hosted',  'exact',   0,     0,       5000000, '^[0-9]{10}$',   '{ATM,IB,MB,BR,POS,KSK}'),
    ('WATER',   'National Water',        'المياه الوطنية',        'water',       682, 'hosted',  'partial', 1000,  0,       2000000, '^[0-9]{10}$',   '{ATM,IB,MB,BR}'),
    ('TELCO',   'Telecom Postpaid',      'الاتصالات المفوترة',    'telecom',     682, 'hosted',  'overpay', 0,     5000000, 5000000, '^05[0-9]{8}$',  '{ATM,IB,MB,KSK}'),
    ('TRAFFIC', 'Traffic Violations',    'المخالفات المرورية',    'fines',       682, 'hosted',  'exact',   0,     0,       10000000, '^[0-9]{10}$',  '{IB,MB,BR}'),
    ('TOPUP',   'Mobile Prepaid Top-up', 'شحن الجوال مسبق الدفع', 'telecom',     682, 'prepaid', 'any',     0,     0,       100000,  '^05[0-9]{8}$',  '{ATM,IB,MB,POS,KSK}');
insert into biller_banks (biller_code, bank_code)
    select b.code, k.code from billers b cross join banks k where not (b.code = 'TRAFFIC' and k.code = '100002');

-- Bills for demos and load tests: 30,000 per hosted biller, one open per account, due this month,
-- plus a paid and an expired one on the first accounts so every answer can be shown.
insert into bills (biller_code, account_number, bill_number, customer_name, amount_due, due_date, expiry_date)
select b.code,
       case when b.code = 'TELCO' then '05' || lpad(i::text, 8, '0') else lpad(i::text, 10, '0') end,
       b.code || '-' || lpad(i::text, 8, '0'),
       (array['Mohammad Ali', 'Fatima Hassan', 'Omar Khalid', 'Layla Nasser', 'Yousef Saleh'])[1 + i % 5],
       1000 + (i * 7919) % 99000,
       date '2026-11-01' + (i % 28),
       date '2027-12-31'
from billers b cross join generate_series(1, 30000) as i
where b.presentment = 'hosted';

update bills set amount_paid = amount_due, status = 'paid' where bill_number like '%-00000001';
insert into bills (biller_code, account_number, bill_number, customer_name, amount_due, due_date, expiry_date)
values ('ELECT', '0000000002', 'ELECT-EXPIRED2', 'Fatima Hassan', 5000, date '2025-01-01', date '2025-03-01');
