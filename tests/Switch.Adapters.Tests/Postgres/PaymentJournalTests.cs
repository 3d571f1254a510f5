using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Switch.Adapters.Postgres;
using Switch.Billing;
using Switch.Monetary;
using Switch.Transactions;

namespace Switch.Adapters.Tests.Postgres;

public class PaymentJournalTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static JournalEntry Entry(string reference, long amount = 15_000, string code = "00", long? billId = null, byte fingerprint = 1) => new(
        new RequestKey("100001", reference, "1122"), [fingerprint], "ELECT", "1234567890", billId, new Money(amount, Currency.FromNumeric(682)!), Channel.Atm,
        code, code == "00" ? $"SR{reference}" : null, code == "00" ? RandomNumberGenerator.GetString(ApprovalCodePermutation.Characters, 6) : null);

    private static readonly Deadline Later = new(DateTimeOffset.MaxValue, DateTimeOffset.MaxValue);

    private static Deadline Passed => new(DateTimeOffset.UtcNow.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(-1));

    private static string Fresh() => Guid.NewGuid().ToString("N")[..12];

    private PostgresPaymentJournal Journal() => new(postgres.DataSource, NullLogger<PostgresPaymentJournal>.Instance, TimeProvider.System);

    [Fact]
    public async Task Appended_entry_is_found_as_written()
    {
        await using var journal = Journal();
        var entry = Entry(Fresh());

        var outcome = await journal.AppendAsync(entry, Later, default);
        var found = await journal.FindAsync(entry.Key, default);

        Assert.Equal(JournalOutcome.Written, outcome);
        Assert.Equal(entry with { Fingerprint = found!.Fingerprint }, found);
        Assert.Equal(entry.Fingerprint, found.Fingerprint);
    }

    [Fact]
    public async Task Entry_is_found_in_the_currency_it_was_written_in()
    {
        await using var journal = Journal();
        var jod = Currency.FromAlpha("JOD")!;
        var entry = Entry(Fresh()) with { Amount = new Money(1_250, jod) };

        await journal.AppendAsync(entry, Later, default);

        Assert.Equal(new Money(1_250, jod), (await journal.FindAsync(entry.Key, default))!.Amount);
    }

    [Fact]
    public async Task Concurrent_appends_share_commits_and_all_land_once()
    {
        await using var journal = Journal();
        var entries = Enumerable.Range(0, 2000).Select(_ => Entry(Fresh())).ToList();

        var outcomes = await Task.WhenAll(entries.Select(e => journal.AppendAsync(e, Later, default)));
        var stored = await postgres.ScalarAsync<long>(
            "select count(*) from payments where bank_code = '100001' and reference = any($1)", new object[] { entries.Select(e => e.Key.Reference).ToArray() });

        Assert.All(outcomes, o => Assert.Equal(JournalOutcome.Written, o));
        Assert.Equal(2000, stored);
        Assert.True(journal.Batches < 2000, $"expected shared commits, got {journal.Batches} for 2000 entries");
    }

    [Fact]
    public async Task Same_key_twice_is_written_once_and_reported_duplicate_once()
    {
        await using var journal = Journal();
        var reference = Fresh();

        var outcomes = await Task.WhenAll(journal.AppendAsync(Entry(reference), Later, default), journal.AppendAsync(Entry(reference, fingerprint: 2), Later, default));
        var later = await journal.AppendAsync(Entry(reference), Later, default);

        Assert.Equal([JournalOutcome.Written, JournalOutcome.Duplicate], outcomes.Order());
        Assert.Equal(JournalOutcome.Duplicate, later);
        Assert.Equal(1L, await postgres.ScalarAsync<long>("select count(*) from payments where reference = $1", reference));
    }

    [Fact]
    public async Task Approved_payments_add_to_their_bill_and_a_full_payment_marks_it_paid()
    {
        await using var journal = Journal();
        var billId = await postgres.ScalarAsync<long>(
            "insert into bills (biller_code, account_number, bill_number, customer_name, amount_due, due_date) values ('WATER', '9999999999', $1, 'Test', 10000, current_date) returning id",
            $"T-{Fresh()}");

        // WATER takes part payments (the journal's commit holds every approval to its bill's rule).
        await journal.AppendAsync(Entry(Fresh(), amount: 4_000, billId: billId), Later, default);
        await journal.AppendAsync(Entry(Fresh(), amount: 4_000, code: "51", billId: billId), Later, default);
        var afterPart = await postgres.ScalarAsync<long>("select amount_paid from bills where id = $1", billId);
        await journal.AppendAsync(Entry(Fresh(), amount: 6_000, billId: billId), Later, default);

        Assert.Equal(4_000, afterPart);
        Assert.Equal("paid", await postgres.ScalarAsync<string>("select status from bills where id = $1", billId));
    }

    [Fact]
    public async Task Approval_past_its_approve_by_by_the_database_clock_is_journaled_as_91_and_pays_nothing()
    {
        // The switch's clock is an hour behind: only the database's clock, inside the commit, can tell the approval is late.
        await using var journal = new PostgresPaymentJournal(postgres.DataSource, NullLogger<PostgresPaymentJournal>.Instance,
            new FixedTime(DateTimeOffset.UtcNow.AddHours(-1)));
        var billId = await NewBillAsync(10_000);
        var entry = Entry(Fresh(), amount: 10_000, billId: billId);

        var outcome = await journal.AppendAsync(entry, Passed, default);
        var found = await journal.FindAsync(entry.Key, default);

        Assert.Equal(JournalOutcome.TooLate, outcome);
        Assert.Equal(("91", null, null), (found!.ResponseCode, found.SwitchReference, found.ApprovalCode));
        Assert.Equal(0L, await postgres.ScalarAsync<long>("select amount_paid from bills where id = $1", billId));
    }

    [Fact]
    public async Task Late_approval_declined_becomes_91_and_gives_its_bill_back_once()
    {
        await using var journal = Journal();
        var billId = await NewBillAsync(10_000);
        var entry = Entry(Fresh(), amount: 10_000, billId: billId);
        await journal.AppendAsync(entry, Later, default);

        var first = await journal.DeclineLateApprovalAsync(entry.Key, default);
        var again = await journal.DeclineLateApprovalAsync(entry.Key, default);

        Assert.Equal((true, false), (first, again));
        Assert.Equal("91", (await journal.FindAsync(entry.Key, default))!.ResponseCode);
        Assert.Equal((0L, "open"), (await postgres.ScalarAsync<long>("select amount_paid from bills where id = $1", billId),
            await postgres.ScalarAsync<string>("select status from bills where id = $1", billId)));
    }

    [Fact]
    public async Task Bank_positions_follow_the_journal_through_approvals_declines_reversals_and_late_declines()
    {
        await using var journal = Journal();
        var bank = Random.Shared.NextInt64(10_000_000, 99_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await postgres.ScalarAsync<int>("insert into banks (code, name_en, name_ar) values ($1, 'Test', 'بنك') returning 1", bank);
        JournalEntry Of(long amount, string code = "00") => Entry(Fresh(), amount, code) with { Key = new RequestKey(bank, Fresh(), "1122") };
        var (reversed, late) = (Of(2_000), Of(4_000));

        await Task.WhenAll(new[] { Of(1_000), Of(8_000, code: "51"), reversed, late, Of(16_000) }.Select(e => journal.AppendAsync(e, Later, default)));
        await journal.ReverseAsync(Reversal(reversed, 2_000), TimeSpan.FromMinutes(5), default);
        await journal.DeclineLateApprovalAsync(late.Key, default);

        Assert.Equal(17_000L, await CommittedAsync(bank));
        Assert.True(await postgres.ScalarAsync<bool>("""
            select not exists (
                select bank_code, sum(amount) from unsettled_journal group by bank_code having sum(amount) <> 0
                except select bank_code, committed from bank_positions where committed <> 0)
            """));
    }

    [Fact]
    public async Task Reversal_is_a_row_of_its_own_that_gives_bill_and_position_back_once()
    {
        await using var journal = Journal();
        var (bank, billId) = (await NewBankAsync(), await NewBillAsync(10_000));
        var payment = Entry(Fresh(), amount: 10_000, billId: billId) with { Key = new RequestKey(bank, Fresh(), "1122") };
        await journal.AppendAsync(payment, Later, default);

        var first = await journal.ReverseAsync(Reversal(payment, 10_000), TimeSpan.FromMinutes(30), default);
        var repeat = await journal.ReverseAsync(Reversal(payment, 10_000), TimeSpan.FromMinutes(30), default);

        Assert.Equal(new ReversalResult(ReversalOutcome.Applied), first);
        Assert.Equal(new ReversalResult(ReversalOutcome.Applied, Repeat: true), repeat);
        Assert.Equal(PaymentStatus.Reversed, (await journal.FindRecordAsync(payment.Key, default))!.Status);
        Assert.Equal(("applied", 10_000L, "iso"), (await postgres.ScalarAsync<string>("select outcome from reversals where reference = $1", payment.Key.Reference),
            await postgres.ScalarAsync<long>("select amount from reversals where reference = $1", payment.Key.Reference),
            await postgres.ScalarAsync<string>("select edge from reversals where reference = $1", payment.Key.Reference)));
        Assert.Equal((0L, "open"), await BillAsync(billId));
        Assert.Equal(0L, await CommittedAsync(bank));
    }

    [Fact]
    public async Task Reversal_past_the_time_limit_is_an_exception_the_report_lists_and_gives_nothing_back()
    {
        await using var journal = Journal();
        var (bank, billId) = (await NewBankAsync(), await NewBillAsync(10_000));
        var payment = Entry(Fresh(), amount: 10_000, billId: billId) with { Key = new RequestKey(bank, Fresh(), "1122") };
        await journal.AppendAsync(payment, Later, default);
        await postgres.ScalarAsync<int>("update payments set created_at = now() - interval '2 hours' where reference = $1 returning 1", payment.Key.Reference);

        var result = await journal.ReverseAsync(Reversal(payment, 10_000), TimeSpan.FromMinutes(30), default);
        var forBank = await journal.ListReversalExceptionsAsync(bank, null, default);
        var forBiller = await journal.ListReversalExceptionsAsync(null, "ELECT", default);
        var forOtherBiller = await journal.ListReversalExceptionsAsync(bank, "WATER", default);

        Assert.Equal(new ReversalResult(ReversalOutcome.Exception, ReversalReasons.PastTimeLimit), result);
        var listed = Assert.Single(forBank);
        Assert.Equal((payment.Key, payment.SwitchReference, "ELECT", new Money(10_000, Currency.FromAlpha("SAR")!), ReversalReasons.PastTimeLimit, Edge.Iso),
            (listed.Original, listed.PaymentReference, listed.BillerCode, listed.Amount, listed.Reason, listed.Edge));
        Assert.Contains(forBiller, e => e.Original == payment.Key);
        Assert.Empty(forOtherBiller);
        Assert.Equal(PaymentStatus.Approved, (await journal.FindRecordAsync(payment.Key, default))!.Status);
        Assert.Equal((10_000L, "paid"), await BillAsync(billId));
        Assert.Equal(10_000L, await CommittedAsync(bank));
    }

    [Fact]
    public async Task First_reversal_of_another_amount_is_an_exception_and_a_repeat_with_yet_another_amount_is_other_content()
    {
        await using var journal = Journal();
        var (bank, billId) = (await NewBankAsync(), await NewBillAsync(10_000));
        var payment = Entry(Fresh(), amount: 10_000, billId: billId) with { Key = new RequestKey(bank, Fresh(), "1122") };
        await journal.AppendAsync(payment, Later, default);

        var first = await journal.ReverseAsync(Reversal(payment, 9_000), TimeSpan.FromMinutes(30), default);
        var same = await journal.ReverseAsync(Reversal(payment, 9_000), TimeSpan.FromMinutes(30), default);
        var original = await journal.ReverseAsync(Reversal(payment, 10_000), TimeSpan.FromMinutes(30), default);

        Assert.Equal(new ReversalResult(ReversalOutcome.Exception, ReversalReasons.AmountDiffers), first);
        Assert.Equal(new ReversalResult(ReversalOutcome.Exception, ReversalReasons.AmountDiffers, Repeat: true), same);
        Assert.Equal(new ReversalResult(ReversalOutcome.OtherContent), original);
        Assert.Equal(1L, await postgres.ScalarAsync<long>("select count(*) from reversals where reference = $1", payment.Key.Reference));
        Assert.Equal((10_000L, "paid"), await BillAsync(billId));
        Assert.Equal(10_000L, await CommittedAsync(bank));
    }

    [Fact]
    public async Task Reversal_naming_another_stan_or_time_is_not_found_and_one_of_a_rest_payment_matches_on_its_key_and_date()
    {
        await using var journal = Journal();
        var trace = new IsoTrace("000123", "1122153045");
        var iso = Entry(Fresh()) with { Trace = trace };
        var rest = Entry(Fresh()) with { Key = new RequestKey("100001", Fresh(), "") };
        await journal.AppendAsync(iso, Later, default);
        await journal.AppendAsync(rest, Later, default);

        var otherStan = await journal.ReverseAsync(Reversal(iso, iso.Amount.Minor, trace with { Stan = "000124" }), TimeSpan.FromMinutes(30), default);
        var otherTime = await journal.ReverseAsync(Reversal(iso, iso.Amount.Minor, trace with { TransmittedAt = "1122153046" }), TimeSpan.FromMinutes(30), default);
        var named = await journal.ReverseAsync(Reversal(iso, iso.Amount.Minor, trace), TimeSpan.FromMinutes(30), default);
        var today = await postgres.ScalarAsync<string>("select to_char(created_at at time zone 'UTC', 'MMDD') from payments where reference = $1", rest.Key.Reference);
        var otherDay = await journal.ReverseAsync(Reversal(rest, rest.Amount.Minor, trace) with { Original = rest.Key with { LocalDate = today == "0101" ? "0102" : "0101" } },
            TimeSpan.FromMinutes(30), default);
        var byKey = await journal.ReverseAsync(Reversal(rest, rest.Amount.Minor, trace) with { Original = rest.Key with { LocalDate = today } }, TimeSpan.FromMinutes(30), default);

        Assert.Equal((ReversalOutcome.NotFound, ReversalOutcome.NotFound, ReversalOutcome.NotFound), (otherStan.Outcome, otherTime.Outcome, otherDay.Outcome));
        Assert.Equal((ReversalOutcome.Applied, ReversalOutcome.Applied), (named.Outcome, byKey.Outcome));
        Assert.Equal(trace, (await journal.FindAsync(iso.Key, default))!.Trace);
        Assert.Equal(PaymentStatus.Reversed, (await journal.FindRecordAsync(rest.Key, default))!.Status);
    }

    [Fact]
    public async Task Reversal_and_late_decline_of_a_cancelled_bill_give_its_amount_back_and_leave_it_cancelled()
    {
        await using var journal = Journal();
        var (reversedBill, declinedBill) = (await NewBillAsync(10_000), await NewBillAsync(10_000));
        var reversed = Entry(Fresh(), amount: 4_000, billId: reversedBill);
        var declined = Entry(Fresh(), amount: 4_000, billId: declinedBill);
        await journal.AppendAsync(reversed, Later, default);
        await journal.AppendAsync(declined, Later, default);
        await postgres.ScalarAsync<int>("update bills set status = 'cancelled' where id = any($1) returning 1", new object[] { new[] { reversedBill, declinedBill } });

        await journal.ReverseAsync(Reversal(reversed, 4_000), TimeSpan.FromMinutes(30), default);
        await journal.DeclineLateApprovalAsync(declined.Key, default);

        Assert.Equal((0L, "cancelled"), await BillAsync(reversedBill));
        Assert.Equal((0L, "cancelled"), await BillAsync(declinedBill));
    }

    [Fact]
    public async Task Reversal_of_a_declined_or_unknown_payment_is_not_found_and_records_nothing()
    {
        await using var journal = Journal();
        var declined = Entry(Fresh(), code: "51");
        await journal.AppendAsync(declined, Later, default);

        var ofDeclined = await journal.ReverseAsync(Reversal(declined, declined.Amount.Minor), TimeSpan.FromMinutes(30), default);
        var ofUnknown = await journal.ReverseAsync(Reversal(Entry(Fresh()), 15_000), TimeSpan.FromMinutes(30), default);

        Assert.Equal((ReversalOutcome.NotFound, ReversalOutcome.NotFound), (ofDeclined.Outcome, ofUnknown.Outcome));
        Assert.Equal(0L, await postgres.ScalarAsync<long>("select count(*) from reversals where reference = $1", declined.Key.Reference));
    }

    private ReversalEntry Reversal(JournalEntry payment, long amount, IsoTrace? trace = null) =>
        new(postgres.References.Next(), payment.Key, amount, Edge.Iso, trace);

    private async Task<string> NewBankAsync()
    {
        var bank = Random.Shared.NextInt64(10_000_000, 99_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await postgres.ScalarAsync<int>("insert into banks (code, name_en, name_ar) values ($1, 'Test', 'بنك') returning 1", bank);
        return bank;
    }

    private Task<long> CommittedAsync(string bank) =>
        postgres.ScalarAsync<long>("select coalesce((select committed from bank_positions where bank_code = $1), 0)", bank);

    private async Task<(long Paid, string Status)> BillAsync(long billId) =>
        (await postgres.ScalarAsync<long>("select amount_paid from bills where id = $1", billId), await postgres.ScalarAsync<string>("select status from bills where id = $1", billId));

    private Task<long> NewBillAsync(long amountDue) => postgres.ScalarAsync<long>(
        "insert into bills (biller_code, account_number, bill_number, customer_name, amount_due, due_date) values ('ELECT', '9999999999', $1, 'Test', $2, current_date) returning id",
        $"T-{Fresh()}", amountDue);

    [Fact]
    public async Task Unreachable_database_fails_the_append_instead_of_hanging()
    {
        await using var unreachable = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Username=postgres;Timeout=2");
        await using var journal = new PostgresPaymentJournal(unreachable, NullLogger<PostgresPaymentJournal>.Instance, TimeProvider.System);

        await Assert.ThrowsAnyAsync<NpgsqlException>(() => journal.AppendAsync(Entry(Fresh()), Later, default).WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Rows_the_database_refuses_fail_alone_and_the_rest_of_their_batch_commits()
    {
        await using var journal = Journal();
        var bank = await NewBankAsync();
        JournalEntry Of(string account = "1234567890") => Entry(Fresh()) with { Key = new RequestKey(bank, Fresh(), "1122"), AccountNumber = account };
        // The commit before is held on the bank's position row, so everything appended meanwhile waits for one batch.
        Task<JournalOutcome> blocker;
        List<Task<JournalOutcome>> good;
        Task<JournalOutcome> poison;
        Task<JournalOutcome> unsendable;
        await using (var connection = await postgres.DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await using (var hold = new NpgsqlCommand("select 1 from bank_positions where bank_code = $1 for update", connection, transaction))
            {
                hold.Parameters.AddWithValue(bank);
                await hold.ExecuteScalarAsync();
            }

            blocker = journal.AppendAsync(Of(), Later, default);
            await WaitUntilAsync(async () => await postgres.ScalarAsync<long>(
                "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and query like '%unnest%'") > 0);
            good = Enumerable.Range(0, 100).Select(_ => journal.AppendAsync(Of(), Later, default)).ToList();
            poison = journal.AppendAsync(Of("12345\0"), Later, default);
            unsendable = journal.AppendAsync(Of("12345\uD800"), Later, default);
            await transaction.RollbackAsync();
        }

        var refused = await Assert.ThrowsAsync<PostgresException>(() => poison);
        await Assert.ThrowsAnyAsync<Exception>(() => unsendable);
        var outcomes = await Task.WhenAll(good.Append(blocker));

        Assert.Equal(PostgresErrorCodes.CharacterNotInRepertoire, refused.SqlState);
        Assert.All(outcomes, o => Assert.Equal(JournalOutcome.Written, o));
        Assert.Equal(101L, await postgres.ScalarAsync<long>("select count(*) from payments where bank_code = $1", bank));
    }

    [Fact]
    public async Task Approval_committed_after_its_answer_by_is_turned_into_91_at_start_and_gives_its_bill_back()
    {
        await using var journal = Journal();
        var bank = await NewBankAsync();
        var billId = await NewBillAsync(10_000);
        var late = Entry(Fresh(), amount: 10_000, billId: billId) with { Key = new RequestKey(bank, Fresh(), "1122"), SwitchReference = postgres.References.Next() };
        var inTime = Entry(Fresh(), amount: 3_000) with { Key = new RequestKey(bank, Fresh(), "1122"), SwitchReference = postgres.References.Next() };
        // Made two hours ago by its reference: before the check's lookback, so it is not read (and stays as it is).
        var twoHoursAgo = new SwitchReferences(await new NodeIdentity(postgres.DataSource).JoinAsync(default), new ShiftedClock(TimeSpan.FromHours(-2)));
        var older = Entry(Fresh(), amount: 2_000) with { Key = new RequestKey(bank, Fresh(), "1122"), SwitchReference = twoHoursAgo.Next() };
        await journal.AppendAsync(late, Later, default);
        await journal.AppendAsync(inTime, Later, default);
        await journal.AppendAsync(older, Later, default);
        // As if their commits had landed after their answer-by: the rows are written again, with that time in the past.
        await postgres.ScalarAsync<int>("update payments set answer_by = now() - interval '1 minute' where bank_code = $1 and reference = any($2) returning 1",
            bank, new[] { late.Key.Reference, older.Key.Reference });
        var paidBefore = await postgres.ScalarAsync<long>("select amount_paid from bills where id = $1", billId);

        var declined = await journal.DeclineApprovalsCommittedLateAsync(TimeSpan.FromHours(1), default);

        Assert.Equal(10_000L, paidBefore);
        Assert.True(declined >= 1);
        Assert.Equal(("91", "00", "00"), ((await journal.FindAsync(late.Key, default))!.ResponseCode, (await journal.FindAsync(inTime.Key, default))!.ResponseCode,
            (await journal.FindAsync(older.Key, default))!.ResponseCode));
        Assert.Equal((0L, "open"), (await postgres.ScalarAsync<long>("select amount_paid from bills where id = $1", billId),
            await postgres.ScalarAsync<string>("select status from bills where id = $1", billId)));
        Assert.Equal(5_000L, await postgres.ScalarAsync<long>("select committed from bank_positions where bank_code = $1", bank));
    }

    private sealed class ShiftedClock(TimeSpan by) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + by;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var until = DateTime.UtcNow.AddSeconds(10); !await condition(); await Task.Delay(20))
        {
            Assert.True(DateTime.UtcNow < until, "the condition did not hold within 10 s");
        }
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
