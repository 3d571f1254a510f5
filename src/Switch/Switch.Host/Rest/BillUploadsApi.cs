using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using Switch.Adapters.Postgres;
using Switch.Billers.Upload;
using Switch.Billing;

namespace Switch.Host.Rest;

/// <summary>
/// POST /api/v1/biller/bill-uploads: a hosted biller uploads its bills with its own key, as CSV (text/csv) or JSON
/// (application/json), up to 64 MB. Every line is checked first: any problem rejects the whole file (400/30 with the
/// lines' problems), and nothing changes. A valid file is staged and applied whole; the same file again (SHA-256)
/// changes nothing and is answered 200 with the first upload's counts. Not bound by Switch:RequestTimeout: a large
/// file takes as long as it takes, without holding anything a payment waits for until its one applying transaction.
/// </summary>
public static class BillUploadsApi
{
    public const long MaxFileBytes = 64L * 1024 * 1024;

    public static RouteGroupBuilder MapBillUploadsApi(this RouteGroupBuilder uploads)
    {
        uploads.MapPost("/", UploadAsync).WithName("UploadBills")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        return uploads;
    }

    private static async Task<Results<Created<UploadBody>, Ok<UploadBody>, ProblemHttpResult>> UploadAsync(
        HttpContext http, PostgresBillerRegistry registry, PostgresBillUploads uploads, UploadGate gate, ILogger<PostgresBillUploads> logger)
    {
        if (!gate.TryEnter())
        {
            http.Response.Headers.RetryAfter = "10";
            return Problems.WithStatus(ResponseCodes.Unavailable, StatusCodes.Status429TooManyRequests,
                $"{UploadGate.Concurrent} bill files are being applied on this node; send it again in a few seconds", http);
        }

        try
        {
            return await UploadInTurnAsync(http, registry, uploads, logger);
        }
        finally
        {
            gate.Exit();
        }
    }

    private static async Task<Results<Created<UploadBody>, Ok<UploadBody>, ProblemHttpResult>> UploadInTurnAsync(
        HttpContext http, PostgresBillerRegistry registry, PostgresBillUploads uploads, ILogger<PostgresBillUploads> logger)
    {
        var format = Format(http.Request.ContentType);
        if (format is null)
        {
            return Problems.WithStatus(ResponseCodes.FormatError, StatusCodes.Status415UnsupportedMediaType,
                "a bill file is sent as Content-Type: text/csv or application/json (UTF-8)", http);
        }

        var billerCode = http.Caller().Participant!;
        if (await registry.FindAsync(billerCode, http.RequestAborted) is not { } biller)
        {
            return Problems.For(ResponseCodes.UnknownBiller, "the key's biller is not registered", http);
        }

        if (biller.Definition.Mode != PresentmentMode.Hosted)
        {
            return Problems.WithStatus(ResponseCodes.InvalidTransaction, StatusCodes.Status409Conflict, "bills are uploaded by hosted billers only", http);
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxFileBytes;
        }

        byte[] file;
        try
        {
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
            file = buffer.ToArray();
        }
        catch (BadHttpRequestException)
        {
            return Problems.For(ResponseCodes.FormatError, $"a bill file is at most {MaxFileBytes / 1024 / 1024} MB: split it", http);
        }

        // The same file applied before is answered before it is read again.
        var hash = SHA256.HashData(file);
        if (await uploads.AppliedAsync(billerCode, hash, http.RequestAborted) is { } earlier)
        {
            return TypedResults.Ok(Body(earlier));
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var pattern = new Regex(biller.Definition.AccountPattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50));
        BillFileResult parsed;
        if (format == "csv")
        {
            string text;
            try
            {
                text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(file);
            }
            catch (DecoderFallbackException)
            {
                return Problems.For(ResponseCodes.FormatError, "the file is not UTF-8 text", http);
            }

            parsed = BillFile.ParseCsv(text.TrimStart('\uFEFF'), pattern, biller.Definition.Currency);
        }
        else
        {
            parsed = BillFile.ParseJson(file, pattern, biller.Definition.Currency);
        }

        if (!parsed.Valid)
        {
            return Problems.Invalid([.. parsed.Errors, .. parsed.ErrorCount > parsed.Errors.Count ? [$"{parsed.ErrorCount} problems in all; nothing was applied"] : Array.Empty<string>()], http);
        }

        if (parsed.Lines.Count == 0)
        {
            return Problems.For(ResponseCodes.FormatError, "the file holds no bills", http);
        }

        var checkedIn = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        var (summary, problems) = await uploads.ApplyAsync(billerCode, hash, format, parsed.Lines, http.RequestAborted);
        logger.LogInformation("Bill file of biller {Biller} read and checked in {Checked} ms ({Lines} lines)", billerCode, (int)checkedIn.TotalMilliseconds, parsed.Lines.Count);
        if (summary is null)
        {
            return Problems.WithStatus(ResponseCodes.InvalidTransaction, StatusCodes.Status409Conflict, string.Join("; ", problems.Take(3)), http);
        }

        return summary.Replayed ? TypedResults.Ok(Body(summary)) : TypedResults.Created($"/api/v1/biller/bill-uploads/{summary.UploadId}", Body(summary));
    }

    private static UploadBody Body(UploadSummary s) => new(s.UploadId, s.Lines, s.Created, s.Updated, s.Cancelled, s.Unchanged, s.Replayed);

    private static string? Format(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var type) && (type.Charset.Length == 0 || string.Equals(type.Charset.Value, "utf-8", StringComparison.OrdinalIgnoreCase))
            ? type.MediaType.Value?.ToLowerInvariant() switch
            {
                "text/csv" => "csv",
                "application/json" => "json",
                _ => null,
            }
            : null;
}

/// <summary>
/// How many bill files a node reads and applies at once: each holds its file, its text and its lines in memory (a few
/// hundred MB for the largest), so more wait their turn (429 with Retry-After) rather than exhaust the node.
/// </summary>
public sealed class UploadGate
{
    public const int Concurrent = 2;

    private int _running;

    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _running) <= Concurrent)
        {
            return true;
        }

        Interlocked.Decrement(ref _running);
        return false;
    }

    public void Exit() => Interlocked.Decrement(ref _running);
}

/// <summary>An applied upload: how many lines, and how many bills each did (unchanged: already as the line says).</summary>
public sealed record UploadBody(long UploadId, int Lines, int Created, int Updated, int Cancelled, int Unchanged, bool Replayed);
