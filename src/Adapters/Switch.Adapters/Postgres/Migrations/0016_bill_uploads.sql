-- Hosted bills uploaded by their biller. A file is known by its SHA-256: the same file again changes nothing and gets
-- the first answer. Its lines are staged with COPY into bill_upload_lines (unlogged: a crash loses only uploads not yet
-- applied, which the biller sends again) and applied in one transaction, or not at all.
create table bill_uploads (
    id          bigint generated always as identity primary key,
    biller_code text not null references billers,
    file_hash   bytea not null check (length(file_hash) = 32),
    format      text not null check (format in ('csv', 'json')),
    lines       integer not null,
    state       text not null default 'staged' check (state in ('staged', 'applied', 'rejected')),
    created     integer,
    updated     integer,
    cancelled   integer,
    unchanged   integer,
    received_at timestamptz not null default now(),
    applied_at  timestamptz
);
create unique index bill_uploads_applied_once on bill_uploads (biller_code, file_hash) where state = 'applied';

create unlogged table bill_upload_lines (
    upload_id      bigint not null,
    line           integer not null,
    action         text not null,
    bill_number    text not null,
    account_number text not null,
    customer_name  text not null,
    amount_due     bigint not null,
    due_date       date,
    expiry_date    date
);
create index bill_upload_lines_by_upload on bill_upload_lines (upload_id, bill_number);
