using ActorHttp.Hosting;
using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.Hosting;

/// <summary>A library user's server serves its own routes and none of the demo's.</summary>
public sealed class DemoRoutesOffTests
{
    [Fact]
    public async Task A_server_without_the_demo_answers_404_on_the_demo_paths()
    {
        await using var server = await ActorHttpServer.StartAsync(new ServerOptions
        {
            Host = "127.0.0.1",
            Port = 0,
            ConfigOverrides = TestServer.FastTimeouts,
            Environment = new Dictionary<string, string>(),
            Routes = TestRoutes.Add,
            Logger = new Serilog.LoggerConfiguration().CreateLogger(),
        });

        Assert.Equal(200, await StatusAsync(server, "GET /test/async-ok HTTP/1.1\r\nHost: x\r\n\r\n"));
        foreach (var path in new[] { "/", "/echo", "/crash", "/private/", "/private/admin", "/limited", "/unavailable", "/gateway/down/x", "/hello" })
        {
            Assert.Equal(404, await StatusAsync(server, $"GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ZGVtbzpkZW1v\r\n\r\n"));
        }

        Assert.Equal(404, await StatusAsync(server, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi"));
    }

    private static async Task<int> StatusAsync(ActorHttpServer server, string request)
    {
        await using var client = await RawHttpClient.ConnectAsync(server.Endpoint);
        await client.SendAsync(request);
        return (await client.ReadResponseAsync()).Status;
    }
}
