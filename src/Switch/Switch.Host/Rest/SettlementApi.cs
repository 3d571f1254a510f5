using System.Globalization;
using Akka.Actor;
using Microsoft.AspNetCore.Http.HttpResults;
using Switch.Adapters.Postgres;
using Switch.Monetary;
using Switch.Settlement.Netting;
using Switch.Settlement.Reports;
using Switch.Settlement.Windows;

namespace Switch.Host.Rest;

/// <summary>
/// /api/v1/settlement: the central bank's settlement windows. List them with their totals, close the open window of a
/// currency (the answer names the closed window), confirm a closed window settled, abort a closed window. A change out
/// of turn (closing twice is not one: a close always closes the window open now) is 409/12 and changes nothing; an
/// unknown window is 404/12.
/// </summary>
public static class SettlementApi
{
    public static RouteGroupBuilder MapSettlementApi(this RouteGroupBuilder api)
    {
        var windows = api.MapGroup("/windows").WithTags("Settlement");
        windows.MapGet("/", ListAsync).WithName("ListSettlementWindows");
        windows.MapPost("/close", CloseAsync).WithName("CloseSettlementWindow").ProducesProblem(StatusCodes.Status400BadRequest);
        windows.MapPost("/{windowId}/confirm", (string windowId, HttpContext http, PostgresSettlementWindows store, Actors.SwitchActors actors) =>
                ChangeAsync(windowId, WindowAction.Confirm, http, store, actors))
            .WithName("ConfirmSettlementWindow").ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        windows.MapPost("/{windowId}/abort", (string windowId, HttpContext http, PostgresSettlementWindows store, Actors.SwitchActors actors) =>
                ChangeAsync(windowId, WindowAction.Abort, http, store, actors))
            .WithName("AbortSettlementWindow").ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        windows.MapGet("/{windowId}/net-positions", NetPositionsAsync).WithName("SettlementWindowNetPositions")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    /// <summary>GET /windows/{id}/net-positions (JSON, or CSV with ?format=csv): each participant's multilateral net position.</summary>
    private static async Task<IResult> NetPositionsAsync(string windowId, string? format, HttpContext http, PostgresSettlementWindows store)
    {
        if (!TryParseId(windowId, out var id))
        {
            return Problems.For(ResponseCodes.FormatError, "a window id is 1 to 18 digits", http);
        }

        if (format is not (null or "json" or "csv"))
        {
            return Problems.For(ResponseCodes.FormatError, "format is json or csv", http);
        }

        var (window, refusal, flows) = await store.FlowsAsync(id, http.Deadline());
        if (window is null || refusal is not null)
        {
            return Problems.WithStatus(ResponseCodes.InvalidTransaction, window is null ? StatusCodes.Status404NotFound : StatusCodes.Status409Conflict, refusal, http);
        }

        var netting = NetPositions.Net(window.Currency, flows, SettlementBanks.Of);
        return format == "csv"
            ? TypedResults.Text(NetPositionReport.Csv(id, netting), "text/csv")
            : TypedResults.Ok(NetPositionReport.Body(id, netting));
    }

    private static async Task<Ok<WindowBody[]>> ListAsync(HttpContext http, PostgresSettlementWindows store) =>
        TypedResults.Ok((await store.ListAsync(http.Deadline())).Select(Body).ToArray());

    /// <summary>POST /windows/close?currency=SAR (SAR when not given).</summary>
    private static async Task<Results<Ok<WindowCloseBody>, ProblemHttpResult>> CloseAsync(string? currency, HttpContext http, PostgresSettlementWindows store)
    {
        if (Currency.FromAlpha(currency ?? "SAR") is not { } known)
        {
            return Problems.For(ResponseCodes.FormatError, "currency is the ISO 4217 code of a currency the switch knows (SAR, JOD, SYP)", http);
        }

        var close = await store.CloseAsync(known, ClosedBy.Demand, AuditActor.Of(http.Caller()), http.Deadline());
        return TypedResults.Ok(new WindowCloseBody(Id(close.WindowId), Id(close.NextWindowId), known.Alpha, Math.Round(close.InServer.TotalMilliseconds, 1)));
    }

    private static async Task<Results<Ok<WindowBody>, ProblemHttpResult>> ChangeAsync(
        string windowId, WindowAction action, HttpContext http, PostgresSettlementWindows store, Actors.SwitchActors actors)
    {
        if (!TryParseId(windowId, out var id))
        {
            return Problems.For(ResponseCodes.FormatError, "a window id is 1 to 18 digits", http);
        }

        var who = AuditActor.Of(http.Caller());
        var change = action == WindowAction.Confirm
            ? await store.ConfirmAsync(id, who, http.Deadline())
            : await store.AbortAsync(id, who, http.Deadline());
        // The released banks' position actors read their positions now; the cap watcher would within its refresh anyway
        // (their caps are marked unacknowledged), but another cluster on the same database may acknowledge first.
        foreach (var bank in change.Released)
        {
            actors.Positions.Tell(new Positions.RefreshCap(bank));
        }

        return change.Outcome switch
        {
            WindowChangeOutcome.Done => TypedResults.Ok(Body(change.Window!)),
            WindowChangeOutcome.NoSuchWindow => Problems.WithStatus(ResponseCodes.InvalidTransaction, StatusCodes.Status404NotFound, change.Reason, http),
            _ => Problems.WithStatus(ResponseCodes.InvalidTransaction, StatusCodes.Status409Conflict, change.Reason, http),
        };
    }

    public static bool TryParseId(string? text, out long id)
    {
        id = 0;
        return text is { Length: >= 1 and <= 18 } && text.All(char.IsAsciiDigit)
            && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id) && id > 0;
    }

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static WindowBody Body(SettlementWindow w) => new(
        Id(w.Id), w.Currency.Alpha, w.State.ToString().ToLowerInvariant(), w.OpenedAt, w.ClosedAt, w.ClosedBy?.ToString().ToLowerInvariant(), w.EndedAt,
        w.CarriedInto is { } into ? Id(into) : null, w.Payments, w.Paid.Format(), w.Reversals, w.Reversed.Format(), w.Net.Format());
}

/// <summary>
/// The bank that settles for a biller. Until billers name their settlement accounts (the billers issue), none does, and
/// each biller appears in the net positions as a participant of its own.
/// </summary>
public static class SettlementBanks
{
    public static string? Of(string biller) => null;
}

/// <summary>A settlement window: amounts as decimal strings in the currency's units, like every amount of the API.</summary>
public sealed record WindowBody(
    string WindowId, string Currency, string State, DateTimeOffset OpenedAt, DateTimeOffset? ClosedAt, string? ClosedBy, DateTimeOffset? EndedAt,
    string? CarriedInto, long Payments, string Paid, long Reversals, string Reversed, string Net);

/// <summary>The window just closed, the one opened in its place, and how long the close held up commits.</summary>
public sealed record WindowCloseBody(string WindowId, string NextWindowId, string Currency, double StallMilliseconds);
