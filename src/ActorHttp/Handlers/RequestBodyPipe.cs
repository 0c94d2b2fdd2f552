using System.IO.Pipelines;
using ActorHttp.Actors;
using Akka.Actor;

namespace ActorHttp.Handlers;

/// <summary>
/// Hands a request body to async code as a <see cref="PipeReader"/> (<c>Reader.AsStream()</c> for a
/// <see cref="Stream"/>): each piece of a streamed body is written into a pipe, and the next one is
/// asked for only once the pipe has room, so the client sends no faster than the reader reads. A
/// body that came whole takes the same road. Driven by one handler actor: pass it the body pieces,
/// and the <see cref="Room"/> messages it sends that actor.
/// </summary>
public sealed class RequestBodyPipe
{
    // A little read-ahead keeps the reader busy while the next piece is on its way; no more.
    private static readonly PipeOptions Options = new(pauseWriterThreshold: 512 * 1024, resumeWriterThreshold: 256 * 1024, useSynchronizationContext: false);

    private readonly Pipe _pipe = new(Options);
    private readonly IActorRef _owner;

    /// <param name="owner">The handler actor: told of <see cref="Room"/> when a write had to wait.</param>
    public RequestBodyPipe(RequestContext context, IActorRef owner)
    {
        Context = context;
        _owner = owner;
    }

    public RequestContext Context { get; }

    public PipeReader Reader => _pipe.Reader;

    /// <summary>True once every byte of the body is in the pipe (or on its way, for a whole body).</summary>
    public bool BodyEnded { get; private set; }

    /// <summary>Asks for the first piece of a streamed body, or writes a body that came whole.</summary>
    public void Start()
    {
        if (Context.Request.BodyStreamed)
        {
            Context.ReadBody();
            return;
        }

        BodyEnded = true;
        Write(Context.Request.Body);
    }

    public void OnBody(ReadOnlyMemory<byte> data) => Write(data);

    public void OnBodyEnd()
    {
        BodyEnded = true;
        _pipe.Writer.Complete();
    }

    public void OnRoom(Room room) => AfterWrite(room.ReaderStopped);

    /// <summary>The body will never be complete: the reader sees <paramref name="reason"/> thrown.</summary>
    public void Abort(Exception reason) => _pipe.Writer.Complete(reason);

    private void Write(ReadOnlyMemory<byte> data)
    {
        var flush = _pipe.Writer.WriteAsync(data);
        if (flush.IsCompletedSuccessfully)
        {
            AfterWrite(flush.Result.IsCompleted);
            return;
        }

        var key = Context.StreamKey;
        flush.AsTask().PipeTo(_owner, success: result => new Room(key, result.IsCompleted), failure: _ => new Room(key, ReaderStopped: true));
    }

    /// <summary>
    /// The pipe took the piece: ask for the next, or end the pipe after a body that came whole.
    /// Nothing when the reader stopped reading: whoever reads will say how it ended.
    /// </summary>
    private void AfterWrite(bool readerStopped)
    {
        if (BodyEnded)
        {
            _pipe.Writer.Complete();
        }
        else if (!readerStopped)
        {
            Context.ReadBody();
        }
    }

    /// <summary>The pipe of the request <paramref name="Key"/> has room again (or its reader stopped).</summary>
    public sealed record Room((IActorRef Connection, long Sequence) Key, bool ReaderStopped);
}
