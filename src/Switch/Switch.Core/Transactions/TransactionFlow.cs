using System.Security.Cryptography;
using System.Text;
using Switch.Billing;
using Switch.Monetary;
using Switch.Positions;

namespace Switch.Transactions;

/// <summary>
/// Inquiry and payment, the same for every edge: validate (biller, enrolment, bill, rules) → reserve the bank's
/// position → durable commit → answer. An approval is returned only after the journal has committed it
/// (guarantee 1); a repeated key gets the first answer, or 94 when its content differs (guarantee 2).
/// The edges answer 91 when <paramref name="requestTimeout"/> passes; a payment not committed as approved by then
/// is journaled as that 91, so the journal, a repeat and the bank's position all agree with what the bank heard.
/// </summary>
public sealed class TransactionFlow(
    IBillerCatalog billers,
    IBillStore bills,
    IPaymentJournal journal,
    IPositions positions,
    TimeProvider time,
    TimeSpan requestTimeout,
    TimeSpan reversalTimeLimit,
    ReceiptCodes receipts,
    SwitchReferences references,
    ApprovalCodes approvalCodes,
    IPaymentClaims? claims = null)
{
    /// <summary>How often a repeat waiting for another node's attempt at its key looks at the journal again.</summary>
    public static readonly TimeSpan RepeatPoll = TimeSpan.FromMilliseconds(50);

    private readonly KeyedLock<RequestKey> _requests = new();
    private readonly KeyedLock<string> _accounts = new();

    public async Task<InquiryReply> InquireAsync(InquireBill inquiry, CancellationToken cancellationToken)
    {
        var biller = await billers.FindAsync(inquiry.BillerCode, cancellationToken);
        var now = time.GetUtcNow();
        if (PaymentCheck.Admit(biller, inquiry.Key.Bank, inquiry.Channel, inquiry.AccountNumber, now) is { } refusal)
        {
            return new InquiryReply(refusal, null) { Maintenance = refusal == ResponseCodes.Unavailable ? biller!.MaintenanceAt(now) : null };
        }

        if (biller!.Mode != PresentmentMode.Hosted)
        {
            // Prepaid accounts have nothing due: the account is valid and any amount within limits is accepted.
            return new InquiryReply(ResponseCodes.Approved, null);
        }

        var accountBills = await bills.FindAsync(biller.Code, inquiry.AccountNumber, cancellationToken);
        var bill = PaymentCheck.Choose(accountBills, inquiry.BillNumber);
        if (PaymentCheck.BillProblem(bill, Today) is { } problem)
        {
            return new InquiryReply(problem, null);
        }

        var open = accountBills.Count(b => b.Status == BillStatus.Open && b.Outstanding.IsPositive);
        return new InquiryReply(ResponseCodes.Approved, new BillDetails(bill!.BillNumber, MaskName(bill.CustomerName), bill.Outstanding, bill.DueDate,
            bill.ExpiryDate, PaymentCheck.Range(biller, bill.Outstanding), biller.Rule, open, Fee: Money.Zero(biller.Currency)));
    }

    /// <param name="receivedAt">When the edge started counting the request timeout: the flow's deadline must not be later than the edge's.</param>
    public async Task<PaymentReply> PayAsync(PayBill payment, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        // One attempt per key at a time, from the start. A repeat that arrives while its original is still on its way to
        // the journal (delayed past the timeout, its bank already answered 91) waits for it and hears the 91 it journals,
        // instead of overtaking it and being approved under a key whose first answer was 91.
        using (await _requests.AcquireAsync(payment.Key, cancellationToken))
        {
            if (claims is null)
            {
                return await PayInTurnAsync(payment, receivedAt, cancellationToken);
            }

            return await PayClaimedAsync(claims, payment, receivedAt, cancellationToken);
        }
    }

    /// <summary>
    /// The per-key lock above lives in one process; across nodes the key is claimed in the shared store first. Without
    /// it, a repeat sent to node B while its original on node A is held on its way to the journal (A's bank already
    /// answered 91) finds no journal row and is approved, and A's late 91 then loses to it: the key's first answer was 91
    /// but the journal says 00. With it, the repeat finds the key claimed and waits for what A journals; if that is not
    /// there by the repeat's own answer-by, the repeat answers 91 too and journals nothing, so whichever answer A's row
    /// gives (91 when it lands late: A's approve-by is long past), the bank heard nothing else. A claim lasts as long as its
    /// attempt: it is given up when the attempt ends, whatever its end, and a later repeat then finds the journal row (its
    /// own insert of the key gives way to it). A claim that cannot be made (PostgreSQL unreachable) leaves the attempt
    /// unclaimed: it can journal nothing either unless PostgreSQL is back by then, and it still takes its bank's position
    /// as before.
    /// </summary>
    private async Task<PaymentReply> PayClaimedAsync(IPaymentClaims claims, PayBill payment, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        var deadline = new Deadline(receivedAt, requestTimeout);
        bool ours;
        try
        {
            ours = await claims.ClaimAsync(payment.Key, cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            return await PayInTurnAsync(payment, receivedAt, cancellationToken);
        }

        while (!ours)
        {
            if (await journal.FindAsync(payment.Key, cancellationToken) is { } first)
            {
                return first.Fingerprint.AsSpan().SequenceEqual(Fingerprint(payment))
                    ? Reply(first, ours: false)
                    : new PaymentReply(ResponseCodes.Duplicate, null, null, null, Money.Zero(payment.Amount.Currency));
            }

            if (deadline.Passed(time))
            {
                // The other attempt is still on its way: what it journals is the key's answer; this one heard 91 from its edge.
                return TooLate(payment.Amount.Currency);
            }

            await Task.Delay(RepeatPoll, time, cancellationToken);
            ours = await claims.ClaimAsync(payment.Key, cancellationToken);
        }

        try
        {
            return await PayInTurnAsync(payment, receivedAt, cancellationToken);
        }
        finally
        {
            claims.Release(payment.Key);
        }
    }

    private async Task<PaymentReply> PayInTurnAsync(PayBill payment, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        var deadline = new Deadline(receivedAt, requestTimeout);
        var fingerprint = Fingerprint(payment);
        var biller = await billers.FindAsync(payment.BillerCode, cancellationToken);
        if (PaymentCheck.Admit(biller, payment.Key.Bank, payment.Channel, payment.AccountNumber, time.GetUtcNow()) is { } refusal)
        {
            return await JournalAsync(payment, fingerprint, null, refusal, null, deadline, cancellationToken);
        }

        // One payment at a time per account in this process: its bills are read, checked and credited (the journal commit
        // credits them) before the next payment looks, so payments of one account on one node never race. This is only
        // the fast path: payments of one account on several nodes are judged by the journal's commit itself against the
        // bill as committed (B1 or 13 when the rule no longer allows it). Routing accounts to one node would cost every
        // payment a cluster hop to spare a refusal that only concurrent payments of one bill on two nodes can meet.
        using (await _accounts.AcquireAsync($"{biller!.Code}|{payment.AccountNumber}", cancellationToken))
        {
            var bill = biller.Mode == PresentmentMode.Hosted
                ? PaymentCheck.Choose(await bills.FindAsync(biller.Code, payment.AccountNumber, cancellationToken), payment.BillNumber)
                : null;
            return await SettleAsync(payment, fingerprint, biller, bill, deadline, cancellationToken);
        }
    }

    /// <summary>
    /// Records a reversal of an approved payment of the same bank (its key is the original's 32, 37 and 13): 00 when it
    /// is applied or recorded as an exception (an advice the bank has already acted on is never refused), also for a
    /// repeat of the same amount; 25 when there is no such approval; 94 when a reversal of it with another amount is
    /// already recorded. Only an applied reversal takes the amount off the bank's position.
    /// </summary>
    public async Task<ReversalReply> ReverseAsync(ReversePayment reversal, CancellationToken cancellationToken)
    {
        var result = await journal.ReverseAsync(
            new ReversalEntry(references.Next(), reversal.Original, reversal.Amount, reversal.Edge, reversal.OriginalTrace), reversalTimeLimit, cancellationToken);
        if (result is { Outcome: ReversalOutcome.Applied, Repeat: false })
        {
            positions.Reverse(reversal.Original.Bank, reversal.Amount);
        }

        return result.Outcome switch
        {
            ReversalOutcome.Applied => new ReversalReply(ResponseCodes.Approved),
            ReversalOutcome.Exception => new ReversalReply(ResponseCodes.Approved) { ExceptionReason = result.Reason },
            ReversalOutcome.NotFound => new ReversalReply(ResponseCodes.OriginalNotFound),
            _ => new ReversalReply(ResponseCodes.Duplicate),
        };
    }

    private async Task<PaymentReply> SettleAsync(
        PayBill payment, byte[] fingerprint, Biller biller, Bill? bill, Deadline deadline, CancellationToken cancellationToken)
    {
        if (PaymentCheck.Refuse(biller, bill, payment.Amount, Today) is { } refusal)
        {
            return await JournalAsync(payment, fingerprint, bill, refusal, null, deadline, cancellationToken);
        }

        // The attempt's switch reference names its reservation: a duplicate releases only what it reserved itself,
        // and a journal entry tells which attempt it came from.
        var reference = references.Next();
        var bank = payment.Key.Bank;
        bool granted;
        try
        {
            granted = await positions.ReserveAsync(bank, reference, payment.Amount.Minor, deadline.ApproveBy, cancellationToken);
        }
        catch (PositionUnavailableException)
        {
            // The bank's position cannot be reached now (its node lost, its shard moving): 91 at once, journaled as heard.
            return await JournalAsync(payment, fingerprint, bill, ResponseCodes.Unavailable, null, deadline, cancellationToken);
        }

        if (!granted)
        {
            return await JournalAsync(payment, fingerprint, bill, ResponseCodes.NetDebitCapExceeded, null, deadline, cancellationToken);
        }

        // From here the flow runs to its end even if the bank's connection goes, so the reservation is settled either way.
        // The approval code is almost always at hand; the first of the bank's day, or one whose block is late, waits for
        // the database, and when it cannot be had nothing was written, so the reservation goes back at once.
        Approval approval;
        try
        {
            approval = new Approval(reference, await approvalCodes.NextAsync(bank, CancellationToken.None));
        }
        catch
        {
            positions.Release(bank, reference);
            throw;
        }

        // If the journal fails, the commit may or may not have happened: the position actor holds the reservation until
        // it is overdue and then asks the journal whether this attempt's approval is there.
        var reply = await JournalAsync(payment, fingerprint, bill, ResponseCodes.Approved, approval, deadline, CancellationToken.None);
        if (reply.Approved && reply.FirstAnswer && deadline.Passed(time) && await journal.DeclineLateApprovalAsync(payment.Key, CancellationToken.None))
        {
            // Committed after the bank was answered 91: it becomes that 91, so a repeat hears the same.
            reply = TooLate(payment.Amount.Currency);
        }

        if (reply.Approved && reply.FirstAnswer)
        {
            positions.Confirm(bank, reference);
        }
        else
        {
            positions.Release(bank, reference);
        }

        return reply;
    }

    private DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    /// <param name="approval">The switch reference and approval code of an approval; null for a decline.</param>
    private async Task<PaymentReply> JournalAsync(
        PayBill payment, byte[] fingerprint, Bill? bill, string code, Approval? approval, Deadline deadline, CancellationToken cancellationToken)
    {
        var entry = new JournalEntry(payment.Key, fingerprint, payment.BillerCode, payment.AccountNumber, bill?.Id, Money.Max(payment.Amount, Money.Zero(payment.Amount.Currency)),
            payment.Channel, code, approval?.Reference, approval?.Code) { Trace = payment.Trace };
        var outcome = await journal.AppendAsync(entry, deadline, cancellationToken);
        switch (outcome)
        {
            case JournalOutcome.Written:
                return Reply(entry, ours: true);
            case JournalOutcome.TooLate:
                return TooLate(payment.Amount.Currency);
        }

        var first = await journal.FindAsync(payment.Key, cancellationToken)
            ?? throw new InvalidOperationException($"Payment {payment.Key} is {outcome} but was not found.");
        if (outcome == JournalOutcome.Refused)
        {
            // Journaled with the decline code the commit gave it: that code is this attempt's answer.
            return Reply(first, ours: true);
        }

        return first.Fingerprint.AsSpan().SequenceEqual(fingerprint)
            ? Reply(first, ours: false)
            : new PaymentReply(ResponseCodes.Duplicate, null, null, null, Money.Zero(payment.Amount.Currency));
    }

    /// <summary>The 91 a bank heard because its payment was not committed in time, as the journal keeps it.</summary>
    private static PaymentReply TooLate(Currency currency) => new(ResponseCodes.Unavailable, null, null, null, Money.Zero(currency)) { FirstAnswer = true };

    private PaymentReply Reply(JournalEntry entry, bool ours) =>
        new(entry.ResponseCode, entry.SwitchReference, entry.ApprovalCode, entry.SwitchReference is { } r ? receipts.For(r) : null, Money.Zero(entry.Amount.Currency)) { FirstAnswer = ours };

    /// <summary>What an approval carries: its switch reference (SR) and approval code (38).</summary>
    private sealed record Approval(string Reference, string Code);

    /// <summary>
    /// What makes two payments with one key the same payment. The amount is written as minor units and numeric currency,
    /// as always: the fingerprints already journaled must still match their repeats.
    /// </summary>
    private static byte[] Fingerprint(PayBill payment) => SHA256.HashData(Encoding.UTF8.GetBytes(
        $"{payment.BillerCode}|{payment.AccountNumber}|{payment.BillNumber}|{payment.Channel}|{payment.Amount.Minor}|{payment.Amount.Currency.Numeric}|{payment.PayerAccount}"))[..16];

    /// <summary>Initials and stars: what the spec's NM carries (M*** A***).</summary>
    private static string MaskName(string name) =>
        string.Join(' ', name.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(word => word[0] + "***"));

    /// <summary>The payment journaled under this key and what became of it (REST: by Idempotency-Key), or null.</summary>
    public Task<PaymentRecord?> FindPaymentAsync(RequestKey key, CancellationToken cancellationToken) => journal.FindRecordAsync(key, cancellationToken);

    /// <summary>The bank's payment with this switch reference, made over either edge, or null; never another bank's.</summary>
    public Task<PaymentRecord?> FindPaymentAsync(string bank, string switchReference, CancellationToken cancellationToken) =>
        journal.FindByReferenceAsync(bank, switchReference, cancellationToken);

    /// <summary>The receipt code (spec RV) an approval under this switch reference carries, for answers rebuilt from the journal.</summary>
    public string ReceiptFor(string switchReference) => receipts.For(switchReference);

    /// <summary>Whether <paramref name="code"/> is the receipt code of the approval under this switch reference.</summary>
    public bool IsReceiptCode(string switchReference, string code) => receipts.Verify(switchReference, code);
}
