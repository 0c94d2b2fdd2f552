using System.Text;
using ActorHttp.Actors;
using ActorHttp.Handlers;
using ActorHttp.Hosting;
using ActorHttp.Protocol;
using Akka.Actor;

namespace ActorHttp.Tests.Support;

/// <summary>Handlers written the way a user would, to exercise what the demo routes do not.</summary>
public static class TestRoutes
{
    public static void Add(RouteBuilder routes) => routes
        .MapGet("/test/stream", Props.Create<StreamingHandler>())
        .MapGet("/test/paced-stream", Props.Create<PacedStreamingHandler>())
        .MapGet("/test/bad-header", Props.Create<BadHeaderHandler>())
        .MapGet("/test/async-fail", Props.Create<AsyncFailHandler>())
        .MapGet("/test/async-ok", Props.Create<AsyncOkHandler>())
        .MapGet("/test/never", Props.Create<NeverAnswersHandler>())
        .Map(["GET", "PUT"], "/test/users/{id}", Props.Create<RouteValuesHandler>())
        .MapGet("/test/files/{*rest}", Props.Create<RouteValuesHandler>());
}

/// <summary>Streams <c>n</c> chunks (default 3), each sent as its own message.</summary>
public sealed class StreamingHandler : HttpHandlerActor
{
    protected override void OnRequest(RequestContext context)
    {
        var count = context.Request.Query.StartsWith("n=", StringComparison.Ordinal) ? int.Parse(context.Request.Query[2..]) : 3;
        context.StartStream(HttpResponse.Text(200, string.Empty));
        for (var i = 0; i < count; i++)
        {
            context.SendChunk(Encoding.ASCII.GetBytes($"chunk-{i}\n"));
        }

        context.EndStream();
    }
}

public sealed class BadHeaderHandler : HttpHandlerActor
{
    protected override void OnRequest(RequestContext context) =>
        context.Respond(HttpResponse.Text(200, "never sent").WithHeader("X-Note", "a\r\nSet-Cookie: injected=1"));
}

public sealed class AsyncFailHandler : HttpHandlerActor
{
    protected override void OnRequest(RequestContext context) =>
        RespondAsync(context, FailLater());

    private static async Task<HttpResponse> FailLater()
    {
        await Task.Delay(10);
        throw new InvalidOperationException("async work failed on purpose");
    }
}

public sealed class AsyncOkHandler : HttpHandlerActor
{
    protected override void OnRequest(RequestContext context) =>
        RespondAsync(context, AnswerLater());

    private static async Task<HttpResponse> AnswerLater()
    {
        await Task.Delay(10);
        return HttpResponse.Text(200, "async ok");
    }
}

public sealed class NeverAnswersHandler : HttpHandlerActor
{
    protected override void OnRequest(RequestContext context)
    {
        // Deliberately silent: the connection's handler-timeout must answer for it.
    }
}

public sealed class RouteValuesHandler : HttpHandlerActor
{
    protected override void OnRequest(RequestContext context) =>
        context.Respond(HttpResponse.Text(200, string.Join(";", context.Request.RouteValues.OrderBy(v => v.Key).Select(v => $"{v.Key}={v.Value}"))));
}

/// <summary>
/// Streams <c>n</c> chunks of <c>size</c> bytes (byte i of the body is <c>i % 251</c>), sending each
/// only after the connection acknowledged the previous one: the backpressure a file or proxy handler
/// uses. Several streams at once are kept apart by connection and sequence.
/// </summary>
public sealed class PacedStreamingHandler : HttpHandlerActor
{
    public static TaskCompletionSource<long> Aborted { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly Dictionary<(IActorRef Connection, long Sequence), Stream> _streams = [];

    protected override void OnRequest(RequestContext context)
    {
        var query = context.Request.Query.Split('&').Select(p => p.Split('=')).ToDictionary(p => p[0], p => int.Parse(p[1]));
        var stream = new Stream(context, query["n"], query["size"]);
        _streams[context.StreamKey] = stream;
        context.StartStream(HttpResponse.Text(200, string.Empty, "application/octet-stream"));
        SendNext(stream);
    }

    protected override void OnMessage(object message)
    {
        switch (message)
        {
            case ResponseBodyChunkSent sent when _streams.TryGetValue((Sender, sent.Sequence), out var stream):
                SendNext(stream);
                break;
            case ResponseAborted aborted:
                Aborted.TrySetResult(aborted.Sequence);
                _streams.Remove((Sender, aborted.Sequence));
                break;
            case ResponseBodyChunkSent:
                break;
            default:
                base.OnMessage(message);
                break;
        }
    }

    private void SendNext(Stream stream)
    {
        if (stream.Remaining-- == 0)
        {
            stream.Context.EndStream();
            _streams.Remove(stream.Context.StreamKey);
            return;
        }

        var chunk = new byte[stream.Size];
        for (var i = 0; i < chunk.Length; i++)
        {
            chunk[i] = (byte)((stream.Offset + i) % 251);
        }

        stream.Offset += stream.Size;
        stream.Context.SendChunk(chunk);
    }

    private sealed class Stream(RequestContext context, int remaining, int size)
    {
        public RequestContext Context { get; } = context;
        public int Remaining { get; set; } = remaining;
        public int Size { get; } = size;
        public long Offset { get; set; }
    }
}
