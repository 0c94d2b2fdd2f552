using ActorHttp.Handlers;
using ActorHttp.Protocol;
using Akka.Actor;

public sealed class LineCounter : HttpHandlerActor
{
    private readonly Dictionary<(IActorRef, long), int> _lines = [];

    protected override void OnRequest(RequestContext context)
    {
        _lines[context.StreamKey] = 0;
        context.ReadBody();
    }

    protected override void OnRequestBody(RequestContext context, ReadOnlyMemory<byte> data)
    {
        _lines[context.StreamKey] += data.Span.Count((byte)'\n');
        context.ReadBody();
    }

    protected override void OnRequestBodyEnd(RequestContext context, HttpHeaders trailers)
    {
        _lines.Remove(context.StreamKey, out var lines);
        context.Respond(HttpResponse.Text(200, $"{lines} lines\n"));
    }

    protected override void OnRequestBodyAborted(RequestContext context, string reason) => _lines.Remove(context.StreamKey);
}
