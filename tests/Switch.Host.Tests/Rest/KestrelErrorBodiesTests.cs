using System.Text;
using Switch.Host.Rest;

namespace Switch.Host.Tests.Rest;

/// <summary>Which responses the connection middleware rewrites: Kestrel's own bare error answers, and nothing else.</summary>
public class KestrelErrorBodiesTests
{
    [Fact]
    public void A_bare_kestrel_error_keeps_its_status_and_headers_and_gains_a_problem_body()
    {
        var bare = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\nDate: Sun, 06 Dec 2026 20:20:44 GMT\r\nServer: Kestrel\r\n\r\n";

        var rewritten = Encoding.ASCII.GetString(KestrelErrorBodies.Replacement(Encoding.ASCII.GetBytes(bare))!);

        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\nContent-Type: application/problem+json\r\nContent-Length: 138\r\nConnection: close\r\n"
            + "Date: Sun, 06 Dec 2026 20:20:44 GMT\r\nServer: Kestrel\r\n\r\n{", rewritten, StringComparison.Ordinal);
        Assert.EndsWith("\"responseCode\":\"30\"}", rewritten, StringComparison.Ordinal);
        Assert.Equal(138, rewritten.Length - rewritten.IndexOf("\r\n\r\n", StringComparison.Ordinal) - 4);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")]
    [InlineData("HTTP/1.1 404 Not Found\r\nContent-Type: application/problem+json\r\nTransfer-Encoding: chunked\r\n\r\n")]
    [InlineData("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n")]
    [InlineData("HTTP/1.1 204 No Content\r\nDate: x\r\n\r\n")]
    [InlineData("{\"status\":\"up\"}")]
    public void Anything_else_passes_untouched(string written) =>
        Assert.Null(KestrelErrorBodies.Replacement(Encoding.ASCII.GetBytes(written)));
}
