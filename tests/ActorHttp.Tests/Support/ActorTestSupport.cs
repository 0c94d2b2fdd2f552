using System.Net;
using System.Net.Sockets;
using ActorHttp.Actors;
using ActorHttp.Protocol;

namespace ActorHttp.Tests.Support;

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
