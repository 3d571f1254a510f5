using System.Globalization;
using Switch.Adapters.Iso8583;
using Switch.Billing;
using Switch.Monetary;
using Switch.Participants;
using Switch.Transactions;

namespace Switch.Host.Iso;

/// <summary>
/// Translates the spec's 0100 (3=310000) and 0200 (3=500000) into the canonical commands and their replies back
/// into fields 38, 39 and 48. Every request is answered within the configured timeout: when the core is slow the
/// bank hears 91 and a payment that still commits is found by its repeat.
/// </summary>
public sealed class IsoTransactionHandler(
    TransactionFlow flow, SwitchOptions options, TimeProvider time, ILogger<IsoTransactionHandler> logger, Settlement.Calendar.BusinessCalendar calendar)
    : IFinancialRequestHandler
{
    private static readonly Dictionary<string, Channel> Channels = Enum.GetValues<Channel>().ToDictionary(c => c.ToString().ToUpperInvariant());

    public async ValueTask<IsoMessage> HandleAsync(Bank bank, IsoMessageView request, CancellationToken cancellationToken)
    {
        if ((request.Mti, request.GetString(3)) is not ((100, "310000") or (200, "500000") or (420 or 421, "500000")))
        {
            return IsoResponses.To(request, ResponseCodes.InvalidTransaction);
        }

        if (Translate(bank, request, time.GetUtcNow()) is not { } command)
        {
            return IsoResponses.To(request, ResponseCodes.FormatError);
        }

        if (command is Refused refused)
        {
            return IsoResponses.To(request, refused.ResponseCode);
        }

        var receivedAt = time.GetUtcNow();
        try
        {
            Task<Reply> work = command switch
            {
                InquireBill inquiry => Upcast(flow.InquireAsync(inquiry, cancellationToken)),
                PayBill payment => Upcast(flow.PayAsync(payment, receivedAt, cancellationToken)),
                _ => Upcast(flow.ReverseAsync((ReversePayment)command, cancellationToken)),
            };
            var reply = await work.WaitAsync(options.RequestTimeout, cancellationToken);
            return Answer(request, reply);
        }
        catch (TimeoutException)
        {
            logger.LogWarning("{Mti} STAN {Stan} of bank {Bank} not finished within {Timeout}: answered 91", request.MtiText, request.GetString(11), bank.Code, options.RequestTimeout);
            return IsoResponses.To(request, ResponseCodes.Unavailable);
        }
    }

    /// <summary>
    /// The command in the request, or null when a mandatory field is missing or malformed, or a date or time is not
    /// real (answered 30). The key's local date is field 13 bound to its year (<see cref="IsoDates"/>).
    /// </summary>
    private static Command? Translate(Bank bank, IsoMessageView request, DateTimeOffset now)
    {
        if (request.GetString(37) is not { } rrn || request.GetString(13) is not { } field13
            || IsoDates.LocalDate(request.GetString(7), request.GetString(12), field13, now) is not { } localDate)
        {
            return null;
        }

        var key = new RequestKey(bank.Code, rrn, IsoDates.KeyText(localDate));
        if (request.Mti is 420 or 421)
        {
            // The advice carries the original's 37 and 13 and its amount in 4; field 90 names the original 0200: its MTI,
            // STAN (11) and field 7, which the journal checks against the payment's.
            return request.GetString(90) is { Length: 42 } original && original.StartsWith("0200", StringComparison.Ordinal) && request.TryGetInt64(4, out var reversed)
                ? new ReversePayment(key, key, reversed, Edge.Iso, new IsoTrace(original[4..10], original[10..20]))
                : null;
        }

        var elements = request.GetString(48) is { } field48 ? Field48.Parse(field48) : [];
        var tags = elements.DistinctBy(e => e.Key).ToDictionary(e => e.Key, e => e.Value);
        // A tag given twice leaves the request ambiguous: a format error, not a guess.
        if (tags.Count != elements.Count || !tags.TryGetValue("BC", out var biller) || !tags.TryGetValue("AN", out var account)
            || !tags.TryGetValue("CH", out var channelCode) || !Channels.TryGetValue(channelCode, out var channel))
        {
            return null;
        }

        var billNumber = tags.GetValueOrDefault("BN");
        if (request.Mti == 100)
        {
            return new InquireBill(key, biller, account, billNumber, channel);
        }

        if (!request.TryGetInt64(4, out var amount) || !request.TryGetInt64(49, out var numeric))
        {
            return null;
        }

        // A currency the switch does not settle is an amount no payment can carry: 13, as the REST edge answers it.
        return Currency.FromNumeric((int)numeric) is { } currency
            ? new PayBill(key, biller, account, billNumber, channel, new Money(amount, currency), request.GetString(102))
            {
                Trace = request.GetString(11) is { } stan && request.GetString(7) is { } sent ? new IsoTrace(stan, sent) : null,
            }
            : new Refused(key, ResponseCodes.InvalidAmount);
    }

    /// <summary>A request the edge answers itself, with the spec's response code for it, before the core sees it.</summary>
    private sealed record Refused(RequestKey Key, string ResponseCode) : Command(Key);

    private IsoMessage Answer(IsoMessageView request, Reply reply)
    {
        var response = IsoResponses.To(request, reply.ResponseCode);
        var echoed = response.GetString(48) is { } tlv ? Field48.Parse(tlv) : [];
        switch (reply)
        {
            case InquiryReply { Bill: { } bill }:
                echoed.AddRange([
                    new("BN", bill.BillNumber), new("NM", bill.MaskedName), new("DA", Amount(bill.AmountDue)),
                    new("DD", Date(bill.DueDate)), .. bill.ExpiryDate is { } expiry ? [new KeyValuePair<string, string>("XD", Date(expiry))] : Array.Empty<KeyValuePair<string, string>>(),
                    new("MN", Amount(bill.Accepted.Minimum)), new("MX", Amount(bill.Accepted.Maximum)),
                    new("PR", bill.Rule.ToString().ToUpperInvariant()), new("NB", Math.Min(bill.OpenBills, 99).ToString("D2", CultureInfo.InvariantCulture)),
                    new("FE", Amount(bill.Fee))]);
                break;
            case PaymentReply { Approved: true } payment:
                response.Set(38, payment.ApprovalCode!);
                // The business day it settles, from the time in its reference: a repeat days later names the same day.
                response.Set(15, calendar.SettlementDate(SwitchReferences.MadeAt(payment.SwitchReference!) ?? time.GetUtcNow())
                    .ToString("MMdd", CultureInfo.InvariantCulture));
                echoed.AddRange([new("SR", payment.SwitchReference!), new("RV", payment.ReceiptCode!), new("FE", Amount(payment.Fee))]);
                break;
        }

        return echoed.Count > 0 ? response.Set(48, Field48.Build(echoed)) : response;
    }

    private static async Task<Reply> Upcast<T>(Task<T> task) where T : Reply => await task;

    private static string Amount(Money amount) => amount.Minor.ToString("D12", CultureInfo.InvariantCulture);

    private static string Date(DateOnly date) => date.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
}
