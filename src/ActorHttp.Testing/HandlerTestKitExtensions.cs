using System.Net;
using ActorHttp.Actors;
using ActorHttp.Handlers.Auth;
using ActorHttp.Protocol;
using Akka.Actor;
using Akka.TestKit;

namespace ActorHttp.Testing;

/// <summary>
/// Sends a request to a handler actor the way a connection does, with a TestKit probe standing in for
/// the connection, and awaits the answer. Works from any Akka.TestKit flavour (Akka.TestKit.Xunit2's
/// <c>TestKit</c> is a <see cref="TestKitBase"/>):
/// <code>
/// var handler = Sys.ActorOf(Props.Create&lt;GreetingHandler&gt;());
/// var response = await this.SendToHandlerAsync(handler, TestRequests.Get("/greet/Ada"));
/// Assert.Equal(200, response.StatusCode);
/// </code>
/// </summary>
public static class HandlerTestKitExtensions
{
    /// <summary>The size of the pieces a streamed request body is handed to the handler in.</summary>
    public const int RequestBodyPieceBytes = 16 * 1024;

    /// <summary>
    /// Sends <paramref name="request"/> to <paramref name="handler"/> and returns its answer. A
    /// streamed answer is acknowledged piece by piece, as a connection does, and returned whole: its
    /// <see cref="HttpResponse.Streamed"/> stays true and <see cref="HttpResponse.Body"/> holds every
    /// piece. With <paramref name="streamRequestBody"/> the request's body is not in the request but
    /// handed over piece by piece when the handler asks (<c>context.ReadBody()</c>), as on a route
    /// mapped with a streamed-body limit. A crash is answered 500 by the handler base, as in a server.
    /// </summary>
    /// <param name="testKit">The test's kit (<c>this</c> in an Akka.TestKit test class).</param>
    /// <param name="handler">The handler actor, for instance <c>Sys.ActorOf(Props.Create&lt;MyHandler&gt;())</c>.</param>
    /// <param name="request">The request, see <see cref="TestRequests"/>.</param>
    /// <param name="streamRequestBody">Hand the body over piece by piece on request instead of inside the request.</param>
    /// <param name="clientAddress">The client's address the handler sees; 127.0.0.1 when null.</param>
    /// <param name="user">The authenticated user the handler sees, as on a route an auth rule protects.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <param name="timeout">How long to wait for each message from the handler; the kit's default (<c>RemainingOrDefault</c>) when null.</param>
    /// <exception cref="TimeoutException">The handler sent nothing within <paramref name="timeout"/>.</exception>
    /// <exception cref="HandlerStreamAbortedException">The handler gave up on its streamed answer midway.</exception>
    public static async Task<HttpResponse> SendToHandlerAsync(
        this TestKitBase testKit,
        IActorRef handler,
        HttpRequest request,
        TimeSpan? timeout = null,
        bool streamRequestBody = false,
        IPAddress? clientAddress = null,
        Principal? user = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(testKit);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(request);
        const long sequence = 1;
        var connection = testKit.CreateTestProbe();
        var wait = timeout ?? testKit.RemainingOrDefault;
        var body = request.Body;
        var sent = streamRequestBody ? request with { Body = ReadOnlyMemory<byte>.Empty, BodyStreamed = true } : request;
        handler.Tell(new HandleRequest(sent, sequence, connection.Ref, clientAddress ?? IPAddress.Loopback, user), connection.Ref);

        HttpResponse? head = null;
        var streamed = new MemoryStream();
        try
        {
            while (true)
            {
                var message = await connection.ReceiveOneAsync(wait, cancellationToken).ConfigureAwait(false)
                    ?? throw new TimeoutException(head is null
                        ? $"The handler did not answer {request.Method} {request.Target} within {wait}"
                        : $"The handler's streamed answer to {request.Method} {request.Target} stopped after {streamed.Length} bytes without its end ({wait})");
                switch (message)
                {
                    case ReadRequestBody when streamRequestBody:
                        var piece = body[..Math.Min(RequestBodyPieceBytes, body.Length)];
                        body = body[piece.Length..];
                        handler.Tell(piece.IsEmpty ? new RequestBodyEnd(sequence, HttpHeaders.Empty) : new RequestBodyChunk(sequence, piece.ToArray()), connection.Ref);
                        break;
                    case ResponseReady ready when !ready.Response.Streamed:
                        return ready.Response;
                    case ResponseReady ready:
                        head = ready.Response;
                        break;
                    case ResponseBodyChunk chunk when head is not null:
                        streamed.Write(chunk.Data.Span);
                        // The connection's acknowledgement: a handler that paces itself sends the next piece now.
                        handler.Tell(new ResponseBodyChunkSent(chunk.Sequence), connection.Ref);
                        break;
                    case ResponseBodyEnd when head is not null:
                        return head with { Body = streamed.ToArray() };
                    case ResponseBodyAbort when head is not null:
                        throw new HandlerStreamAbortedException(head, streamed.ToArray());
                    default:
                        throw new InvalidOperationException($"The handler sent its connection {message.GetType().Name} {(head is null ? "before an answer" : "inside a streamed answer")}");
                }
            }
        }
        finally
        {
            testKit.Sys.Stop(connection.Ref);
        }
    }
}

/// <summary>The handler gave up on its streamed answer midway (<c>context.AbortStream()</c>): a client would see a truncated body.</summary>
public sealed class HandlerStreamAbortedException(HttpResponse head, byte[] bodySoFar)
    : Exception($"The handler aborted its streamed {head.StatusCode} answer after {bodySoFar.Length} bytes")
{
    /// <summary>The answer's status and fields.</summary>
    public HttpResponse Head { get; } = head;

    /// <summary>The body pieces sent before the abort.</summary>
    public byte[] BodySoFar { get; } = bodySoFar;
}
