using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ActorHttp.Actors;
using ActorHttp.Handlers.Shared;
using ActorHttp.Hosting;
using ActorHttp.Protocol;
using ActorHttp.Protocol.Connection;

namespace ActorHttp.Models;

/// <summary>
/// One accepted connection as every non-actor model serves it: the connection core, what the core
/// asks of its host, and the steps that are the same whoever runs them (an answer handed to the
/// core, a crash turned into a 500, a streamed body fed piece by piece, the lingering and the final
/// close). Each model drives the core in its own way, always from one thread at a time.
/// </summary>
/// <remarks>
/// The core calls <see cref="IConnectionHost"/> from inside its own methods, where it must not be
/// called back: requests and streams to continue are queued here, and the model acts on them once
/// the core's call has returned.
/// </remarks>
internal abstract class ModelConnection : IConnectionHost
{
    private static readonly HttpResponse CrashAnswer = HttpResponse.Text(500, "The server failed while handling this request.\n");
    private static readonly HttpResponse StreamWithoutBody = HttpResponse.Text(500, "The handler announced a streamed answer without a body to stream.\n");
    private bool _lingering;
    private bool _closed;

    protected ModelConnection(ModelServer server, Socket socket, long id, IPAddress? client)
    {
        Server = server;
        Socket = socket;
        Id = id;
        Client = client;
        Core = new Http1Connection(server.ConnectionSettings, this, id, server.Log);
    }

    public long Id { get; }

    public IPAddress? Client { get; }

    public int BytesWaitingInKernel
    {
        get
        {
            try
            {
                return Socket.Available;
            }
            catch (Exception error) when (error is SocketException or ObjectDisposedException)
            {
                return 0;
            }
        }
    }

    public long? BytesAcknowledged => TcpProgress.BytesAcknowledged(Socket);

    protected ModelServer Server { get; }

    protected Socket Socket { get; }

    protected Http1Connection Core { get; }

    protected bool IsClosed => _closed;

    /// <summary>Requests the core has handed out and no handler has seen yet, in arrival order.</summary>
    protected Queue<(HttpRequest Request, long Sequence)> Requests { get; } = new();

    /// <summary>Streamed answers whose pieces so far have been sent: each may read its next.</summary>
    protected Queue<ResponseStreamPump> StreamsToContinue { get; } = new();

    protected static long Now() => Stopwatch.GetTimestamp();

    /// <summary>
    /// The server is stopping; safe from any thread. The model has the core drain on the
    /// connection's own thread: what its client has already sent is answered, then it closes.
    /// </summary>
    public abstract void Drain();

    /// <summary>
    /// Closes the socket under the connection, from any thread (past <c>shutdown-timeout</c>, or when
    /// it could not be started): whatever serves it finds the socket gone and closes.
    /// </summary>
    public void Abort() => Socket.Dispose();

    public void OnRequest(HttpRequest request, long sequence, long answerDue) => Requests.Enqueue((request, sequence));

    public void OnRequestBodyPiece(object reader, long sequence, ReadOnlyMemory<byte> data) => throw StreamedBodiesAreNotServed();

    public void OnRequestBodyEnd(object reader, long sequence, HttpHeaders trailers) => throw StreamedBodiesAreNotServed();

    public void OnRequestBodyAborted(object reader, long sequence, string reason) => throw StreamedBodiesAreNotServed();

    public void OnResponseChunksSent(object streamer, long sequence) => StreamsToContinue.Enqueue((ResponseStreamPump)streamer);

    public void OnResponseAborted(object streamer, long sequence) => ((ResponseStreamPump)streamer).Abort();

    public void OnAnswered(in AnsweredRequest answered) =>
        Server.AccessLog?.TryAdd(AccessLogEntry.Of(Id, Client, answered));

    /// <summary>Starts reading the next piece of a streamed answer, in the model's own way; it ends in <see cref="OnPieceRead"/>.</summary>
    protected abstract void ReadNextPiece(ResponseStreamPump pump);

    /// <summary>The handler serving <paramref name="request"/>; resolving is the handlers' code, so a throw there is a crash too.</summary>
    protected ResolvedRequest Route(HttpRequest request) => Server.Routes(request);

    /// <summary>A handler threw: the crash is logged with its stack, and that request alone gets a 500.</summary>
    protected HttpResponse Crashed(HttpRequest request, Exception error)
    {
        Server.Log.Error(error, "Connection {ConnectionId}: the handler of {Method} {Target} failed; answering 500", Id, request.Method, request.Target);
        return CrashAnswer;
    }

    /// <summary>Hands a handler's answer to the core; a streamed one gets a pump, which reads its first piece at once.</summary>
    protected void Answer(long sequence, HttpResponse response, long now)
    {
        if (!response.Streamed)
        {
            Core.Respond(sequence, response, now);
            return;
        }

        if (response.BodyStream is not { } body)
        {
            Server.Log.Error("Connection {ConnectionId}: the answer to request {Sequence} is streamed but has no BodyStream; answering 500", Id, sequence);
            Core.Respond(sequence, StreamWithoutBody, now);
            return;
        }

        var pump = new ResponseStreamPump(sequence, body, response.StreamLength);
        if (Core.Respond(sequence, response, now, pump))
        {
            ReadNextPiece(pump);
        }
        else
        {
            pump.Abort();
        }
    }

    /// <summary>
    /// A piece of a streamed answer has been read (<paramref name="count"/> 0 at the stream's end):
    /// it goes to the core. A stream that failed midway ends the connection, so the client sees the
    /// answer cut short rather than falsely complete.
    /// </summary>
    protected void OnPieceRead(ResponseStreamPump pump, int count, Exception? failure, long now)
    {
        if (failure is null)
        {
            pump.Deliver(Core, count, now);
            return;
        }

        Server.Log.Warning(failure, "Connection {ConnectionId}: reading the body of answer {Sequence} failed", Id, pump.Sequence);
        pump.Abort();
        Core.AbortResponse(pump.Sequence);
    }

    /// <summary>
    /// What the core's state asks of the socket: false once the connection is over (the model then
    /// closes it). When the core starts lingering, the sending side is shut so the client reads the
    /// end of our answers, and input is read on (and discarded) until it closes or linger-timeout.
    /// </summary>
    protected bool KeepOpen()
    {
        if (Core.State == ConnectionState.Closed)
        {
            return false;
        }

        if (Core.State != ConnectionState.Lingering || _lingering)
        {
            return true;
        }

        _lingering = true;
        try
        {
            Socket.Shutdown(SocketShutdown.Send);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>
    /// Closes the socket, releases the core and tells the server. Only the connection's own thread
    /// calls it, once. The close is graceful unless the core says the client stopped reading: a
    /// graceful close would then leave the kernel retrying the unread answers for minutes, so it
    /// resets instead.
    /// </summary>
    /// <remarks>
    /// The sending side is shut before the socket is disposed because .NET on Linux turns the
    /// dispose of a socket with a receive still pending (the async models' wait for data) into a
    /// reset, unless sending was shut first; the client would then lose what it has not read yet.
    /// </remarks>
    protected void Close()
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        try
        {
            if (Core.ResetOnClose)
            {
                Socket.LingerState = new LingerOption(true, 0);
            }
            else if (!_lingering)
            {
                Socket.Shutdown(SocketShutdown.Send);
            }
        }
        catch (Exception error) when (error is SocketException or ObjectDisposedException)
        {
            // Already reset by the client, or closed under us: there is nothing left to close gracefully.
        }

        Socket.Dispose();
        Core.Release();
        Server.Closed(this);
    }

    /// <summary>
    /// Tells the handlers and stream reads still running that nobody waits for their result any more.
    /// After <see cref="Close"/>: a cancellation callback of theirs that throws is their bug, logged,
    /// and must not keep the connection open.
    /// </summary>
    protected void CancelPending(CancellationTokenSource closing)
    {
        try
        {
            closing.Cancel();
        }
        catch (AggregateException error)
        {
            Server.Log.Error(error, "Connection {ConnectionId}: a handler's cancellation callback failed", Id);
        }
    }

    /// <summary>Logs why a connection ended on an error: a socket error is the client's doing and routine; anything else is a bug.</summary>
    protected void LogFailure(Exception error)
    {
        if (error is SocketException or ObjectDisposedException)
        {
            Server.Log.Debug("Connection {ConnectionId}: {Error}", Id, error.Message);
        }
        else
        {
            Server.Log.Error(error, "Connection {ConnectionId} failed; closing it", Id);
        }
    }

    private static UnreachableException StreamedBodiesAreNotServed() =>
        new("No route of the non-actor models streams its request body (ConnectionSettings.StreamedBodyLimit is null), so the core never hands one out.");
}
