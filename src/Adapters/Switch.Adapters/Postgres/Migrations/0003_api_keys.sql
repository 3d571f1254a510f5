-- REST API access: each bank's key is stored only as its SHA-256, and each bank gets a request rate.

alter table banks
    add column api_rate_limit integer not null default 2000 check (api_rate_limit > 0);  -- REST requests per second, across all nodes

create unique index banks_by_api_key on banks (api_key_hash) where api_key_hash is not null;

-- Published demo keys, for the demo and tests only: demo-key-100001 and demo-key-100002.
update banks set api_key_hash = sha256(convert_to('demo-key-' || code, 'UTF8')) where code in ('100001', '100002');
