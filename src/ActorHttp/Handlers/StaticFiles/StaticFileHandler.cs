using System.Buffers;
using ActorHttp.Actors;
using ActorHttp.Protocol;
using Akka.Actor;
using Akka.Event;

namespace ActorHttp.Handlers.StaticFiles;

/// <summary>
/// Serves files below a root folder for GET and HEAD as <see cref="StaticFilePlanner"/> decides (safe
/// paths, index files, content types, validators and conditional requests, single byte ranges,
/// precompressed siblings), and sends the bytes as an actor does: small files whole, from memory
/// while unchanged, larger ones chunk by chunk at the client's pace, each chunk read only once the
/// connection took the one before.
/// </summary>
public sealed class StaticFileHandler(StaticFileSettings settings) : HttpHandlerActor
{
    // The first chunk of a streamed file: enough for a browser to start on it, small enough that the
    // answers to many pipelined requests waiting their turn cost little (see Step).
    private const int FirstChunkBytes = 4096;

    private readonly Dictionary<(IActorRef Connection, long Sequence), Transfer> _transfers = [];
    private readonly StaticFilePlanner _planner = new(settings);

    // Each instance keeps its own: no other thread ever asks it, so its lock is never contended.
    private readonly SmallFileCache _cache = new(settings.CacheBytes);

    public static Props Props(StaticFileSettings settings) => Akka.Actor.Props.Create(() => new StaticFileHandler(settings));

    protected override void OnRequest(RequestContext context)
    {
        switch (_planner.Plan(context.Request))
        {
            case StaticFilePlan.Complete complete:
                context.Respond(complete.Response);
                break;
            case StaticFilePlan.HeadOnly headOnly:
                context.Respond(headOnly.Head with { Streamed = true, StreamLength = headOnly.Length });
                context.EndStream();
                break;
            case StaticFilePlan.SendFile send:
                Send(context, send);
                break;
        }
    }

    protected override void OnMessage(object message)
    {
        switch (message)
        {
            case ChunkRead read when _transfers.TryGetValue(read.Key, out var transfer):
                Relay(transfer, read);
                break;
            case ReadFailed failed when _transfers.TryGetValue(failed.Key, out var transfer):
                Log.Warning("Reading {File} failed midway: {Error}", transfer.Stream.Name, failed.Error.Message);
                transfer.Context.AbortStream();
                Finish(transfer);
                break;
            case ResponseBodyChunkSent sent when _transfers.TryGetValue((Sender, sent.Sequence), out var transfer):
                transfer.InFlight = false;
                transfer.FirstChunkTaken = true;
                Step(transfer);
                break;
            case ResponseAborted aborted when _transfers.TryGetValue((Sender, aborted.Sequence), out var transfer):
                Finish(transfer);
                break;
            case ChunkRead or ReadFailed or ResponseBodyChunkSent or ResponseAborted:
                // The transfer already ended: nothing to do.
                break;
            default:
                base.OnMessage(message);
                break;
        }
    }

    protected override void PostStop()
    {
        foreach (var transfer in _transfers.Values.ToList())
        {
            Finish(transfer);
        }

        base.PostStop();
    }

    /// <summary>Sends the planned bytes: from the cache, read whole when they fit in one chunk, else streamed chunk by chunk.</summary>
    private void Send(RequestContext context, StaticFilePlan.SendFile send)
    {
        var (head, file, range) = (send.Head, send.File, send.Range);
        if (_cache.TryGet(file, out var cached))
        {
            context.Respond(head with { Body = cached.AsMemory((int)range.First, (int)range.Length) });
            return;
        }

        FileStream stream;
        try
        {
            stream = new FileStream(file.FullName, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.ReadWrite | FileShare.Delete,
                Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
            });
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            context.Respond(StaticFilePlanner.Unreadable);
            return;
        }

        stream.Position = range.First;
        // A file that fits in one chunk goes out as a complete body (one write, and compressible);
        // a larger one streams, each chunk read only once the previous one was sent.
        var transfer = range.Length <= settings.ChunkBytes
            ? new Transfer(context, stream, range.Length)
            {
                Whole = new byte[range.Length],
                Head = head,
                CacheAs = send.IsWholeFile ? file : null,
            }
            : new Transfer(context, stream, range.Length);
        _transfers[context.StreamKey] = transfer;
        if (transfer.Whole is null)
        {
            context.Respond(head with { Streamed = true, StreamLength = range.Length });
            Step(transfer);
            return;
        }

        ReadNext(transfer);
    }

    /// <summary>
    /// A streamed transfer's one step: send the chunk that is ready once the connection took the
    /// previous one, and keep one chunk read ahead, so the disk and the socket work at the same time
    /// while at most two chunks are held. Until the connection has taken the first chunk (a small
    /// one), nothing is read ahead: an answer to a pipelined request waiting its turn, or to a
    /// client that does not read, holds a few KiB instead of two chunks.
    /// </summary>
    private void Step(Transfer transfer)
    {
        if (!transfer.InFlight && transfer.Ready is { } chunk)
        {
            transfer.Ready = null;
            transfer.InFlight = true;
            transfer.Context.SendChunk(chunk);
        }

        if (!transfer.Reading && transfer.Ready is null && transfer.Remaining > 0 && (!transfer.InFlight || transfer.FirstChunkTaken))
        {
            ReadNext(transfer);
        }
        else if (!transfer.Reading && !transfer.InFlight && transfer.Ready is null && transfer.Remaining == 0)
        {
            transfer.Context.EndStream();
            Finish(transfer);
        }
    }

    private void ReadNext(Transfer transfer)
    {
        transfer.Reading = true;
        var key = transfer.Context.StreamKey;
        var chunkBytes = transfer.FirstChunkTaken ? settings.ChunkBytes : Math.Min(FirstChunkBytes, settings.ChunkBytes);
        var buffer = transfer.Whole ?? transfer.NextChunkBuffer(chunkBytes);
        var into = transfer.Whole is null
            ? buffer.AsMemory(0, (int)Math.Min(chunkBytes, transfer.Remaining))
            : buffer.AsMemory((int)(buffer.Length - transfer.Remaining));
        transfer.Stream.ReadAsync(into).AsTask().PipeTo(
            Self,
            success: count => new ChunkRead(key, buffer, count),
            failure: error => new ReadFailed(key, error));
    }

    private void Relay(Transfer transfer, ChunkRead read)
    {
        if (read.Count == 0)
        {
            // The file shrank after its size was taken: the answer cannot be completed honestly.
            if (transfer.Whole is null)
            {
                transfer.Context.AbortStream();
            }
            else
            {
                transfer.Context.Respond(StaticFilePlanner.ChangedWhileRead);
            }

            Finish(transfer);
            return;
        }

        transfer.Reading = false;
        transfer.Remaining -= read.Count;
        if (transfer.Whole is null)
        {
            transfer.Ready = read.Buffer.AsMemory(0, read.Count);
            Step(transfer);
        }
        else if (transfer.Remaining > 0)
        {
            ReadNext(transfer);
        }
        else
        {
            transfer.Context.Respond(transfer.Head! with { Body = transfer.Whole });
            if (transfer.CacheAs is { } file)
            {
                _cache.Remember(file, transfer.Whole);
            }

            Finish(transfer);
        }
    }

    private void Finish(Transfer transfer)
    {
        _transfers.Remove(transfer.Context.StreamKey);
        transfer.Stream.Dispose();
        transfer.ReturnChunkBuffers();
    }

    private sealed class Transfer(RequestContext context, FileStream stream, long remaining)
    {
        public RequestContext Context { get; } = context;
        public FileStream Stream { get; } = stream;
        public long Remaining { get; set; } = remaining;

        /// <summary>A read is under way (at most one at a time: the stream has one position).</summary>
        public bool Reading { get; set; }

        /// <summary>A chunk went to the connection and is not acknowledged yet.</summary>
        public bool InFlight { get; set; }

        /// <summary>The connection has taken the first chunk: the answer is being sent, and reading ahead pays.</summary>
        public bool FirstChunkTaken { get; set; }

        /// <summary>A chunk read ahead, waiting for the connection to take the previous one.</summary>
        public ReadOnlyMemory<byte>? Ready { get; set; }

        // Two pooled buffers taken in turn: a read never lands in the chunk the connection still
        // holds (the previous read's), so a large file costs no allocation per chunk.
        private readonly byte[]?[] _chunkBuffers = new byte[]?[2];
        private int _reads;

        public byte[] NextChunkBuffer(int size)
        {
            var slot = _reads++ % 2;
            if (_chunkBuffers[slot] is { } small && small.Length < size)
            {
                // The first chunk's small buffer, not held by the connection any more (it took that chunk).
                ArrayPool<byte>.Shared.Return(small);
                _chunkBuffers[slot] = null;
            }

            return _chunkBuffers[slot] ??= ArrayPool<byte>.Shared.Rent(size);
        }

        /// <summary>
        /// Back to the pool, unless the connection may still be writing from one of them or a read
        /// may still be filling one: those are left to the garbage collector.
        /// </summary>
        public void ReturnChunkBuffers()
        {
            if (InFlight || Reading)
            {
                return;
            }

            for (var i = 0; i < _chunkBuffers.Length; i++)
            {
                if (_chunkBuffers[i] is { } buffer)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    _chunkBuffers[i] = null;
                }
            }
        }

        /// <summary>For a file small enough to send whole: the buffer it is read into, and the answer to send with it.</summary>
        public byte[]? Whole { get; init; }

        public HttpResponse? Head { get; init; }

        /// <summary>For a whole file read whole: the file as it was when planned, to remember its bytes once read.</summary>
        public FileInfo? CacheAs { get; init; }
    }

    private sealed record ChunkRead((IActorRef Connection, long Sequence) Key, byte[] Buffer, int Count);

    private sealed record ReadFailed((IActorRef Connection, long Sequence) Key, Exception Error);
}
