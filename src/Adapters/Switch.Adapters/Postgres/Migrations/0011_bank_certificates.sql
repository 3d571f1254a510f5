-- Client certificates bound to banks. A table rather than a column: during a renewal a bank presents its old and
-- its new certificate side by side, so it has more than one for a while. The fingerprint is the primary key, so one
-- certificate belongs to one bank only: presenting it says which bank the connection may sign on as.
create table bank_certificates (
    sha256     bytea primary key check (length(sha256) = 32),  -- SHA-256 of the certificate (DER)
    bank_code  text not null references banks (code),
    added_at   timestamptz not null default now()
);

create index bank_certificates_by_bank on bank_certificates (bank_code);

-- A bank that requires a certificate signs on only over TLS with one of its certificates.
alter table banks
    add column certificate_required boolean not null default false;
