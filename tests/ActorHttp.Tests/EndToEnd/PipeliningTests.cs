using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.EndToEnd;

/// <summary>RFC 9112 §9.3.2: pipelined requests are answered in the order they were received.</summary>
public sealed class PipeliningTests
{
    [Fact]
    public async Task Responses_leave_in_request_order_whatever_order_handlers_answer_in()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await RawHttpClient.ConnectAsync(server.Endpoint);
        await client.SendAsync(
            "GET /slow?ms=300 HTTP/1.1\r\nHost: x\r\n\r\n" +
            "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n" +
            "GET /slow?ms=100 HTTP/1.1\r\nHost: x\r\n\r\n" +
            "POST /echo/4 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc" +
            "GET /json HTTP/1.1\r\nHost: x\r\n\r\n");

        var bodies = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            bodies.Add((await client.ReadResponseAsync()).BodyText);
        }

        Assert.Contains("300 ms", bodies[0]);
        Assert.Equal("Hello, World!", bodies[1]);
        Assert.Contains("100 ms", bodies[2]);
        Assert.Contains("\"path\":\"/echo/4\"", bodies[3]);
        Assert.Equal("""{"message":"Hello, World!"}""", bodies[4]);
    }

    [Fact]
    public async Task More_requests_than_the_pipelining_limit_are_all_answered_in_order()
    {
        await using var server = await TestServer.StartAsync("actorhttp.server.pipelining-limit = 2");
        await using var client = await RawHttpClient.ConnectAsync(server.Endpoint);
        var requests = string.Concat(Enumerable.Range(1, 12).Select(i => $"GET /slow?ms={(i % 3) * 20} HTTP/1.1\r\nHost: x\r\n\r\n"));
        await client.SendAsync(requests);

        for (var i = 1; i <= 12; i++)
        {
            var response = await client.ReadResponseAsync();
            Assert.Equal(200, response.Status);
            Assert.Contains($"{(i % 3) * 20} ms", response.BodyText);
        }
    }

    [Fact]
    public async Task A_refused_request_ends_the_pipeline_after_earlier_answers()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await RawHttpClient.ConnectAsync(server.Endpoint);
        await client.SendAsync(
            "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n" +
            "GET /hello HTTP/1.1\r\n\r\n" +
            "GET /json HTTP/1.1\r\nHost: x\r\n\r\n");

        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        var refused = await client.ReadResponseAsync();
        Assert.Equal(400, refused.Status);
        Assert.True(refused.SaysClose);
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Requests_already_sent_are_answered_when_the_client_half_closes()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await RawHttpClient.ConnectAsync(server.Endpoint);
        await client.SendAsync("GET /slow?ms=100 HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
        client.ShutdownSend();

        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        Assert.Equal("Hello, World!", (await client.ReadResponseAsync()).BodyText);
        Assert.True(await client.IsClosedByServerAsync());
    }
}
