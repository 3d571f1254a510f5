using System.Security.Cryptography;
using System.Text;
using Switch.Billing;
using Switch.Positions;

namespace Switch.Transactions;

/// <summary>
/// Inquiry and payment, the same for every edge: validate (biller, enrolment, bill, rules) → reserve the bank's
/// position → durable commit → answer. An approval is returned only after the journal has committed it
/// (guarantee 1); a repeated key gets the first answer, or 94 when its content differs (guarantee 2).
/// </summary>
public sealed class TransactionFlow(
    IBillerCatalog billers,
    IBillStore bills,
    IPaymentJournal journal,
    IPositions positions,
    TimeProvider time,
    TimeSpan reversalTimeLimit)
{
    private readonly KeyedLock _accounts = new();

    public async Task<InquiryReply> InquireAsync(InquireBill inquiry, CancellationToken cancellationToken)
    {
        var biller = await billers.FindAsync(inquiry.BillerCode, cancellationToken);
        if (PaymentCheck.Admit(biller, inquiry.Key.Bank, inquiry.Channel, inquiry.AccountNumber) is { } refusal)
        {
            return new InquiryReply(refusal, null);
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

        var open = accountBills.Count(b => b.Status == BillStatus.Open && b.Outstanding > 0);
        return new InquiryReply(ResponseCodes.Approved, new BillDetails(bill!.BillNumber, MaskName(bill.CustomerName), bill.Outstanding, bill.DueDate,
            bill.ExpiryDate, PaymentCheck.Range(biller, bill.Outstanding), biller.Rule, open, Fee: 0));
    }

    public async Task<PaymentReply> PayAsync(PayBill payment, CancellationToken cancellationToken)
    {
        var fingerprint = Fingerprint(payment);
        var biller = await billers.FindAsync(payment.BillerCode, cancellationToken);
        if (PaymentCheck.Admit(biller, payment.Key.Bank, payment.Channel, payment.AccountNumber) is { } refusal)
        {
            return await JournalAsync(payment, fingerprint, null, refusal, cancellationToken);
        }

        if (biller!.Mode != PresentmentMode.Hosted)
        {
            return await SettleAsync(payment, fingerprint, biller, null, cancellationToken);
        }

        // One payment at a time per account: its bills are read, checked and credited (the journal commit credits
        // them) before the next payment looks, so two payments can never both settle the same bill.
        using (await _accounts.AcquireAsync($"{biller.Code}|{payment.AccountNumber}", cancellationToken))
        {
            var bill = PaymentCheck.Choose(await bills.FindAsync(biller.Code, payment.AccountNumber, cancellationToken), payment.BillNumber);
            return await SettleAsync(payment, fingerprint, biller, bill, cancellationToken);
        }
    }

    /// <summary>
    /// Reverses an approved payment of the same bank (its key is the original's 32, 37 and 13): 00 when reversed or
    /// already reversed (a repeat), 25 when there is no such approval, 13 when the amount is not the original's,
    /// 57 after the reversal time limit. The bank's position goes down by the amount.
    /// </summary>
    public async Task<ReversalReply> ReverseAsync(ReversePayment reversal, CancellationToken cancellationToken)
    {
        var outcome = await journal.ReverseAsync(reversal.Original, reversal.Amount, reversalTimeLimit, cancellationToken);
        if (outcome == ReversalOutcome.Reversed)
        {
            positions.Reverse(reversal.Original.Bank, reversal.Amount);
        }

        return new ReversalReply(outcome switch
        {
            ReversalOutcome.Reversed or ReversalOutcome.AlreadyReversed => ResponseCodes.Approved,
            ReversalOutcome.NotFound => ResponseCodes.OriginalNotFound,
            ReversalOutcome.AmountDiffers => ResponseCodes.InvalidAmount,
            _ => ResponseCodes.NotPermitted,
        });
    }

    private async Task<PaymentReply> SettleAsync(PayBill payment, byte[] fingerprint, Biller biller, Bill? bill, CancellationToken cancellationToken)
    {
        if (PaymentCheck.Refuse(biller, bill, payment.Amount, payment.Currency, Today) is { } refusal)
        {
            return await JournalAsync(payment, fingerprint, bill, refusal, cancellationToken);
        }

        // Each attempt reserves under its own id, so a duplicate releases only what it reserved itself.
        var reservation = Guid.NewGuid().ToString("N");
        if (!await positions.ReserveAsync(payment.Key.Bank, reservation, payment.Amount, cancellationToken))
        {
            return await JournalAsync(payment, fingerprint, bill, ResponseCodes.NetDebitCapExceeded, cancellationToken);
        }

        // If the journal fails, the commit may or may not have happened: the reservation is kept, erring on the side of the cap.
        var reply = await JournalAsync(payment, fingerprint, bill, ResponseCodes.Approved, cancellationToken);
        if (reply.Approved && reply.FirstAnswer)
        {
            positions.Confirm(payment.Key.Bank, reservation);
        }
        else
        {
            positions.Release(payment.Key.Bank, reservation);
        }

        return reply;
    }

    private DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    private async Task<PaymentReply> JournalAsync(PayBill payment, byte[] fingerprint, Bill? bill, string code, CancellationToken cancellationToken)
    {
        var approved = code == ResponseCodes.Approved;
        var reference = approved ? NewSwitchReference() : null;
        var entry = new JournalEntry(payment.Key, fingerprint, payment.BillerCode, payment.AccountNumber, bill?.Id, Math.Max(payment.Amount, 0),
            payment.Currency, payment.Channel, code, reference, approved ? reference![^6..] : null);
        if (await journal.AppendAsync(entry, cancellationToken) == JournalOutcome.Written)
        {
            return Reply(entry, ours: true);
        }

        var first = await journal.FindAsync(payment.Key, cancellationToken)
            ?? throw new InvalidOperationException($"Payment {payment.Key} is a duplicate but was not found.");
        return first.Fingerprint.AsSpan().SequenceEqual(fingerprint)
            ? Reply(first, ours: false)
            : new PaymentReply(ResponseCodes.Duplicate, null, null, null, 0);
    }

    private static PaymentReply Reply(JournalEntry entry, bool ours) =>
        new(entry.ResponseCode, entry.SwitchReference, entry.ApprovalCode, entry.SwitchReference is { } r ? ReceiptCode(r) : null, 0) { FirstAnswer = ours };

    /// <summary>What makes two payments with one key the same payment.</summary>
    private static byte[] Fingerprint(PayBill payment) => SHA256.HashData(Encoding.UTF8.GetBytes(
        $"{payment.BillerCode}|{payment.AccountNumber}|{payment.BillNumber}|{payment.Channel}|{payment.Amount}|{payment.Currency}|{payment.PayerAccount}"))[..16];

    private static string NewSwitchReference() => "SW" + Convert.ToHexString(RandomNumberGenerator.GetBytes(7));

    private static string ReceiptCode(string switchReference) => Convert.ToHexString(SHA256.HashData(Encoding.ASCII.GetBytes(switchReference)))[..8];

    /// <summary>Initials and stars: what the spec's NM carries (M*** A***).</summary>
    private static string MaskName(string name) =>
        string.Join(' ', name.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(word => word[0] + "***"));

    /// <summary>The payment journaled under this key and what became of it (REST: by Idempotency-Key), or null.</summary>
    public Task<PaymentRecord?> FindPaymentAsync(RequestKey key, CancellationToken cancellationToken) => journal.FindRecordAsync(key, cancellationToken);

    /// <summary>The bank's payment with this switch reference, made over either edge, or null; never another bank's.</summary>
    public Task<PaymentRecord?> FindPaymentAsync(string bank, string switchReference, CancellationToken cancellationToken) =>
        journal.FindByReferenceAsync(bank, switchReference, cancellationToken);

    /// <summary>The receipt code (spec RV) an approval under this switch reference carries, for answers rebuilt from the journal.</summary>
    public static string ReceiptFor(string switchReference) => ReceiptCode(switchReference);
}
