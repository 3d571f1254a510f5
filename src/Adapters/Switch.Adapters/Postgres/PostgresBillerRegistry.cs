using System.Text.Json;
using System.Text.Json.Serialization;
using Npgsql;
using NpgsqlTypes;
using Switch.Billers.Registry;
using Switch.Billing;
using Switch.Monetary;

namespace Switch.Adapters.Postgres;

/// <summary>What became of a registry change.</summary>
public enum RegistryOutcome { Done, NotFound, Invalid, Conflict }

public sealed record RegistryResult(RegistryOutcome Outcome, string? Problem = null, BillerEntry? Entry = null)
{
    public static RegistryResult Invalid(string problem) => new(RegistryOutcome.Invalid, problem);
}

/// <summary>
/// The biller registry in PostgreSQL (tables billers, biller_banks, biller_settlement_changes): every change in one
/// transaction with its audit record (before and after), the biller's row locked meanwhile. The payment path never reads
/// it: it reads <see cref="PostgresBillerCatalog"/>'s snapshot, which picks a change up at its next refresh.
/// </summary>
public sealed class PostgresBillerRegistry(NpgsqlDataSource dataSource)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    private const string Columns = """
        b.code, b.name_en, b.name_ar, b.category, b.services, b.presentment, b.bill_fetch, b.payment_rule, b.minimum_payment, b.maximum_payment,
        b.currency, b.transaction_limit, b.account_pattern, b.parameters, b.channels,
        array(select e.bank_code from biller_banks e where e.biller_code = b.code order by e.bank_code), b.timeout_ms, b.maintenance,
        b.status, b.settlement_iban, b.settlement_bank, b.updated_at,
        p.id, p.iban, p.bank_code, p.requested_by, p.requested_at
        """;

    private const string From = "billers b left join biller_settlement_changes p on p.biller_code = b.code and p.state = 'pending'";

    public async Task<IReadOnlyList<BillerEntry>> ListAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"select {Columns} from {From} order by b.code");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var entries = new List<BillerEntry>();
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(Read(reader));
        }

        return entries;
    }

    public async Task<BillerEntry?> FindAsync(string code, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await FindAsync(connection, null, code, lockRow: false, cancellationToken);
    }

    /// <summary>
    /// Registers a new biller, active at once. A settlement account given with it becomes a change awaiting a second
    /// operator's approval, like any other: no biller is ever paid out to an account only one person vouched for.
    /// </summary>
    public async Task<RegistryResult> CreateAsync(BillerDefinition definition, SettlementAccount? settlement, AuditActor who, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await UnknownBanksAsync(connection, transaction, [.. definition.Banks, .. settlement is null ? Array.Empty<string>() : [settlement.Bank]], cancellationToken) is { } unknown)
        {
            return RegistryResult.Invalid(unknown);
        }

        await using (var insert = new NpgsqlCommand("""
            insert into billers (code, name_en, name_ar, category, services, presentment, bill_fetch, payment_rule, minimum_payment, maximum_payment,
                                 currency, transaction_limit, account_pattern, parameters, channels, timeout_ms, maintenance)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
            on conflict (code) do nothing
            """, connection, transaction))
        {
            AddDefinition(insert, definition);
            if (await insert.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                return new RegistryResult(RegistryOutcome.Conflict, $"there is already a biller {definition.Code}");
            }
        }

        await SetBanksAsync(connection, transaction, definition, cancellationToken);
        if (settlement is not null)
        {
            await InsertChangeAsync(connection, transaction, definition.Code, settlement, who, cancellationToken);
        }

        var after = (await FindAsync(connection, transaction, definition.Code, lockRow: false, cancellationToken))!;
        await PostgresAuditTrail.RecordAsync(transaction, who, "biller.create", Subject(definition.Code), null, State(after), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new RegistryResult(RegistryOutcome.Done, null, after);
    }

    /// <summary>Replaces a biller's definition (its status and settlement account stay as they are).</summary>
    public async Task<RegistryResult> UpdateAsync(BillerDefinition definition, AuditActor who, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await FindAsync(connection, transaction, definition.Code, lockRow: true, cancellationToken) is not { } before)
        {
            return new RegistryResult(RegistryOutcome.NotFound, $"there is no biller {definition.Code}");
        }

        if (await UnknownBanksAsync(connection, transaction, definition.Banks, cancellationToken) is { } unknown)
        {
            return RegistryResult.Invalid(unknown);
        }

        if (definition.Currency != before.Definition.Currency && await HasBillsAsync(connection, transaction, definition.Code, cancellationToken))
        {
            return new RegistryResult(RegistryOutcome.Conflict, "the currency cannot change once the biller has bills: its bills and payments are in it");
        }

        await using (var update = new NpgsqlCommand("""
            update billers set name_en = $2, name_ar = $3, category = $4, services = $5, presentment = $6, bill_fetch = $7, payment_rule = $8,
                   minimum_payment = $9, maximum_payment = $10, currency = $11, transaction_limit = $12, account_pattern = $13, parameters = $14,
                   channels = $15, timeout_ms = $16, maintenance = $17, updated_at = now()
             where code = $1
            """, connection, transaction))
        {
            AddDefinition(update, definition);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        await SetBanksAsync(connection, transaction, definition, cancellationToken);
        var after = (await FindAsync(connection, transaction, definition.Code, lockRow: false, cancellationToken))!;
        await PostgresAuditTrail.RecordAsync(transaction, who, "biller.update", Subject(definition.Code), State(before), State(after), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new RegistryResult(RegistryOutcome.Done, null, after);
    }

    /// <summary>Suspends (banks then get 92 for it) or resumes a biller; suspending a suspended biller is a conflict, not a no-op.</summary>
    public async Task<RegistryResult> SetActiveAsync(string code, bool active, AuditActor who, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await FindAsync(connection, transaction, code, lockRow: true, cancellationToken) is not { } before)
        {
            return new RegistryResult(RegistryOutcome.NotFound, $"there is no biller {code}");
        }

        var status = active ? "active" : "suspended";
        if (before.Status == status)
        {
            return new RegistryResult(RegistryOutcome.Conflict, $"the biller is already {status}");
        }

        await using (var update = new NpgsqlCommand("update billers set status = $2, updated_at = now() where code = $1", connection, transaction))
        {
            update.Parameters.Add(new NpgsqlParameter<string> { TypedValue = code });
            update.Parameters.Add(new NpgsqlParameter<string> { TypedValue = status });
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        var after = before with { Status = status };
        await PostgresAuditTrail.RecordAsync(transaction, who, active ? "biller.resume" : "biller.suspend", Subject(code), State(before), State(after), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new RegistryResult(RegistryOutcome.Done, null, after);
    }

    /// <summary>Asks for a new settlement account; it takes effect only once another operator approves it.</summary>
    public async Task<RegistryResult> RequestSettlementChangeAsync(string code, SettlementAccount account, AuditActor who, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await FindAsync(connection, transaction, code, lockRow: true, cancellationToken) is not { } before)
        {
            return new RegistryResult(RegistryOutcome.NotFound, $"there is no biller {code}");
        }

        if (before.PendingSettlement is not null)
        {
            return new RegistryResult(RegistryOutcome.Conflict, "a settlement account change is already waiting for approval: approve or reject it first");
        }

        if (await UnknownBanksAsync(connection, transaction, [account.Bank], cancellationToken) is { } unknown)
        {
            return RegistryResult.Invalid(unknown);
        }

        await InsertChangeAsync(connection, transaction, code, account, who, cancellationToken);
        var after = (await FindAsync(connection, transaction, code, lockRow: false, cancellationToken))!;
        await PostgresAuditTrail.RecordAsync(transaction, who, "biller.settlement.request", Subject(code), State(before), State(after), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new RegistryResult(RegistryOutcome.Done, null, after);
    }

    /// <summary>
    /// Approves (the account becomes the biller's) or rejects the waiting change. The operator who asked for it can do
    /// neither: 403 material, reported as <see cref="RegistryOutcome.Conflict"/> with the reason.
    /// </summary>
    public async Task<RegistryResult> DecideSettlementChangeAsync(string code, bool approve, AuditActor who, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await FindAsync(connection, transaction, code, lockRow: true, cancellationToken) is not { } before)
        {
            return new RegistryResult(RegistryOutcome.NotFound, $"there is no biller {code}");
        }

        if (before.PendingSettlement is not { } pending)
        {
            return new RegistryResult(RegistryOutcome.NotFound, "no settlement account change is waiting for this biller");
        }

        await using (var requester = new NpgsqlCommand("select requested_key, requested_by from biller_settlement_changes where id = $1", connection, transaction))
        {
            requester.Parameters.Add(new NpgsqlParameter<long> { TypedValue = pending.Id });
            await using var reader = await requester.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var (key, name) = (reader.IsDBNull(0) ? (long?)null : reader.GetInt64(0), reader.GetString(1));
            if ((key is not null && key == who.KeyId) || name == who.Name)
            {
                return new RegistryResult(RegistryOutcome.Conflict, "the change must be decided by another operator than the one who asked for it");
            }
        }

        await using (var decide = new NpgsqlCommand("""
            update biller_settlement_changes set state = $2, decided_by = $3, decided_key = $4, decided_at = now() where id = $1
            """, connection, transaction))
        {
            decide.Parameters.Add(new NpgsqlParameter<long> { TypedValue = pending.Id });
            decide.Parameters.Add(new NpgsqlParameter<string> { TypedValue = approve ? "approved" : "rejected" });
            decide.Parameters.Add(new NpgsqlParameter<string> { TypedValue = who.Name });
            decide.Parameters.Add(new NpgsqlParameter { Value = (object?)who.KeyId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
            await decide.ExecuteNonQueryAsync(cancellationToken);
        }

        if (approve)
        {
            await using var apply = new NpgsqlCommand(
                "update billers set settlement_iban = $2, settlement_bank = $3, updated_at = now() where code = $1", connection, transaction);
            apply.Parameters.Add(new NpgsqlParameter<string> { TypedValue = code });
            apply.Parameters.Add(new NpgsqlParameter<string> { TypedValue = pending.Account.Iban });
            apply.Parameters.Add(new NpgsqlParameter<string> { TypedValue = pending.Account.Bank });
            await apply.ExecuteNonQueryAsync(cancellationToken);
        }

        var after = (await FindAsync(connection, transaction, code, lockRow: false, cancellationToken))!;
        await PostgresAuditTrail.RecordAsync(transaction, who, approve ? "biller.settlement.approve" : "biller.settlement.reject", Subject(code),
            State(before), State(after), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new RegistryResult(RegistryOutcome.Done, null, after);
    }

    /// <summary>An entry as the audit trail records it: the definition as an operator writes it, status and accounts.</summary>
    public static string State(BillerEntry entry) => JsonSerializer.Serialize(new
    {
        definition = BillerDraft.From(entry.Definition),
        status = entry.Status,
        settlementAccount = entry.Settlement,
        pendingSettlementAccount = entry.PendingSettlement,
    }, Json);

    private static string Subject(string code) => $"biller:{code}";

    private static async Task<BillerEntry?> FindAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string code, bool lockRow, CancellationToken cancellationToken)
    {
        if (lockRow)
        {
            await using var lockCommand = new NpgsqlCommand("select 1 from billers where code = $1 for update", connection, transaction);
            lockCommand.Parameters.Add(new NpgsqlParameter<string> { TypedValue = code });
            if (await lockCommand.ExecuteScalarAsync(cancellationToken) is null)
            {
                return null;
            }
        }

        await using var command = new NpgsqlCommand($"select {Columns} from {From} where b.code = $1", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = code });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    private static BillerEntry Read(NpgsqlDataReader reader)
    {
        var currency = Currency.Stored(reader.GetInt16(10));
        Money? Optional(int ordinal) => reader.GetInt64(ordinal) is > 0 and var minor ? new Money(minor, currency) : null;
        var rule = Enum.Parse<PaymentRule>(reader.GetString(7), ignoreCase: true);
        var definition = new BillerDefinition(
            reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
            JsonSerializer.Deserialize<BillerService[]>(reader.GetString(4), Json)!,
            Enum.Parse<PresentmentMode>(reader.GetString(5), ignoreCase: true),
            Enum.Parse<BillFetch>(reader.GetString(6).Replace("_", "", StringComparison.Ordinal), ignoreCase: true),
            rule, rule == PaymentRule.Partial ? Optional(8) : null, rule == PaymentRule.Overpay ? Optional(9) : null,
            currency, new Money(reader.GetInt64(11), currency), reader.GetString(12),
            JsonSerializer.Deserialize<CustomerParameter[]>(reader.GetString(13), Json)!,
            [.. reader.GetFieldValue<string[]>(14).Select(c => Enum.Parse<Channel>(c, ignoreCase: true))],
            reader.GetFieldValue<string[]>(15),
            reader.IsDBNull(16) ? null : TimeSpan.FromMilliseconds(reader.GetInt32(16)),
            JsonSerializer.Deserialize<MaintenanceWindow[]>(reader.GetString(17), Json)!);
        var settlement = reader.IsDBNull(19) ? null : new SettlementAccount(reader.GetString(19), reader.GetString(20));
        var pending = reader.IsDBNull(22) ? null : new PendingSettlementChange(reader.GetInt64(22), new SettlementAccount(reader.GetString(23), reader.GetString(24)),
            reader.GetString(25), reader.GetFieldValue<DateTimeOffset>(26));
        return new BillerEntry(definition, reader.GetString(18), settlement, pending, reader.GetFieldValue<DateTimeOffset>(21));
    }

    private static void AddDefinition(NpgsqlCommand command, BillerDefinition d)
    {
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = d.Code });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = d.NameEn });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = d.NameAr });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = d.Category });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = JsonSerializer.Serialize(d.Services, Json), NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = BillerDraft.Name(d.Mode) });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = BillerDraft.Name(d.Fetch) });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = BillerDraft.Name(d.Rule) });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = d.MinimumPayment?.Minor ?? 0 });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = d.MaximumPayment?.Minor ?? 0 });
        command.Parameters.Add(new NpgsqlParameter<short> { TypedValue = (short)d.Currency.Numeric });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = d.TransactionLimit.Minor });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = d.AccountPattern });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = JsonSerializer.Serialize(d.Parameters, Json), NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. d.Channels.Select(c => c.ToString().ToUpperInvariant())] });
        command.Parameters.Add(new NpgsqlParameter { Value = d.Timeout is { } t ? (int)t.TotalMilliseconds : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = JsonSerializer.Serialize(d.Maintenance, Json), NpgsqlDbType = NpgsqlDbType.Jsonb });
    }

    private static async Task SetBanksAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, BillerDefinition d, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("delete from biller_banks where biller_code = $1 and bank_code <> all($2)")
                {
                    Parameters = { new NpgsqlParameter<string> { TypedValue = d.Code }, new NpgsqlParameter<string[]> { TypedValue = [.. d.Banks] } },
                },
                new NpgsqlBatchCommand("insert into biller_banks (biller_code, bank_code) select $1, unnest($2::text[]) on conflict do nothing")
                {
                    Parameters = { new NpgsqlParameter<string> { TypedValue = d.Code }, new NpgsqlParameter<string[]> { TypedValue = [.. d.Banks] } },
                },
            },
        };
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task InsertChangeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string code, SettlementAccount account, AuditActor who, CancellationToken cancellationToken)
    {
        await using var insert = new NpgsqlCommand("""
            insert into biller_settlement_changes (biller_code, iban, bank_code, requested_by, requested_key) values ($1, $2, $3, $4, $5)
            """, connection, transaction);
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = code });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = account.Iban });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = account.Bank });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = who.Name });
        insert.Parameters.Add(new NpgsqlParameter { Value = (object?)who.KeyId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<string?> UnknownBanksAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<string> banks, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("select array(select unnest($1::text[]) except select code from banks order by 1)", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. banks] });
        var unknown = (string[])(await command.ExecuteScalarAsync(cancellationToken))!;
        return unknown.Length == 0 ? null : $"there is no bank {string.Join(", ", unknown.Take(5))}";
    }

    private static async Task<bool> HasBillsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string code, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("select exists (select 1 from bills where biller_code = $1) or exists (select 1 from payments where biller_code = $1)", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = code });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
