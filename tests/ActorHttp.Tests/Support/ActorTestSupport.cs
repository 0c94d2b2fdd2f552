using System.Net;
using System.Net.Sockets;
using System.Text;
using ActorHttp.Actors;
using ActorHttp.Protocol;

namespace ActorHttp.Tests.Support;

/// <summary>Requests and responses built by hand, for tests that talk to actors without a parser or a socket.</summary>
public static class TestRequests
{
    public static HttpRequest Get(string path) => Make("GET", path);

    public static HttpRequest Make(string method, string path, bool keepAlive = true) => new()
    {
        Method = method,
        Target = path,
        Path = path,
        Query = string.Empty,
        Version = ActorHttp.Protocol.HttpVersion.Http11,
        Headers = new HttpHeaders([new KeyValuePair<string, string>("Host", "x")]),
        KeepAlive = keepAlive,
    };

    public static string BodyText(this ResponseReady ready) => Encoding.UTF8.GetString(ready.Response.Body.Span);

    public static string? Header(this HttpResponse response, string name) =>
        response.Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
}

/// <summary>Settings for a <see cref="ConnectionActor"/> under test: no timer fires unless a test shortens it.</summary>
public static class ConnectionTestSettings
{
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);

    public static readonly ServerSettings Default = new()
    {
        IdleTimeout = TimeSpan.FromSeconds(30),
        RequestHeaderTimeout = TimeSpan.FromSeconds(30),
        HandlerTimeout = TimeSpan.FromSeconds(30),
        LingerTimeout = TimeSpan.FromMilliseconds(500),
        AccessLog = false,
    };
}

/// <summary>
/// A real connected TCP pair on loopback: the server side goes to a <see cref="ConnectionActor"/>,
/// the client side is a <see cref="RawHttpClient"/>, so the actor runs its actual socket code.
/// </summary>
public sealed class SocketPair : IAsyncDisposable
{
    private SocketPair(Socket server, RawHttpClient client)
    {
        Server = server;
        Client = client;
    }

    public Socket Server { get; }

    public RawHttpClient Client { get; }

    public static async Task<SocketPair> ConnectAsync()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var accept = listener.AcceptSocketAsync(cts.Token).AsTask();
            var client = await RawHttpClient.ConnectAsync((IPEndPoint)listener.LocalEndpoint);
            return new SocketPair(await accept, client);
        }
        finally
        {
            listener.Stop();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        // The actor normally owns and disposes the server side; disposing twice is harmless.
        Server.Dispose();
    }
}
