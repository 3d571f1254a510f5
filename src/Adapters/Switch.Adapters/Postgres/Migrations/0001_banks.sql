-- Member banks: who may connect, and how. The central bank's limits per bank come with the transaction core.
create table banks (
    code            text primary key check (code ~ '^[0-9]{1,11}$'),
    name_en         text not null,
    name_ar         text not null,
    status          text not null default 'active' check (status in ('active', 'suspended')),
    mac_required    boolean not null default false,
    mac_key         bytea check (mac_key is null or length(mac_key) = 32),
    max_connections integer not null default 8 check (max_connections > 0),
    created_at      timestamptz not null default now(),
    check (not mac_required or mac_key is not null)
);

-- Two demo banks. The key of 100002 is a published demo key, for the demo and tests only.
insert into banks (code, name_en, name_ar, mac_required, mac_key) values
    ('100001', 'Demo Bank One', 'البنك التجريبي الأول', false, null),
    ('100002', 'Demo Bank Two', 'البنك التجريبي الثاني', true,
     decode('6d61632d6b65792d6f662d64656d6f2d62616e6b2d3130303030322d2d2d2d21', 'hex'));
