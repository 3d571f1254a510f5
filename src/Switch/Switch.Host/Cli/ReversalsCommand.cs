using System.CommandLine;
using System.Globalization;
using Switch.Adapters.Postgres;
using ReversalException = Switch.Transactions.ReversalException;
using IPaymentJournal = Switch.Transactions.IPaymentJournal;

namespace Switch.Host.Cli;

/// <summary>
/// <c>switch reversals exceptions [--bank] [--biller]</c>: the reversal report, the advices the switch acknowledged but
/// could not apply, for the banks and billers to settle between them.
/// </summary>
public static class ReversalsCommand
{
    public static Command Create()
    {
        var bank = new Option<string?>("--bank") { Description = "Only this bank's reversals (participant code)." };
        var biller = new Option<string?>("--biller") { Description = "Only reversals of this biller's payments (biller code)." };
        var exceptions = new Command("exceptions", "List the reversals recorded as exceptions (not applied), oldest first, with the reason.") { bank, biller };
        exceptions.SetAction(async (result, cancellationToken) =>
        {
            await using var app = SwitchHost.Build([]);
            // Like every verb, it works on a fresh database too.
            await app.Services.GetRequiredService<MigrationRunner>().ApplyAsync(cancellationToken);
            var rows = await app.Services.GetRequiredService<IPaymentJournal>()
                .ListReversalExceptionsAsync(result.GetValue(bank), result.GetValue(biller), cancellationToken);
            Console.Write(Format(rows));
            return 0;
        });
        var command = new Command("reversals", "Reversal reports.");
        command.Subcommands.Add(exceptions);
        return command;
    }

    /// <summary>One line per exception, tab-separated under a header, amounts in minor units.</summary>
    public static string Format(IReadOnlyList<ReversalException> rows)
    {
        var text = new System.Text.StringBuilder("recorded_at\treversal\tbank\treference\tlocal_date\tpayment\tbiller\tamount\tpayment_amount\tcurrency\treason\tedge\n");
        foreach (var row in rows)
        {
            text.AppendJoin('\t', row.RecordedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), row.SwitchReference, row.Original.Bank,
                row.Original.Reference, row.Original.LocalDate, row.PaymentReference ?? "", row.BillerCode, row.Amount.Minor.ToString(CultureInfo.InvariantCulture),
                row.PaymentAmount.Minor.ToString(CultureInfo.InvariantCulture), row.PaymentAmount.Currency.Numeric.ToString("D3", CultureInfo.InvariantCulture), row.Reason,
                row.Edge.ToString().ToLowerInvariant()).Append('\n');
        }

        return text.ToString();
    }
}
