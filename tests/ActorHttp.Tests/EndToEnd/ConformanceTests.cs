using System.Text;
using System.Text.Json;
using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.EndToEnd;

/// <summary>
/// Every case of <c>shared/conformance/requests.jsonl</c>, sent as raw bytes in one write to a real
/// server: the status must be one the case allows, the connection must close or stay open as the
/// case says, and served requests must echo what a strict parser sees.
/// </summary>
public sealed class ConformanceTests(DefaultServerFixture fixture) : IClassFixture<DefaultServerFixture>
{
    [Theory]
    [MemberData(nameof(SharedData.ConformanceCaseIds), MemberType = typeof(SharedData))]
    public async Task Case_behaves_as_the_rfc_requires(string id)
    {
        var testCase = SharedData.ConformanceCaseById(id);
        await using var client = await RawHttpClient.ConnectAsync(fixture.Server.Endpoint);
        await client.SendAsync(testCase.Raw);

        var response = await client.ReadResponseAsync();

        Assert.Contains(response.Status, testCase.AllowedStatuses);
        if (testCase.IsServed)
        {
            using var echo = JsonDocument.Parse(response.Body);
            var root = echo.RootElement;
            Assert.Equal(testCase.Method, root.GetProperty("method").GetString());
            Assert.Equal(testCase.Path, root.GetProperty("path").GetString());
            Assert.Equal(testCase.Query, root.GetProperty("query").GetString());
            Assert.Equal(testCase.Body, root.GetProperty("body_base64").GetBytesFromBase64());
        }

        if (testCase.MustClose == true)
        {
            Assert.True(await client.IsClosedByServerAsync(), $"{id}: the server must close the connection");
        }
        else if (testCase.MustClose == false)
        {
            Assert.False(response.SaysClose, $"{id}: the response must not announce a close");
            await client.SendAsync("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n");
            var next = await client.ReadResponseAsync();
            Assert.Equal(200, next.Status);
            Assert.Equal("Hello, World!", next.BodyText);
        }
    }

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
