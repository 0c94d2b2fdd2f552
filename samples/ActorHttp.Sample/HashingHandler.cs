using System.Security.Cryptography;
using ActorHttp.Handlers;
using ActorHttp.Protocol;
using Akka.Actor;

public sealed class HashingHandler : HttpHandlerActor
{
    private readonly Dictionary<(IActorRef, long), RequestBodyPipe> _pipes = [];

    protected override void OnRequest(RequestContext context)
    {
        var pipe = new RequestBodyPipe(context, Self);
        if (context.Request.BodyStreamed)
        {
            _pipes[context.StreamKey] = pipe;   // until the body ends; a body that came whole (none) is in the pipe at Start
        }

        pipe.Start();
        RespondAsync(context, async cancellationToken =>
        {
            await using var body = pipe.Reader.AsStream();   // disposing it tells the pipe nobody reads any more
            var hash = await SHA256.HashDataAsync(body, cancellationToken);
            return HttpResponse.Text(200, Convert.ToHexString(hash));
        });
    }

    protected override void OnRequestBody(RequestContext context, ReadOnlyMemory<byte> data) => _pipes[context.StreamKey].OnBody(data);

    protected override void OnRequestBodyEnd(RequestContext context, HttpHeaders trailers)
    {
        if (_pipes.Remove(context.StreamKey, out var pipe)) pipe.OnBodyEnd();
    }

    protected override void OnRequestBodyAborted(RequestContext context, string reason)
    {
        if (_pipes.Remove(context.StreamKey, out var pipe)) pipe.Abort(new IOException(reason));
    }

    protected override void OnMessage(object message)
    {
        if (message is RequestBodyPipe.Room room && _pipes.TryGetValue(room.Key, out var pipe)) pipe.OnRoom(room);
        else Unhandled(message);
    }
}
