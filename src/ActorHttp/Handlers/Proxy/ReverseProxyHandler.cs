using ActorHttp.Actors;
using ActorHttp.Observability;
using ActorHttp.Protocol;
using Akka.Actor;
using Akka.Event;

namespace ActorHttp.Handlers.Proxy;

/// <summary>
/// Forwards requests under a prefix to an upstream server, streaming both ways: the request body
/// goes upstream as it arrives (through a <see cref="RequestBodyPipe"/>, at the upstream's pace), and
/// the answer comes back read only as fast as the client takes it (one chunk in flight, sent on the
/// connection's acknowledgement). The upstream refusing or answering garbage → 502; no response head
/// within the route's timeout → 504.
/// </summary>
public sealed class ReverseProxyHandler(ProxyRoute route, HttpMessageInvoker client) : HttpHandlerActor
{
    private const int ChunkBytes = 64 * 1024;
    private readonly Dictionary<(IActorRef Connection, long Sequence), Forwarding> _forwardings = [];

    public static Props Props(ProxyRoute route, HttpMessageInvoker client) =>
        Akka.Actor.Props.Create(() => new ReverseProxyHandler(route, client));

    protected override void OnRequest(RequestContext context)
    {
        var request = context.Request;
        var rest = request.RouteValues.TryGetValue("rest", out var value) ? value : string.Empty;
        var outgoing = new HttpRequestMessage(new HttpMethod(request.Method), route.TargetFor(rest, request.Query))
        {
            Version = System.Net.HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        RequestBodyPipe? body = null;
        if (request.BodyStreamed)
        {
            // Content-Length, when the client sent one, is copied below; without it the upstream gets chunked.
            body = new RequestBodyPipe(context, Self);
            outgoing.Content = new StreamContent(body.Reader.AsStream());
        }
        else if (!request.Body.IsEmpty)
        {
            outgoing.Content = new ReadOnlyMemoryContent(request.Body);
        }

        // Host becomes the upstream's (from the URL); the client's travels as X-Forwarded-Host, and
        // the X-Forwarded-* fields are rebuilt rather than passed through. When this request is
        // traced, the upstream's parent is this server's span (W3C traceparent), not the client's;
        // and the request id travels on, so both servers' logs name the request alike.
        var trace = context.TraceContext;
        var fields = ProxyHeaders.EndToEnd(request.Headers)
            .Where(f => !string.Equals(f.Key, "Host", StringComparison.OrdinalIgnoreCase)
                && !f.Key.StartsWith("X-Forwarded-", StringComparison.OrdinalIgnoreCase)
                && !(trace != default && string.Equals(f.Key, ServerTracing.TraceParentHeader, StringComparison.OrdinalIgnoreCase))
                && !(context.RequestId is not null && string.Equals(f.Key, RequestIds.HeaderName, StringComparison.OrdinalIgnoreCase)))
            .Concat(ProxyHeaders.Forwarded(request.Headers["X-Forwarded-For"], context.ClientAddress?.ToString(), request.Host));
        if (trace != default)
        {
            fields = fields.Append(new KeyValuePair<string, string>(ServerTracing.TraceParentHeader, ServerTracing.TraceParent(trace)));
        }

        if (context.RequestId is { } requestId)
        {
            fields = fields.Append(new KeyValuePair<string, string>(RequestIds.HeaderName, requestId));
        }

        foreach (var (name, fieldValue) in fields)
        {
            if (!outgoing.Headers.TryAddWithoutValidation(name, fieldValue))
            {
                outgoing.Content?.Headers.TryAddWithoutValidation(name, fieldValue);
            }
        }

        var timeout = new CancellationTokenSource(route.Timeout);
        var key = context.StreamKey;
        _forwardings[key] = new Forwarding(context, timeout) { RequestBody = body };
        client.SendAsync(outgoing, timeout.Token).PipeTo(
            Self,
            success: response => new UpstreamAnswered(key, response),
            failure: error => new UpstreamFailed(key, error));
        body?.Start();
    }

    protected override void OnRequestBody(RequestContext context, ReadOnlyMemory<byte> data)
    {
        if (_forwardings.TryGetValue(context.StreamKey, out var forwarding))
        {
            forwarding.RequestBody?.OnBody(data);
        }
    }

    protected override void OnRequestBodyEnd(RequestContext context, HttpHeaders trailers)
    {
        if (_forwardings.TryGetValue(context.StreamKey, out var forwarding))
        {
            forwarding.RequestBody?.OnBodyEnd();
        }
    }

    protected override void OnRequestBodyAborted(RequestContext context, string reason)
    {
        if (_forwardings.TryGetValue(context.StreamKey, out var forwarding))
        {
            // The upstream sees its request body fail midway; the client was answered by its connection.
            Finish(forwarding);
        }
    }

    protected override void OnMessage(object message)
    {
        switch (message)
        {
            case RequestBodyPipe.Room room when _forwardings.TryGetValue(room.Key, out var forwarding):
                forwarding.RequestBody?.OnRoom(room);
                break;
            case UpstreamAnswered answered when _forwardings.TryGetValue(answered.Key, out var forwarding):
                StartRelay(forwarding, answered.Response);
                break;
            case UpstreamFailed failed when _forwardings.TryGetValue(failed.Key, out var forwarding):
                AnswerFailure(forwarding, failed.Error);
                break;
            case BodyOpened opened when _forwardings.TryGetValue(opened.Key, out var forwarding):
                forwarding.Body = opened.Body;
                ReadNext(forwarding);
                break;
            case BodyRead read when _forwardings.TryGetValue(read.Key, out var forwarding):
                Relay(forwarding, read);
                break;
            case BodyFailed failed when _forwardings.TryGetValue(failed.Key, out var forwarding):
                Log.Warning("Upstream {Upstream} failed midway through a body: {Error}", route.Upstream, failed.Error.Message);
                forwarding.Context.AbortStream();
                Finish(forwarding);
                break;
            case ResponseBodyChunkSent sent when _forwardings.TryGetValue((Sender, sent.Sequence), out var forwarding):
                ReadNext(forwarding);
                break;
            case ResponseAborted aborted when _forwardings.TryGetValue((Sender, aborted.Sequence), out var forwarding):
                Finish(forwarding);
                break;
            case UpstreamAnswered or UpstreamFailed or BodyOpened or BodyRead or BodyFailed or ResponseBodyChunkSent or ResponseAborted or RequestBodyPipe.Room:
                // The forwarding already ended (the client left, or it failed): nothing to do.
                (message as UpstreamAnswered)?.Response.Dispose();
                break;
            default:
                base.OnMessage(message);
                break;
        }
    }

    protected override void PostStop()
    {
        foreach (var forwarding in _forwardings.Values.ToList())
        {
            Finish(forwarding);
        }

        base.PostStop();
    }

    private void StartRelay(Forwarding forwarding, HttpResponseMessage response)
    {
        forwarding.Response = response;
        var fields = ProxyHeaders.EndToEnd(response.Headers.Concat(response.Content.Headers)
            .SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key, v))));
        forwarding.Context.StartStream(new HttpResponse { StatusCode = (int)response.StatusCode, Headers = fields.ToList() });
        response.Content.ReadAsStreamAsync().PipeTo(
            Self,
            success: body => new BodyOpened(forwarding.Context.StreamKey, body),
            failure: error => new BodyFailed(forwarding.Context.StreamKey, error));
    }

    private void ReadNext(Forwarding forwarding)
    {
        var buffer = new byte[ChunkBytes];
        forwarding.Body!.ReadAsync(buffer).AsTask().PipeTo(
            Self,
            success: count => new BodyRead(forwarding.Context.StreamKey, buffer, count),
            failure: error => new BodyFailed(forwarding.Context.StreamKey, error));
    }

    private void Relay(Forwarding forwarding, BodyRead read)
    {
        if (read.Count == 0)
        {
            forwarding.Context.EndStream();
            Finish(forwarding);
            return;
        }

        forwarding.Context.SendChunk(read.Buffer.AsMemory(0, read.Count));
    }

    private void AnswerFailure(Forwarding forwarding, Exception error)
    {
        var timedOut = error is OperationCanceledException && forwarding.Timeout.IsCancellationRequested;
        Log.Warning("Upstream {Upstream} {Outcome}: {Error}", route.Upstream, timedOut ? "timed out" : "failed", error.Message);
        forwarding.Context.Respond(timedOut
            ? HttpResponse.Text(504, $"The upstream server did not answer within {route.Timeout.TotalMilliseconds} ms.\n")
            : HttpResponse.Text(502, "The upstream server could not be reached or sent an invalid response.\n"));
        Finish(forwarding);
    }

    private void Finish(Forwarding forwarding)
    {
        _forwardings.Remove(forwarding.Context.StreamKey);
        forwarding.RequestBody?.Abort(new OperationCanceledException("The forwarding ended before the request body was sent."));
        forwarding.Body?.Dispose();
        forwarding.Response?.Dispose();
        forwarding.Timeout.Dispose();
    }

    private sealed class Forwarding(RequestContext context, CancellationTokenSource timeout)
    {
        public RequestContext Context { get; } = context;
        public CancellationTokenSource Timeout { get; } = timeout;
        public RequestBodyPipe? RequestBody { get; init; }
        public HttpResponseMessage? Response { get; set; }
        public Stream? Body { get; set; }
    }

    private sealed record UpstreamAnswered((IActorRef Connection, long Sequence) Key, HttpResponseMessage Response);

    private sealed record UpstreamFailed((IActorRef Connection, long Sequence) Key, Exception Error);

    private sealed record BodyOpened((IActorRef Connection, long Sequence) Key, Stream Body);

    private sealed record BodyRead((IActorRef Connection, long Sequence) Key, byte[] Buffer, int Count);

    private sealed record BodyFailed((IActorRef Connection, long Sequence) Key, Exception Error);
}
