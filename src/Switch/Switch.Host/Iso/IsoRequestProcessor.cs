using Switch.Diagnostics;
using Switch.Adapters.Iso8583;
using Switch.Adapters.Secrets;
using Switch.Participants;

namespace Switch.Host.Iso;

/// <summary>The answer to one frame: a response to send (with the MAC key to sign it with, if any), or close.</summary>
public readonly record struct IsoReply(IsoMessage? Response, byte[]? MacKey, bool Close = false, string? Why = null)
{
    public static IsoReply Nothing => default;
}

/// <summary>
/// Turns one received frame into its answer, per the spec: format errors, network management, and the checks
/// every financial request passes (signed on, field 32 is the signed-on bank, MAC) before it is handed on.
/// </summary>
public sealed class IsoRequestProcessor(
    IsoCodec codec,
    IBankDirectory banks,
    BankConnectionPlaces places,
    IFinancialRequestHandler financial,
    BankKeyStore keys,
    IsoListenerOptions options,
    RepeatedFailures failures,
    ILogger<IsoRequestProcessor> logger)
{
    public IsoCodec Codec => codec;

    /// <summary>Unpacks a frame; on failure, the reply is the format-error response or, if not even the MTI of a request is readable, close.</summary>
    public bool TryParse(ReadOnlyMemory<byte> message, IsoSession session, out IsoMessageView? request, out IsoReply failure)
    {
        try
        {
            request = codec.Unpack(message);
            failure = IsoReply.Nothing;
            if (logger.IsEnabled(LogLevel.Debug))
            {
                logger.LogDebug("{Remote} sent {Request}", session.Remote, IsoJson.ToLogLine(request.ToMessage(), codec.Profile));
            }

            return true;
        }
        catch (IsoCodecException e)
        {
            request = null;
            logger.LogWarning("Unreadable message from {Remote} (bank {Bank}): {Error}", session.Remote, session.Bank?.Code ?? "none", e.Message);
            failure = codec.TryReadMti(message.Span, out var mti) && IsoResponses.IsRequest(mti)
                ? Answer(IsoResponses.FormatError(mti), session.Bank)
                : new IsoReply(null, null, Close: true, Why: $"unreadable message: {e.Message}");
            return false;
        }
    }

    /// <summary>Network management runs in the read loop, in order, because it changes what the connection is.</summary>
    public static bool IsNetworkManagement(IsoMessageView request) => request.Mti == 800;

    public async ValueTask<IsoReply> NetworkAsync(IsoSession session, IsoMessageView request, CancellationToken cancellationToken)
    {
        var field32 = request.GetString(32);
        var code = request.GetString(70);
        var claimed = session.Bank ?? (code == NetworkManagement.SignOn && field32 is not null ? await banks.FindAsync(field32, cancellationToken) : null);
        var macKey = claimed?.MacKeyVerifying(key => IsoCodec.VerifyMac(request, key));
        var macValid = macKey is not null;
        var placeFree = code == NetworkManagement.SignOn && session.Bank is null && claimed is not null
            && await places.TryTakeAsync(claimed.Code, claimed.MaxConnections, cancellationToken);
        var decision = NetworkManagement.Decide(code, session.Bank, field32, claimed, macValid, placeFree, session.ClientCertificate);
        if (placeFree && decision.Change != NetworkManagement.SessionChange.Bind)
        {
            places.Release(claimed!.Code);
        }

        // Only a connection that has proven the key gets answers signed with it: a failed sign-on claiming a MAC
        // bank's code must not obtain the switch's MAC over fields of its choosing.
        var macBank = session.Bank ?? (decision.Change == NetworkManagement.SessionChange.Bind ? claimed : null);
        switch (decision.Change)
        {
            case NetworkManagement.SessionChange.Bind:
                session.Bank = await SignedOnUnderAsync(claimed!, macKey, cancellationToken);
                logger.LogInformation("Bank {Bank} signed on from {Remote}", claimed!.Code, session.Remote);
                break;
            case NetworkManagement.SessionChange.Unbind:
                places.Release(session.Bank!.Code);
                logger.LogInformation("Bank {Bank} signed off from {Remote}", session.Bank.Code, session.Remote);
                session.Bank = null;
                break;
        }

        if (decision.Why is not null)
        {
            logger.LogWarning("0800 70={Code} from {Remote} answered {ResponseCode}: {Why}", code, session.Remote, decision.ResponseCode, decision.Why);
        }

        var answer = Answer(IsoResponses.To(request, decision.ResponseCode), macBank, macKey);
        // Each failed sign-on may cost a lookup; a connection guessing participant codes is closed after a few.
        if (code == NetworkManagement.SignOn && decision.ResponseCode != ResponseCodes.Approved && ++session.FailedSignOns >= options.MaxFailedSignOns)
        {
            return answer with { Close = true, Why = $"{session.FailedSignOns} failed sign-ons" };
        }

        return answer;
    }

    /// <summary>Inquiries, payments and reversals, checked against the bank the connection was signed on as when the frame arrived.</summary>
    public async ValueTask<IsoReply> FinancialAsync(Bank? signedOnAs, IsoSession session, IsoMessageView request, CancellationToken cancellationToken)
    {
        string? refusal = null;
        byte[]? macKey = null;
        if (request.Mti is not (100 or 200 or 420 or 421))
        {
            return IsoResponses.IsRequest(request.Mti)
                ? Answer(IsoResponses.To(request, ResponseCodes.InvalidTransaction), signedOnAs)
                : new IsoReply(null, null, Why: $"MTI {request.MtiText} is not a request; ignored");
        }

        if (signedOnAs is null)
        {
            refusal = ResponseCodes.Unavailable;
        }
        else if (request.GetString(32) != signedOnAs.Code)
        {
            refusal = ResponseCodes.SecurityViolation;
        }
        else if (signedOnAs.MacRequired && (macKey = signedOnAs.MacKeyVerifying(key => IsoCodec.VerifyMac(request, key))) is null)
        {
            refusal = ResponseCodes.SecurityViolation;
        }

        if (refusal is not null)
        {
            logger.LogWarning("{Mti} STAN {Stan} from {Remote} refused with {ResponseCode} ({Meaning})",
                request.MtiText, request.GetString(11), session.Remote, refusal, ResponseCodes.Describe(refusal));
            return Answer(IsoResponses.To(request, refusal), signedOnAs);
        }

        try
        {
            return Answer(await financial.HandleAsync(signedOnAs!, request, cancellationToken), signedOnAs, macKey);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (failures.Next(e) is (true, var notLogged))
            {
                logger.LogError(e, "{Mti} STAN {Stan} from bank {Bank} failed: answered 96 ({NotLogged} failures like it since the last logged)",
                    request.MtiText, request.GetString(11), signedOnAs!.Code, notLogged);
            }

            return Answer(IsoResponses.To(request, ResponseCodes.SystemMalfunction), signedOnAs, macKey);
        }
    }

    /// <summary>
    /// The bank as the connection is now signed on: a sign-on under the bank's next MAC key ends its rotation, the next
    /// key becoming current and the old one retired. Should that not be recorded now, the overlap's end does it.
    /// </summary>
    private async ValueTask<Bank> SignedOnUnderAsync(Bank bank, byte[]? macKey, CancellationToken cancellationToken)
    {
        if (bank.NextMacKey is not { } next || macKey != next.Key)
        {
            return bank;
        }

        try
        {
            // The sign-on is answered either way; a database that does not answer only postpones the promotion.
            await keys.PromoteAsync(bank.Code, next.Version, cancellationToken).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            logger.LogInformation("Bank {Bank} signed on under its next MAC key (version {Version}): it is now current, the old key retired", bank.Code, next.Version);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("Bank {Bank} signed on under its next MAC key (version {Version}), which could not be made current yet: {Error}", bank.Code, next.Version, e.Message);
        }

        return bank with { MacKey = next.Key, NextMacKey = null };
    }

    /// <param name="verifiedUnder">The key the request's MAC verified under: its answer is signed with the same key.</param>
    private IsoReply Answer(IsoMessage response, Bank? bank, byte[]? verifiedUnder = null)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            logger.LogDebug("Answering {Response}", IsoJson.ToLogLine(response, codec.Profile));
        }

        return new(response, bank?.MacRequired == true ? verifiedUnder ?? bank.MacKey : null);
    }
}
