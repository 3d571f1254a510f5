using Switch.Adapters.Iso8583;
using Switch.Participants;

namespace Switch.Host.Iso;

/// <summary>
/// Where inquiries, payments and reversals go once the edge has checked who sent them (signed on, field 32, MAC).
/// </summary>
public interface IFinancialRequestHandler
{
    ValueTask<IsoMessage> HandleAsync(Bank bank, IsoMessageView request, CancellationToken cancellationToken);
}
