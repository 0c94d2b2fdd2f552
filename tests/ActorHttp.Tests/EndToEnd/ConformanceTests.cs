using System.Text;
using System.Text.Json;
using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.EndToEnd;

/// <summary>
/// The conformance corpus's own checks and the echo's shape; the corpus itself is run against every
/// concurrency model by <see cref="EveryModel.EveryModelConformanceTests"/>.
/// </summary>
public sealed class ConformanceTests(DefaultServerFixture fixture) : IClassFixture<DefaultServerFixture>
{
    [Fact]
    public void Every_case_of_the_shared_file_is_run()
    {
        var lines = File.ReadLines(SharedData.ConformanceFile).Count(l => !string.IsNullOrWhiteSpace(l));
        Assert.Equal(lines, SharedData.ConformanceCaseIds().Count());
        Assert.True(lines >= 49, $"expected the shared file's 49+ cases, found {lines}");
    }

    [Fact]
    public async Task Echo_keeps_header_order_and_spelling()
    {
        await using var client = await RawHttpClient.ConnectAsync(fixture.Server.Endpoint);
        await client.SendAsync("POST /echo?a=1 HTTP/1.1\r\nHost: localhost\r\nX-First:  one \r\nx-second: two\r\nContent-Length: 5\r\n\r\nhello");

        var response = await client.ReadResponseAsync();

        Assert.Equal("application/json", response.Header("Content-Type"));
        using var echo = JsonDocument.Parse(response.Body);
        var headers = echo.RootElement.GetProperty("headers").EnumerateArray()
            .Select(h => $"{h[0].GetString()}={h[1].GetString()}").ToArray();
        Assert.Equal(["Host=localhost", "X-First=one", "x-second=two", "Content-Length=5"], headers);
        Assert.Equal("/echo?a=1", echo.RootElement.GetProperty("target").GetString());
        Assert.Equal("HTTP/1.1", echo.RootElement.GetProperty("version").GetString());
        Assert.Equal(5, echo.RootElement.GetProperty("body_length").GetInt32());
        Assert.Equal("hello", Encoding.ASCII.GetString(echo.RootElement.GetProperty("body_base64").GetBytesFromBase64()));
    }
}
