-- Operator actions taken at the command line on a switch host are audited too. They carry no API key: the actor is
-- the operating-system account that ran the command ("cli:<user>@<host>"), as the host's own login records know it.
-- Rows written through an API key name its holder as it was when the action was taken.
alter table audit_log alter column api_key_id drop not null;
alter table audit_log add column actor text;
update audit_log a set actor = k.holder from api_keys k where k.id = a.api_key_id;
alter table audit_log alter column actor set not null;
alter table audit_log add constraint audit_log_actor check (length(actor) between 1 and 200 and (api_key_id is not null or actor like 'cli:%'));
